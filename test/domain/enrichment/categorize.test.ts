import { describe, expect, it } from 'vitest'
import { categorize, labelUncategorized } from '../../../src/domain/enrichment/categorize.ts'
import { MERCHANTS } from '../../../src/domain/enrichment/merchants.ts'
import { CATEGORIES, fitsUnder, SUBCATEGORIES } from '../../../src/domain/enrichment/taxonomy.ts'
import { normalizeDescription, type EnrichTransaction } from '../../../src/domain/enrichment/transactions.ts'
import { schemaOf, specsAvailable } from '../../helpers/spec.ts'

const CURRENCY = { MX: 'MXN', BR: 'BRL', CO: 'COP' } as const

function tx(
  description: string,
  type: 'INFLOW' | 'OUTFLOW' = 'OUTFLOW',
  extra: Partial<EnrichTransaction> & { country?: keyof typeof CURRENCY } = {},
): EnrichTransaction {
  const { country = 'MX', ...rest } = extra
  return {
    id: 't',
    accountId: 'a',
    accountCategory: 'CHECKING_ACCOUNT',
    valueDate: '2025-05-02',
    description,
    type,
    amount: 250,
    currency: CURRENCY[country],
    balance: null,
    merchantName: null,
    mcc: null,
    counterpartyDocument: null,
    ...rest,
  }
}

const label = (t: EnrichTransaction) => {
  const c = categorize(t)
  return [c.category, c.subcategory]
}

describe('normalizeDescription', () => {
  it('drops accents, case, processor prefixes, references, dates and card digits', () => {
    expect(normalizeDescription('PAYPAL *NETFLIX.COM 4029357733')).toBe('netflix com')
    expect(normalizeDescription('MP*UBER  TRIP 12/03')).toBe('uber trip')
    expect(normalizeDescription('Pagamento de Salário REF:2024-05-01')).toBe('pagamento de salario ref')
    expect(normalizeDescription('COMPRA*OXXO SUC 1234 CD MX')).toBe('oxxo suc cd mx')
    expect(normalizeDescription('DL*GOOGLE YouTube')).toBe('google youtube')
  })

  it('spells out brand names with digits instead of dropping them', () => {
    expect(normalizeDescription('7-ELEVEN 3321 POLANCO')).toBe('seven eleven polanco')
    expect(normalizeDescription('99 APP *99POP')).toBe('ninetynine app ninetynine pop')
    expect(normalizeDescription('TIENDAS D1 CALLE 80')).toBe('tiendas deuno calle')
    expect(normalizeDescription('GMF 4X1000')).toBe('gmf cuatroxmil')
  })

  it('keeps a name glued to its store number', () => {
    expect(normalizeDescription('DEB ELO 03/01 RAIA3431 RECIFE')).toBe('deb elo raia recife')
    expect(normalizeDescription('REF AB12345 TX9')).toBe('ref')
    // Four letters or more, then three digits or more, and nothing after them.
    expect(normalizeDescription('OXXO1234 ABCD12 ABCD123X 12ABCD SHOP999')).toBe('oxxo shop')
  })

  it('reads words between any separators, keeping one space between them', () => {
    expect(normalizeDescription('  Café--Ñandú__LOJA\t😀 x1y  PIX ')).toBe('cafe nandu loja pix')
    expect(normalizeDescription('2024-05-01 12/03')).toBe('')
    expect(normalizeDescription('SAQUE 24H BANCO 24 HORAS FOREVER 21 PETRO-7 2024 7')).toBe('saque banco veinticuatro horas forever twentyone petro seven')
  })

  it('gives the same text whatever the reference', () => {
    expect(normalizeDescription('SPEI ENVIADO CFE REF 0012345 FOLIO 77')).toBe(normalizeDescription('SPEI ENVIADO CFE REF 0099911 FOLIO 12'))
  })
})

describe('the taxonomy', () => {
  it('is Belvo’s, every subcategory under one category', async () => {
    if (!specsAvailable()) return
    const legacyCategories = schemaOf('legacy', 'EnumCategorizationTransactionCategory').enum as (string | null)[]
    const legacySubs = schemaOf('legacy', 'EnumCategorizationTransactionSubcategory').enum as (string | null)[]
    const currentCategories = schemaOf('current', 'EnumTransactionCategory').enum as (string | null)[]
    const currentSubs = schemaOf('current', 'EnumTransactionSubcategory').enum as (string | null)[]
    expect([...CATEGORIES, null]).toEqual(legacyCategories)
    expect([...CATEGORIES, null]).toEqual(currentCategories)
    expect([...SUBCATEGORIES, null]).toEqual(legacySubs)
    expect([...SUBCATEGORIES, null]).toEqual(currentSubs)
    for (const s of SUBCATEGORIES) {
      if (s === 'Other') continue
      expect(CATEGORIES.filter((c) => fitsUnder(c, s))).toHaveLength(1)
    }
  })
})

describe('the merchant dictionary', () => {
  it('has a few hundred merchants of Mexico, Brazil and Colombia', () => {
    expect(MERCHANTS.length).toBeGreaterThanOrEqual(300)
    for (const country of ['MX', 'BR', 'CO'] as const) expect(MERCHANTS.filter((m) => m.countries.includes(country)).length).toBeGreaterThan(100)
  })

  it('keeps every word of every alias through normalisation (no alias shrinks to a generic word)', () => {
    for (const merchant of MERCHANTS) {
      for (const alias of merchant.aliases) {
        const raw = alias
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean)
        expect(normalizeDescription(alias).split(' ').filter(Boolean).length, `${merchant.name}: ${alias}`).toBeGreaterThanOrEqual(raw.length)
      }
    }
  })

  it('answers every merchant by its own name or first alias, in its own countries', () => {
    for (const merchant of MERCHANTS) {
      const c = categorize(tx(`COMPRA ${merchant.aliases[0].toUpperCase()} SUC 12`, 'OUTFLOW', { country: merchant.countries[0] }))
      expect(c.merchant?.name, merchant.aliases[0]).toBe(merchant.name)
      expect(c.subcategory).toBe(merchant.subcategory)
    }
  })
})

describe('categorize', () => {
  it('recognises merchants through card-processor prefixes, references and accents (Spanish)', () => {
    expect(label(tx('OXXO SUC 1234 MTY NL'))).toEqual(['Food & Groceries', 'Convenience Store'])
    expect(label(tx('PAYPAL *NETFLIX.COM 4029357733'))).toEqual(['Online Platforms & Leisure', 'Movie & Audio'])
    expect(label(tx('MERCADO PAGO*UBER TRIP'))).toEqual(['Transport & Travel', 'Taxis & Rideshares'])
    expect(label(tx('UBER *EATS PENDING'))).toEqual(['Food & Groceries', 'Delivery'])
    expect(label(tx('CFE SUMINISTRADOR DE SERVICIOS BASICOS REF 0391'))).toEqual(['Bills & Utilities', 'Electricity & Energy'])
    expect(label(tx('TELMEX PAGO REF 5512345678'))).toEqual(['Bills & Utilities', 'Telecommunications'])
    expect(label(tx('WAL-MART SUPERCENTER 2231'))).toEqual(['Food & Groceries', 'Groceries'])
    expect(label(tx('FARMACIAS GUADALAJARA SUC 88'))).toEqual(['Home & Life', 'Pharmacies'])
    expect(label(tx('7-ELEVEN 3321 POLANCO'))).toEqual(['Food & Groceries', 'Convenience Store'])
    expect(label(tx('GASOLINERA PEMEX 4411'))).toEqual(['Transport & Travel', 'Gas'])
    expect(label(tx('AMAZON MX MARKETPLACE'))).toEqual(['Personal Shopping', 'E-commerce'])
    expect(label(tx('AMAZON PRIME*2K3L1'))).toEqual(['Online Platforms & Leisure', 'Movie & Audio'])
    expect(label(tx('SMARTFIT INSURGENTES'))).toEqual(['Home & Life', 'Gyms & Fitness'])
    expect(label(tx('Cinépolis VIP Plaza Carso'))).toEqual(['Online Platforms & Leisure', 'Movie & Audio'])
    const m = categorize(tx('SPOTIFY P1A2B3C4'))
    expect(m.merchant).toEqual({ name: 'Spotify', website: 'https://www.spotify.com', logo: 'https://www.spotify.com/favicon.ico' })
    expect(m.rule).toBe('merchant:spotify')
    expect(m.confidence).toBeGreaterThanOrEqual(0.9)
  })

  it('recognises merchants in Portuguese descriptions', () => {
    const br = { country: 'BR' } as const
    expect(label(tx('PAG*IFOOD *RESTAURANTE', 'OUTFLOW', br))).toEqual(['Food & Groceries', 'Delivery'])
    expect(label(tx('DROGASIL 2231 SAO PAULO', 'OUTFLOW', br))).toEqual(['Home & Life', 'Pharmacies'])
    expect(label(tx('PÃO DE AÇÚCAR-1234', 'OUTFLOW', br))).toEqual(['Food & Groceries', 'Groceries'])
    expect(label(tx('SABESP CONTA 0123456', 'OUTFLOW', br))).toEqual(['Bills & Utilities', 'Water'])
    expect(label(tx('ENEL DISTRIBUICAO SP', 'OUTFLOW', br))).toEqual(['Bills & Utilities', 'Electricity & Energy'])
    expect(label(tx('TELEFONICA VIVO FIBRA', 'OUTFLOW', br))).toEqual(['Bills & Utilities', 'Telecommunications'])
    expect(label(tx('99 APP *99POP', 'OUTFLOW', br))).toEqual(['Transport & Travel', 'Taxis & Rideshares'])
    expect(label(tx('AUTO POSTO IPIRANGA LTDA', 'OUTFLOW', br))).toEqual(['Transport & Travel', 'Gas'])
    expect(label(tx('MERCADOLIVRE*LOJA', 'OUTFLOW', br))).toEqual(['Personal Shopping', 'E-commerce'])
  })

  it('recognises Colombian merchants and billers', () => {
    const co = { country: 'CO' } as const
    expect(label(tx('PAGO PSE EPM SERVICIOS PUBLICOS', 'OUTFLOW', co))).toEqual(['Bills & Utilities', 'Electricity & Energy'])
    expect(label(tx('TIENDAS D1 CALLE 80', 'OUTFLOW', co))).toEqual(['Food & Groceries', 'Groceries'])
    expect(label(tx('EDS TERPEL LA 30', 'OUTFLOW', co))).toEqual(['Transport & Travel', 'Gas'])
    expect(label(tx('RAPPI*RESTAURANTES', 'OUTFLOW', co))).toEqual(['Food & Groceries', 'Delivery'])
    expect(label(tx('CLARO COLOMBIA PAGO FACTURA', 'OUTFLOW', co))).toEqual(['Bills & Utilities', 'Telecommunications'])
  })

  it('does not match look-alikes inside other words or everyday words', () => {
    const br = { country: 'BR' } as const
    // "uber" inside a city's name, "oxxo" inside nothing, "claro"/"vivo"/"extra"/"dia" as words.
    expect(categorize(tx('POSTO UBERLANDIA CENTRO', 'OUTFLOW', br)).merchant).toBeNull()
    expect(categorize(tx('PADARIA VIVO BEM', 'OUTFLOW', br)).merchant).toBeNull()
    expect(categorize(tx('PAGAMENTO DIA 15 LOJA EXTRA', 'OUTFLOW', br)).merchant).toBeNull()
    expect(categorize(tx('PAGO CLARO QUE SI TAQUERIA')).merchant).toBeNull()
    expect(categorize(tx('SAMSUNGITE DISTRIBUIDORA')).merchant).toBeNull()
    expect(categorize(tx('NETFLIXADO BAR')).merchant).toBeNull()
    expect(categorize(tx('CABIFYX123')).merchant).toBeNull()
    // A look-alike that is another business of another kind.
    expect(label(tx('PADARIA VIVO BEM', 'OUTFLOW', br))).toEqual(['Food & Groceries', 'Bakery & Coffee'])
    expect(label(tx('POSTO UBERLANDIA CENTRO', 'OUTFLOW', br))).toEqual(['Transport & Travel', 'Gas'])
  })

  it('limits merchants to the country of the transaction', () => {
    // "Tiendas Extra" is a Mexican convenience store; in Brazil the words say nothing.
    expect(categorize(tx('TIENDAS EXTRA 123')).merchant?.name).toBe('Tiendas Extra')
    expect(categorize(tx('SUPERMERCADO EXTRA', 'OUTFLOW', { country: 'BR' })).merchant?.name).toBe('Extra')
    expect(categorize(tx('TERPEL', 'OUTFLOW', { country: 'MX' })).merchant).toBeNull()
    expect(categorize(tx('TERPEL', 'OUTFLOW', { country: 'MX' }), { country: 'CO' }).merchant?.name).toBe('Terpel')
  })

  it('reads income keywords in Spanish and Portuguese', () => {
    expect(label(tx('DEPOSITO NOMINA EMPRESA SA DE CV', 'INFLOW'))).toEqual(['Income & Payments', 'Salary'])
    expect(label(tx('SPEI RECIBIDO PAGO DE NOMINA QNA 09', 'INFLOW'))).toEqual(['Income & Payments', 'Salary'])
    expect(label(tx('CRÉDITO SALÁRIO ACME LTDA', 'INFLOW', { country: 'BR' }))).toEqual(['Income & Payments', 'Salary'])
    expect(label(tx('ABONO NOMINA BANCOLOMBIA', 'INFLOW', { country: 'CO' }))).toEqual(['Income & Payments', 'Salary'])
    expect(label(tx('CREDITO INSS BENEFICIO', 'INFLOW', { country: 'BR' }))).toEqual(['Income & Payments', 'Retirement'])
    expect(label(tx('PENSION IMSS', 'INFLOW'))).toEqual(['Income & Payments', 'Retirement'])
    expect(label(tx('BOLSA FAMILIA', 'INFLOW', { country: 'BR' }))).toEqual(['Income & Payments', 'Government'])
    expect(label(tx('RENDIMENTO POUPANCA', 'INFLOW', { country: 'BR' }))).toEqual(['Income & Payments', 'Interest'])
    expect(label(tx('INTERESES GANADOS', 'INFLOW'))).toEqual(['Income & Payments', 'Interest'])
    expect(label(tx('HONORARIOS CONSULTORIA', 'INFLOW'))).toEqual(['Income & Payments', 'Freelance'])
    expect(label(tx('UBER BV PAGO SOCIO', 'INFLOW'))).toEqual(['Income & Payments', 'Freelance'])
    expect(label(tx('PENSION ALIMENTICIA', 'INFLOW'))).toEqual(['Fees & Charges', 'Alimony'])
  })

  it('reads money-movement keywords: transfers, withdrawals, deposits, fees, interest, cards, loans', () => {
    expect(label(tx('SPEI ENVIADO JUAN PEREZ'))).toEqual(['Transfers', null])
    expect(label(tx('PIX ENVIADO MARIA SILVA', 'OUTFLOW', { country: 'BR' }))).toEqual(['Transfers', null])
    expect(label(tx('TED RECEBIDA JOAO', 'INFLOW', { country: 'BR' }))).toEqual(['Transfers', null])
    expect(label(tx('TRANSFERENCIA A TERCEROS', 'OUTFLOW', { country: 'CO' }))).toEqual(['Transfers', null])
    expect(label(tx('RETIRO CAJERO AUTOMATICO BBVA'))).toEqual(['Withdrawal & ATM', null])
    expect(label(tx('SAQUE 24H BANCO 24 HORAS', 'OUTFLOW', { country: 'BR' }))).toEqual(['Withdrawal & ATM', null])
    expect(label(tx('DEPOSITO EN EFECTIVO PRACTICAJA', 'INFLOW'))).toEqual(['Deposits', null])
    expect(label(tx('COMISION POR RETIRO CAJERO'))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('IVA COMISION ANUALIDAD'))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('TARIFA PACOTE DE SERVICOS', 'OUTFLOW', { country: 'BR' }))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('CUOTA DE MANEJO TARJETA', 'OUTFLOW', { country: 'CO' }))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('GMF 4X1000', 'OUTFLOW', { country: 'CO' }))).toEqual(['Taxes', 'Government Fees'])
    expect(label(tx('JUROS CHEQUE ESPECIAL', 'OUTFLOW', { country: 'BR' }))).toEqual(['Credits & Loans', 'Interest & Charges'])
    expect(label(tx('PAGO TDC BANAMEX'))).toEqual(['Credits & Loans', 'Credit Card'])
    expect(label(tx('PAGAMENTO FATURA CARTAO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Credits & Loans', 'Credit Card'])
    expect(label(tx('PRESTAMO PERSONAL CUOTA 3/12'))).toEqual(['Credits & Loans', 'Personal'])
    expect(label(tx('PARCELA EMPRESTIMO CONSIGNADO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Credits & Loans', 'Instalment'])
    expect(label(tx('INFONAVIT AMORTIZACION'))).toEqual(['Credits & Loans', 'Mortgage'])
    expect(label(tx('DEVOLUCION AMAZON MX', 'INFLOW'))).toEqual(['Fees & Charges', 'Refund'])
    expect(label(tx('ESTORNO COMPRA NETSHOES', 'INFLOW', { country: 'BR' }))).toEqual(['Fees & Charges', 'Refund'])
    expect(label(tx('BLOQUEIO JUDICIAL SISBAJUD', 'OUTFLOW', { country: 'BR' }))).toEqual(['Fees & Charges', 'Blocked Balances'])
  })

  it('reads taxes, rent, insurance and donations', () => {
    expect(label(tx('PAGO SAT DECLARACION ANUAL'))).toEqual(['Taxes', 'Income Tax'])
    expect(label(tx('DARF IRPF 2024', 'OUTFLOW', { country: 'BR' }))).toEqual(['Taxes', 'Income Tax'])
    expect(label(tx('PAGO DIAN IMPUESTOS', 'OUTFLOW', { country: 'CO' }))).toEqual(['Taxes', 'Income Tax'])
    expect(label(tx('IPVA 2025 SP', 'OUTFLOW', { country: 'BR' }))).toEqual(['Taxes', 'Auto Tax & Fees'])
    expect(label(tx('IMPUESTO PREDIAL CDMX'))).toEqual(['Taxes', 'Real Estate Tax & Fees'])
    expect(label(tx('RESTITUICAO IRPF', 'INFLOW', { country: 'BR' }))).toEqual(['Taxes', 'Tax Return'])
    expect(label(tx('PAGO RENTA DEPARTAMENTO'))).toEqual(['Bills & Utilities', 'Rent'])
    expect(label(tx('ALUGUEL APTO 12', 'OUTFLOW', { country: 'BR' }))).toEqual(['Bills & Utilities', 'Rent'])
    expect(label(tx('ARRIENDO APARTAMENTO', 'OUTFLOW', { country: 'CO' }))).toEqual(['Bills & Utilities', 'Rent'])
    expect(label(tx('SEGURO DE AUTO POLIZA 8812'))).toEqual(['Insurance', 'Auto Insurance'])
    expect(label(tx('PORTO SEGURO AUTO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Insurance', 'Auto Insurance'])
    expect(label(tx('DONACION CRUZ ROJA'))).toEqual(['Taxes', 'Donation'])
  })

  it('falls back on the MCC, the operation type, the counterparty and the account', () => {
    expect(categorize(tx('LOJA 123 ABC', 'OUTFLOW', { country: 'BR', mcc: 5812 }))).toMatchObject({
      category: 'Food & Groceries',
      subcategory: 'Restaurants',
      rule: 'mcc:5812',
    })
    expect(label(tx('XYZ COMERCIAL', 'OUTFLOW', { mcc: 4121 }))).toEqual(['Transport & Travel', 'Taxis & Rideshares'])
    expect(label(tx('XYZ COMERCIAL', 'OUTFLOW', { mcc: 3012 }))).toEqual(['Transport & Travel', 'Flights'])
    expect(label(tx('XYZ COMERCIAL', 'INFLOW', { mcc: 5411, accountCategory: 'CREDIT_CARD' }))).toEqual(['Fees & Charges', 'Refund'])
    expect(label(tx('JOAO DA SILVA', 'INFLOW', { country: 'BR', operationType: 'FOLHA_PAGAMENTO' }))).toEqual(['Income & Payments', 'Salary'])
    expect(label(tx('OPERACAO 123', 'OUTFLOW', { country: 'BR', operationType: 'TARIFA_SERVICOS_AVULSOS' }))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('JOAO DA SILVA', 'OUTFLOW', { country: 'BR', counterpartyDocument: '73677831148' }))).toEqual(['Transfers', null])
    expect(label(tx('ABC 123', 'INFLOW', { accountCategory: 'CREDIT_CARD' }))).toEqual(['Credits & Loans', 'Credit Card'])
    expect(label(tx('PAGO RECIBIDO SPEI', 'INFLOW', { accountCategory: 'CREDIT_CARD' }))).toEqual(['Credits & Loans', 'Credit Card'])
    expect(label(tx('PAGO RECIBIDO SPEI', 'INFLOW', { accountCategory: 'CHECKING_ACCOUNT' }))).toEqual(['Transfers', null])
  })

  it('reads what a transfer is for before the rail that carried it', () => {
    expect(label(tx('SPEI ENVIADO BANORTE MIGUEL HERNANDEZ PEREZ RENTA'))).toEqual(['Bills & Utilities', 'Rent'])
    expect(label(tx('TED ENVIADA JULIANA LIMA ALUGUEL MAIO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Bills & Utilities', 'Rent'])
    expect(label(tx('TRANSF NEQUI CAMILO GOMEZ ARRIENDO', 'OUTFLOW', { country: 'CO' }))).toEqual(['Bills & Utilities', 'Rent'])
    expect(categorize(tx('SPEI RECIBIDO/LUIS SANCHEZ PEREZ/RENTA 0425', 'INFLOW')).category).toBe('Income & Payments')
    expect(label(tx('DEP SPEI AGENCIA CREATIVA XOCHITL SC PAGO FACT 0093', 'INFLOW'))).toEqual(['Income & Payments', 'Freelance'])
    expect(label(tx('TRANSFERENCIA ACH RECIBIDA FELIPE LOPEZ DEVOLUCION PRESTAMO', 'INFLOW', { country: 'CO' }))).toEqual(['Transfers', null])
    expect(label(tx('SPEI ENVIADO BANORTE ANA PEREZ PEREZ PRESTAMO'))).toEqual(['Transfers', null])
    expect(label(tx('SPEI ENVIADO PAGO PRESTAMO 0425'))).toEqual(['Credits & Loans', 'Personal'])
    // Moves between one's own accounts are transfers, whichever account they land in.
    expect(label(tx('TRASLADO A CUENTA AHORROS 3344', 'OUTFLOW', { country: 'CO' }))).toEqual(['Transfers', null])
    expect(label(tx('TRASLADO DESDE CTA CORRIENTE 9090', 'INFLOW', { country: 'CO' }))).toEqual(['Transfers', null])
  })

  it('reads money from a company by transfer as income, money from a person as a transfer', () => {
    expect(categorize(tx('TED RECEBIDA 341 TECNOLOGIA CAPIVARA LTDA', 'INFLOW', { country: 'BR' })).category).toBe('Income & Payments')
    expect(categorize(tx('PIX RECEBIDO - ESTUDIO JABUTICABA ME', 'INFLOW', { country: 'BR' })).category).toBe('Income & Payments')
    expect(categorize(tx('ABONO TRANSFERENCIA AGENCIA MARIPOSA DIGITAL SAS', 'INFLOW', { country: 'CO' })).category).toBe('Income & Payments')
    expect(label(tx('PIX RECEBIDO - ANA OLIVEIRA PEREIRA', 'INFLOW', { country: 'BR' }))).toEqual(['Transfers', null])
    // SC is a Brazilian state, not a company, in Brazil.
    expect(label(tx('PIX RECEBIDO JOAO SILVA FLORIANOPOLIS SC', 'INFLOW', { country: 'BR' }))).toEqual(['Transfers', null])
  })

  it('unglues names a payment facilitator printed glued to the kind of shop', () => {
    expect(label(tx('PAG*PADARIAPAOQUENTE', 'OUTFLOW', { country: 'BR' }))).toEqual(['Food & Groceries', 'Bakery & Coffee'])
    expect(label(tx('MP*RESTAURANTEDAVOVO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Food & Groceries', 'Restaurants'])
    expect(label(tx('PAG*BARDOALEMAO', 'OUTFLOW', { country: 'BR' }))).toEqual(['Food & Groceries', 'Bars & Nightclubs'])
    expect(label(tx('PAG*BARCELONA', 'OUTFLOW', { country: 'BR' }))).toEqual(['Unknown', null])
  })

  it('reads telecom plans, SOAT, IOF and payroll loans by their real names', () => {
    expect(label(tx('TIM S A PLANO 0425', 'OUTFLOW', { country: 'BR' }))).toEqual(['Bills & Utilities', 'Telecommunications'])
    expect(label(tx('CLARO MOVEL 0425', 'OUTFLOW', { country: 'BR' }))).toEqual(['Bills & Utilities', 'Telecommunications'])
    expect(label(tx('SOAT SEGURO OBLIGATORIO 55120983', 'OUTFLOW', { country: 'CO' }))).toEqual(['Insurance', 'Auto Insurance'])
    expect(label(tx('IOF', 'OUTFLOW', { country: 'BR' }))).toEqual(['Fees & Charges', 'Bank Fees'])
    expect(label(tx('DEPOSITO CREDITO DE NOMINA', 'INFLOW'))).toEqual(['Credits & Loans', 'Personal'])
    expect(label(tx('SANBORNS CAFE 0042'))).toEqual(['Food & Groceries', 'Restaurants'])
  })

  it('answers Unknown with a low confidence when nothing fits', () => {
    const c = categorize(tx('XKCD QWERTY'))
    expect(c).toEqual({ category: 'Unknown', subcategory: null, merchant: null, confidence: 0.1, rule: 'unknown' })
    expect(categorize(tx(''))).toMatchObject({ category: 'Unknown' })
  })

  it('prefers the source’s merchant name, and keeps an unknown one as the merchant', () => {
    expect(categorize(tx('COMPRA 123', 'OUTFLOW', { merchantName: 'Starbucks' })).merchant?.name).toBe('Starbucks')
    expect(categorize(tx('COMPRA 123', 'OUTFLOW', { merchantName: 'Tienda Doña Rosa' })).merchant).toEqual({
      name: 'Tienda Doña Rosa',
      logo: null,
      website: null,
    })
  })

  it('never names a subcategory outside its category', () => {
    const samples = ['RETIRO', 'NOMINA', 'OXXO', 'SEGURO', 'PIX', 'IVA', 'RENTA', 'MERCADO', 'CINE', 'COMISION', 'ESTORNO', 'XYZ']
    for (const d of samples) {
      for (const type of ['INFLOW', 'OUTFLOW'] as const) {
        for (const mcc of [null, 5411, 6011, 7995, 9311]) {
          const c = categorize(tx(d, type, { mcc }))
          expect(fitsUnder(c.category, c.subcategory)).toBe(true)
          expect(c.confidence).toBeGreaterThanOrEqual(0)
          expect(c.confidence).toBeLessThanOrEqual(1)
        }
      }
    }
  })
})

describe('labelUncategorized', () => {
  const record = {
    internal_identification: 'T1',
    account_internal_identification: 'A1',
    value_date: '2025-05-02',
    amount: 89.9,
    currency: 'MXN',
    description: 'PAYPAL *SPOTIFY P2A3B4',
    type: 'OUTFLOW',
    balance: 1000,
    merchant: null,
    category: null,
    subcategory: null,
  }

  it('fills category, subcategory and merchant of a transaction the institution left uncategorized', () => {
    expect(labelUncategorized(record, 'multiregion', { country: 'MX', accountCategory: 'CHECKING_ACCOUNT' })).toEqual({
      ...record,
      category: 'Online Platforms & Leisure',
      subcategory: 'Movie & Audio',
      merchant: { logo: 'https://www.spotify.com/favicon.ico', website: 'https://www.spotify.com', merchant_name: 'Spotify' },
    })
    const { category: _c, subcategory: _s, merchant: _m, ...bare } = record
    expect(labelUncategorized(bare, 'multiregion')).toMatchObject({ category: 'Online Platforms & Leisure', subcategory: 'Movie & Audio' })
  })

  it('uses the account: an unlabelled inflow to a card is its bill payment', () => {
    const payment = { ...record, description: 'SU PAGO', type: 'INFLOW' }
    expect(labelUncategorized(payment, 'multiregion', { accountCategory: 'CREDIT_CARD' })).toMatchObject({
      category: 'Credits & Loans',
      subcategory: 'Credit Card',
    })
  })

  it('keeps the institution’s own category and merchant', () => {
    const labelled = { ...record, category: 'Transfers', subcategory: null }
    expect(labelUncategorized(labelled, 'multiregion')).toBe(labelled)
    const withMerchant = { ...record, merchant: { merchant_name: 'X', logo: null, website: null } }
    expect(labelUncategorized(withMerchant, 'ofda').merchant).toEqual({ merchant_name: 'X', logo: null, website: null })
  })
})
