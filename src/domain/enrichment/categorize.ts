import type { InstitutionRecord, WireShape } from '../../connectors/types.ts'
import { toEnrichTransactions } from './adapters.ts'
import { MERCHANTS, type MerchantCountry, type MerchantEntry } from './merchants.ts'
import { categoryOf, fitsUnder, type Category, type SpecificSubcategory, type Subcategory } from './taxonomy.ts'
import { normalizeDescription, type Direction, type EnrichTransaction } from './transactions.ts'

/**
 * Ponte's transaction categorizer (docs/enrichment.md, "Categorization"): Belvo's category,
 * subcategory and merchant for one transaction, with a confidence and the rule that decided.
 *
 * In order, the first that applies decides:
 * 1. decisive keywords (refunds, payroll, card bill payments, loans, ATM withdrawals, bank fees,
 *    interest, taxes...), which say what the money is for whoever is on the other side;
 * 2. the merchant dictionary (merchants.ts), matched on whole normalised tokens;
 * 3. the card's merchant category code (ISO 18245 ranges);
 * 4. descriptive keywords (the kind of shop: "farmacia", "supermercado", "posto"; transfers:
 *    SPEI, PIX, TED, "transferencia");
 * 5. the institution's operation type (Open Finance Brasil);
 * 6. the counterparty (a person's tax document: a transfer) and the account (an inflow to a card
 *    is a bill payment, movements of a loan account are the loan);
 * 7. otherwise Unknown, with a low confidence.
 * Pure: no I/O, no clock; the same transaction always gets the same answer.
 */

export interface CategorizedMerchant {
  name: string
  logo: string | null
  website: string | null
}

export interface Categorized {
  category: Category
  subcategory: Subcategory | null
  merchant: CategorizedMerchant | null
  /** 0..1: how sure the rule that decided is (docs/enrichment.md lists each rule's). */
  confidence: number
  /** Which rule decided: `keyword:salary`, `merchant:oxxo`, `mcc:5411`, `operation_type:SAQUE`, `unknown`... */
  rule: string
}

export interface CategorizeOptions {
  /** ISO 3166 alpha-2 (MX, BR, CO): limits the merchants to that country's. From the currency when absent. */
  country?: string
}

// ---------------------------------------------------------------------------------------------
// Matching whole token sequences.

type Tokens = readonly string[]

/** An index of token sequences by their first token, to find every phrase of a description in one pass. */
class PhraseIndex<T> {
  private readonly byFirst = new Map<string, { tokens: Tokens; value: T }[]>()

  add(phrase: string, value: T): void {
    const tokens = normalizeDescription(phrase).split(' ').filter(Boolean)
    if (tokens.length === 0) return
    const list = this.byFirst.get(tokens[0]) ?? []
    list.push({ tokens, value })
    this.byFirst.set(tokens[0], list)
  }

  has(token: string): boolean {
    return this.byFirst.has(token)
  }

  /** Every phrase found in `tokens`, with its position and length in tokens. */
  *find(tokens: Tokens): Generator<{ value: T; at: number; length: number; chars: number }> {
    for (let i = 0; i < tokens.length; i++) {
      const candidates = this.byFirst.get(tokens[i])
      if (!candidates) continue
      for (const { tokens: phrase, value } of candidates) {
        if (i + phrase.length > tokens.length) continue
        let ok = true
        for (let k = 1; k < phrase.length && ok; k++) ok = tokens[i + k] === phrase[k]
        if (ok) yield { value, at: i, length: phrase.length, chars: phrase.join(' ').length }
      }
    }
  }
}

/**
 * Domain suffixes glued to a name ("NETFLIXCOM", "AMAZONMX"): a token that is a known name plus one
 * of these is read as the name. The name must be a whole dictionary token of four letters or more.
 */
const GLUED_SUFFIXES = ['combr', 'commx', 'comco', 'com', 'br', 'mx', 'co']

/** Prepositions that glue a short kind of shop to its name ("BARDOALEMAO": bar do alemão). */
const GLUED_PREPOSITIONS = ['dos', 'das', 'del', 'do', 'da', 'de']

/**
 * A name a payment facilitator printed glued together ("PAG*SUPERMERCADOBOMPRECO",
 * "MP*RESTAURANTEDAVOVO"): the keyword it starts with, and the rest. The keyword must be of five
 * letters or more, or be followed by a preposition; the rest keeps three letters or more.
 */
function ungluePrefix(token: string, keyword: (token: string) => boolean): string[] | null {
  if (token.length < 8) return null
  for (let end = token.length - 3; end >= 3; end--) {
    const head = token.slice(0, end)
    if (!keyword(head)) continue
    const rest = token.slice(end)
    if (end >= 5 || GLUED_PREPOSITIONS.some((p) => rest.startsWith(p) && rest.length - p.length >= 3)) return [head, rest]
  }
  return null
}

/** The tokens of a normalised text, names glued to a domain suffix or a kind of shop unglued. */
function tokensOf(normalized: string, known: (token: string) => boolean, keyword: (token: string) => boolean = () => false): string[] {
  const tokens = normalized.split(' ').filter(Boolean)
  return tokens.flatMap((token) => {
    if (known(token)) return [token]
    for (const suffix of GLUED_SUFFIXES) {
      if (token.length - suffix.length >= 4 && token.endsWith(suffix)) {
        const stem = token.slice(0, -suffix.length)
        if (known(stem)) return [stem]
      }
    }
    return ungluePrefix(token, keyword) ?? [token]
  })
}

// ---------------------------------------------------------------------------------------------
// The merchant dictionary.

const MERCHANT_INDEX = new PhraseIndex<MerchantEntry>()
for (const merchant of MERCHANTS) {
  for (const alias of merchant.aliases) {
    MERCHANT_INDEX.add(alias, merchant)
    // Banks print names glued together too ("MERCADOLIBRE", "BURGERKING", "SMARTFIT").
    const glued = normalizeDescription(alias).replaceAll(' ', '')
    if (glued.length >= 6 && glued !== normalizeDescription(alias)) MERCHANT_INDEX.add(glued, merchant)
  }
}

/** The merchant a description names: the longest alias wins; a wallet only when nothing else is named. */
function findMerchant(tokens: Tokens, country: MerchantCountry | null): MerchantEntry | null {
  let best: { merchant: MerchantEntry; score: number } | null = null
  for (const hit of MERCHANT_INDEX.find(tokens)) {
    if (country && !hit.value.countries.includes(country)) continue
    // Through a wallet (MERCADO PAGO *UBER) the merchant is the one after it.
    const score = (hit.value.inflow === 'Transfers' ? 0 : 10_000) + hit.length * 100 + hit.chars - hit.at / 100
    if (!best || score > best.score) best = { merchant: hit.value, score }
  }
  return best?.merchant ?? null
}

const PUBLIC_SUFFIX = /\.(?:com|gob|gov|org|net|coop|edu|ba|df)(?:\.(?:br|mx|co))?$|\.(?:br|mx|co|com|net|org|us|so|vc|mx|delivery)$/

/**
 * A merchant's website and logo from its domain: `https://www.<domain>` (no `www.` when the domain
 * already names a host, as `metro.cdmx.gob.mx`), and the site's `/favicon.ico` as its logo. No
 * network call: a stable URL by that documented pattern.
 */
export function merchantWire(merchant: MerchantEntry): CategorizedMerchant {
  let wire = WIRES.get(merchant)
  if (!wire) {
    wire = wireOf(merchant)
    WIRES.set(merchant, wire)
  }
  return { ...wire }
}

const WIRES = new Map<MerchantEntry, CategorizedMerchant>()

function wireOf(merchant: MerchantEntry): CategorizedMerchant {
  if (!merchant.domain) return { name: merchant.name, logo: null, website: null }
  const [host, ...path] = merchant.domain.split('/')
  const origin = `https://${host.replace(PUBLIC_SUFFIX, '').includes('.') ? host : `www.${host}`}`
  return { name: merchant.name, logo: `${origin}/favicon.ico`, website: path.length ? `${origin}/${path.join('/')}` : origin }
}

// ---------------------------------------------------------------------------------------------
// Keyword rules.

interface Outcome {
  category: Category
  subcategory: Subcategory | null
}

interface KeywordRule {
  id: string
  phrases: string[]
  direction?: Direction
  outcome: Outcome
  confidence: number
}

const sub = (subcategory: SpecificSubcategory): Outcome => ({ category: categoryOf(subcategory), subcategory })
const cat = (category: Category, subcategory: Subcategory | null = null): Outcome => ({ category, subcategory })

function rule(id: string, phrases: string, outcome: Outcome, confidence: number, direction?: Direction): KeywordRule {
  return { id, phrases: phrases.split('|').map((p) => p.trim()), outcome, confidence, ...(direction ? { direction } : {}) }
}

/**
 * Decisive keywords: what the money is for, whoever is on the other side ("DEVOLUCION AMAZON" is a
 * refund, "PAGO TDC BANAMEX" a card bill). Checked before the merchant dictionary, in this order.
 */
const DECISIVE: readonly KeywordRule[] = [
  rule(
    'blocked_balance',
    'bloqueio judicial|bloqueo judicial|embargo judicial|bloqueio bacenjud|bacenjud|sisbajud|retencion judicial|embargo de cuenta',
    sub('Blocked Balances'),
    0.9,
  ),
  rule('alimony', 'pension alimenticia|pensao alimenticia|pension alimentaria|cuota alimentaria|alimentos judiciales', sub('Alimony'), 0.9),
  rule('chargeback', 'contracargo|chargeback|contestacao|contestacion de cargo|aclaracion abono|cargo no reconocido', sub('Chargeback'), 0.9, 'INFLOW'),
  // A person paying back what they were lent is money between people, not a merchant's refund.
  rule(
    'loan_repaid',
    'devolucion prestamo|devolucion de prestamo|devolucao emprestimo|devolucao de emprestimo|pago de prestamo personal',
    cat('Transfers'),
    0.8,
    'INFLOW',
  ),
  rule(
    'refund',
    'devolucion|devolucao|devol|estorno|reembolso|reembolsos|reintegro|reverso|reversa|reversion|cancelamento compra|cancelacion compra|compra cancelada',
    sub('Refund'),
    0.9,
    'INFLOW',
  ),
  rule(
    'adjustment',
    'cashback|cash back|bonificacion|ajuste|ajustes|ajuste a favor|abono ajuste|correccion|acerto|credito promocional|recompensa|rewards',
    sub('Adjustments'),
    0.85,
  ),
  rule(
    'tax_return',
    'restituicao irpf|restituicao imposto|restituicao ir|devolucion sat|devolucion de impuestos|saldo a favor|devolucion dian|devolucion iva',
    sub('Tax Return'),
    0.95,
    'INFLOW',
  ),
  rule(
    'pay_advance',
    'adelanto de nomina|adelanto nomina|adelanto de sueldo|adelanto salarial|anticipo de nomina|antecipacao salarial|adiantamento salarial|adiantamento de salario|avance de nomina',
    sub('Pay Advance'),
    0.9,
  ),
  rule(
    'salary',
    'nomina|nominas|sueldo|sueldos|salario|salarios|salary|payroll|pago de nomina|abono nomina|deposito nomina|credito salario|folha de pagamento|folha pagamento|pagamento salario|remuneracao|vencimentos|proventos|ordenado|quincena|aguinaldo|decimo terceiro salario|prima de servicios|prima legal|plr|participacao nos lucros|ferias|vacaciones pagadas|liquidacion laboral|finiquito|cesantias|intereses cesantias|pago empleados',
    sub('Salary'),
    0.9,
    'INFLOW',
  ),
  rule(
    'retirement',
    'pension|pensiones|mesada pensional|mesadas pensionales|jubilacion|aposentadoria|aposentado|inss beneficio|beneficio inss|credito inss|inss|imss pension|pension imss|colpensiones|pension vejez|retiro afore|afore retiro|previdencia privada resgate|pensao inss',
    sub('Retirement'),
    0.9,
    'INFLOW',
  ),
  rule(
    'government_benefit',
    'bolsa familia|bpc|loas|bpc loas|salario maternidade|auxilio doenca|seguro defeso|pe de meia|vale gas|auxilio gas|auxilio brasil|auxilio emergencial|seguro desemprego|seguro desempleo|abono salarial|pis pasep|saque fgts|fgts|bienestar|pension bienestar|becas benito juarez|beca benito juarez|jovenes construyendo|familias en accion|ingreso solidario|renta ciudadana|colombia mayor|devolucion iva bienestar|subsidio|prestacion social|beneficio social|programa social',
    sub('Government'),
    0.9,
    'INFLOW',
  ),
  // A move between the person's own accounts is a transfer, whichever account it lands in
  // ("TRASLADO A CUENTA AHORROS" is not a saving product, "TRASLADO DESDE CTA CORRIENTE" not income).
  rule(
    'own_account',
    'traslado|traslados|traslado a cuenta|traslado desde|traslado entre cuentas|traspaso entre cuentas|traspaso entre mis cuentas|entre mis cuentas|transferencia entre cuentas propias|transferencia entre contas|mesma titularidade|misma titularidad',
    cat('Transfers'),
    0.85,
  ),
  rule(
    'credit_card_payment',
    'pago tarjeta|pago a tarjeta|pago a tdc|pago a tc|abono a tarjeta|pago a tarjeta de credito|pagamento de cartao|pgto cartao credito|pagto cartao|pgto cartao|pago tarjeta de credito|pago tarjeta credito|pago tdc|pago tc|pago de tarjeta|abono tarjeta|pago minimo tarjeta|pagamento fatura|pagamento de fatura|pgto fatura|pag fatura|pagto fatura|fatura cartao|pagamento cartao de credito|pagamento cartao|pag cartao credito|pago de su tarjeta|pago recibido gracias|pago realizado tarjeta|su pago gracias|gracias por su pago',
    sub('Credit Card'),
    0.9,
  ),
  rule(
    'mortgage',
    'hipoteca|credito hipotecario|hipotecario|infonavit|fovissste|financiamento imobiliario|financiamento habitacional|credito habitacional|credito de vivienda|leasing habitacional|prestamo hipotecario',
    sub('Mortgage'),
    0.9,
  ),
  rule(
    'auto_loan',
    'credito automotriz|credito automotor|financiamento veiculo|financiamento de veiculo|financiamento auto|prestamo vehicular|credito vehicular|cdc veiculo|leasing vehiculo',
    sub('Auto'),
    0.9,
  ),
  rule(
    'instalment',
    'parcela|parcelas|parcelamento|mensualidad credito|cuota credito|cuota prestamo|meses sin intereses|msi|diferido a meses',
    sub('Instalment'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'personal_loan',
    'prestamo|prestamos|emprestimo|emprestimos|credito pessoal|credito personal|credito nomina|credito de nomina|prestamo de nomina|prestamo nomina|consignado|credito consignado|libranza|desembolso credito|desembolso prestamo|abono credito|pago credito|pago de credito|pago prestamo|cuota de credito|financiamiento|financiamento|credito libre inversion|libre inversion|microcredito',
    sub('Personal'),
    0.85,
  ),
  rule(
    'interest_charges',
    'intereses moratorios|interes moratorio|juros|juros rotativo|juros cheque especial|encargos|encargos financeiros|mora|multa atraso|multa por atraso|intereses|interes|intereses tarjeta|interes financiero|intereses corrientes|cargo por intereses|cheque especial',
    sub('Interest & Charges'),
    0.85,
    'OUTFLOW',
  ),
  rule(
    'interest_income',
    'intereses|interes|interes ganado|intereses ganados|rendimiento|rendimientos|rendimentos|rendimento|juros|rend poupanca|rendimento poupanca|dividendos|dividendo|jcp|juros sobre capital|intereses cuenta|rendimientos cuenta',
    sub('Interest'),
    0.85,
    'INFLOW',
  ),
  rule(
    'bank_fees',
    'comision|comisiones|comision por|iof|iof adicional|iof diario|iva comision|iva comisiones|iva por comision|tarifa|tarifas|tarifa bancaria|cesta de servicos|cesta servicos|pacote de servicos|pacote servicos|manutencao de conta|manutencao conta|anuidade|anualidad|cuota de manejo|cuota manejo|membresia tarjeta|cargo por servicio|cargo por manejo|cobro comision|servicio bancario|mensalidade pacote|tarifa ted|tarifa pix|tarifa doc|tarifa saque|tarifa manutencao|comision spei|comision retiro',
    sub('Bank Fees'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'atm',
    'retiro cajero|retiro en cajero|retiro atm|retiro efectivo|retiro de efectivo|retiro sin tarjeta|retiro|saque|saque atm|saque banco|saque dinheiro|saque caixa|atm|cajero|cajero automatico|banco veinticuatro horas|disposicion efectivo|disposicion de efectivo|avance efectivo|avance en efectivo|retiro corresponsal',
    cat('Withdrawal & ATM'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'financial_tax',
    'gmf|cuatroxmil|gravamen movimientos financieros|gravamen movimiento financiero|impuesto gmf|isr retenido|retencion isr|retencion en la fuente',
    sub('Government Fees'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'income_tax',
    'impuesto sobre la renta|isr|declaracion anual|imposto de renda|irpf|darf|carne leao|impuesto de renta|declaracion de renta|retefuente|pago sat|pago impuestos federales|pago referenciado sat|sat|dian|receita federal|simples nacional|das simples|das mei|mei das',
    sub('Income Tax'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'auto_tax',
    'ipva|tenencia|refrendo|licenciamento|dpvat|impuesto vehicular|impuesto de vehiculos|impuesto vehiculo|control vehicular|placas',
    sub('Auto Tax & Fees'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'real_estate_tax',
    'iptu|predial|impuesto predial|impuesto predial unificado|predial unificado|itbi|valorizacion',
    sub('Real Estate Tax & Fees'),
    0.9,
    'OUTFLOW',
  ),
  rule(
    'government_fees',
    'impuesto|impuestos|imposto|impostos|tributo|tributos|tesoreria|secretaria de finanzas|secretaria de hacienda|sefaz|icms|iss|issqn|multa transito|multa de transito|multas|fotomulta|simit|derechos|pasaporte|registro civil|cartorio|notaria|gru|gps inss|inss|imss|cuotas imss|issste|sua imss|pila|aportes seguridad social|seguridad social|iva|iva por pagar|prefeitura|alcaldia|municipio|gobierno',
    sub('Government Fees'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'donation',
    'donacion|donaciones|doacao|doacoes|donativo|teleton|cruz roja|unicef|medicos sin fronteras|greenpeace|dizimo|diezmo|ofrenda|oferta igreja|caritas',
    sub('Donation'),
    0.9,
    'OUTFLOW',
  ),
]

/**
 * Descriptive keywords: the kind of counterpart or movement, when no merchant was recognised
 * ("FARMACIA SAN JORGE", "SPEI ENVIADO", "AUTO POSTO XYZ"). Checked after the dictionary and MCC.
 */
const DESCRIPTIVE: readonly KeywordRule[] = [
  rule('rent_income', 'aluguel|aluguer|renta|arriendo|arrendamiento|alquiler|locacao', cat('Income & Payments', 'Other'), 0.7, 'INFLOW'),
  rule(
    'rent',
    'aluguel|renta|arriendo|arrendamiento|alquiler|locacao|condominio|cuota de mantenimiento|administracion conjunto|administracion edificio|taxa condominial',
    sub('Rent'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'freelance',
    'honorarios|servicos prestados|servicios prestados|pago por servicios|pagamento por servicos|consultoria|asesoria|honorario|servicios profesionales|prestacao de servicos|prestacion de servicios|freelance|freelancer|pago proveedor|comisiones por venta|nota fiscal|factura|pago fact|pago factura|pago de factura|cuenta de cobro|upwork|fiverr|workana|deel|payoneer|remessa exterior',
    sub('Freelance'),
    0.75,
    'INFLOW',
  ),
  rule(
    'electricity',
    'luz|energia|energia electrica|energia eletrica|electricidad|eletricidade|conta de luz|recibo de luz|gas natural|gas lp|gas domestico|conta de gas|servicio de gas',
    sub('Electricity & Energy'),
    0.8,
    'OUTFLOW',
  ),
  rule('water', 'agua|agua potable|acueducto|alcantarillado|saneamento|saneamiento|conta de agua|recibo de agua|aseo', sub('Water'), 0.8, 'OUTFLOW'),
  rule(
    'telecom',
    'telefone|telefono|telefonia|internet|celular|movil|plan celular|recarga celular|recarga|recarga telefonica|tv a cabo|tv por cable|cable|banda larga|fibra optica|plano celular|plano movel|conta telefone',
    sub('Telecommunications'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'insurance_auto',
    'soat|seguro obligatorio|seguro obligatorio de accidentes de transito|seguro auto|seguro de auto|seguro automovel|seguro veiculo|seguro vehiculo|seguro carro|seguro de carro|seguro automotriz|poliza auto',
    sub('Auto Insurance'),
    0.85,
    'OUTFLOW',
  ),
  rule(
    'insurance_health',
    'seguro de vida|seguro vida|seguro medico|gastos medicos|gastos medicos mayores|seguro de salud|plano de saude|plano saude|medicina prepagada|poliza de vida|seguro funerario|seguro saude',
    sub('Health & Life Insurance'),
    0.85,
    'OUTFLOW',
  ),
  rule(
    'insurance_home',
    'seguro hogar|seguro de hogar|seguro casa|seguro residencial|seguro residencia|seguro de casa|seguro incendio',
    sub('Home Insurance'),
    0.85,
    'OUTFLOW',
  ),
  rule('insurance', 'seguro|seguros|poliza|apolice|aseguradora|seguradora|prima de seguro|premio seguro', cat('Insurance', 'Other'), 0.75, 'OUTFLOW'),
  rule(
    'crypto',
    'bitcoin|btc|cripto|crypto|criptomoneda|criptomoedas|binance|bitso|mercado bitcoin|foxbit|buenbit|coinbase|ethereum',
    sub('Cryptocurrencies'),
    0.85,
  ),
  rule(
    'investment_funds',
    'fondo de inversion|fondos de inversion|fundo de investimento|fundos|fondo|fic|fi renda|previdencia privada|pgbl|vgbl|fiducuenta|fondo voluntario',
    sub('Investment Funds'),
    0.8,
  ),
  rule(
    'fixed_income',
    'cdb|lci|lca|tesouro direto|tesouro|cetes|cetesdirecto|bonos|pagare|pagare bancario|cdt|deposito a plazo|plazo fijo|renda fixa|debenture|debentures',
    sub('Fixed income'),
    0.85,
  ),
  rule(
    'equity',
    'acciones|compra acciones|acoes|bolsa de valores|corretora|casa de bolsa|gbm|xp investimentos|rico investimentos|clear corretora|btg pactual|trii|hapi',
    sub('Equity'),
    0.8,
  ),
  rule(
    'savings',
    'afore|aportacion afore|aportacion voluntaria|aportaciones voluntarias|poupanca|ahorro|ahorros|cuenta de ahorro|apartado|cajita|cajitas|guardadito|caixinha|cofrinho|bolsillo|meta de ahorro|aplicacao|aplicacao automatica|resgate|resgate automatico|inversion|investimento',
    sub('Savings'),
    0.75,
  ),
  rule(
    'education',
    'colegiatura|colegio|escuela|escola|escola de musica|escuela de musica|academia de musica|clases de|aulas de|universidad|universidade|faculdade|mensalidade escolar|matricula|pension escolar|instituto|academia de idiomas|curso|cursos|kinder|guarderia|creche|educacion|educacao|libros escolares|uniformes escolares',
    sub('Education'),
    0.8,
    'OUTFLOW',
  ),
  rule('pharmacies', 'farmacia|farmacias|drogaria|drogarias|drogueria|droguerias|botica', sub('Pharmacies'), 0.85, 'OUTFLOW'),
  rule(
    'health',
    'hospital|clinica|consultorio|medico|medica|dentista|dental|odontologia|odontologico|laboratorio|laboratorio clinico|analisis clinicos|optica|otica|psicologo|psicologia|fisioterapia|nutriologo|nutricionista|radiologia|ultrasonido|eps|ips',
    sub('Health'),
    0.8,
    'OUTFLOW',
  ),
  rule('gyms', 'gimnasio|gym|academia|crossfit|pilates|yoga|box fitness|fitness|spinning|natacion|natacao', sub('Gyms & Fitness'), 0.8, 'OUTFLOW'),
  rule(
    'beauty',
    'peluqueria|salon de belleza|estetica|barberia|barbearia|salao|salao de beleza|manicure|unas|spa|cosmeticos|perfumeria|perfumaria|maquillaje|depilacion',
    sub('Hair & Beauty'),
    0.8,
    'OUTFLOW',
  ),
  rule('laundry', 'lavanderia|tintoreria|lavasecos|lavanderia express|lavaseco', sub('Laundry & Dry Cleaning'), 0.85, 'OUTFLOW'),
  rule('veterinary', 'veterinaria|veterinario|clinica veterinaria|hospital veterinario|vet', sub('Veterinary Services'), 0.85, 'OUTFLOW'),
  rule('pets', 'pet shop|petshop|mascotas|tienda de mascotas|racao|alimento para mascotas|pet center', sub('Pet Supplies'), 0.8, 'OUTFLOW'),
  rule(
    'professional',
    'abogado|abogados|advogado|advocacia|contador|contadores|contabilidad|contabilidade|notario|despacho|consultoria|asesoria|assessoria|arquitecto|ingenieria',
    sub('Professional Services'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'home',
    'ferreteria|ferragem|ferragens|material de construcao|materiales de construccion|muebleria|mueblerias|moveis|muebles|decoracion|decoracao|eletrodomesticos|electrodomesticos|colchones|colchoes|tlapaleria|home center|pintura|pinturas|vidraceria|marmoraria',
    sub('Home Decor & Appliances'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'groceries',
    'supermercado|supermercados|super mercado|hipermercado|mercado|mercearia|minimercado|minisuper|mini super|abarrotes|tienda de abarrotes|hortifruti|sacolao|verdureria|fruteria|carniceria|acougue|peixaria|pescaderia|atacadista|atacado|mercearia|emporio|autoservicio|tienda|tiendita|fruver|granero|supermercadista',
    sub('Groceries'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'convenience',
    'conveniencia|loja de conveniencia|tienda de conveniencia|minimarket|kiosco|quiosque|bomboniere|estanquillo|miscelanea',
    sub('Convenience Store'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'bakery',
    'panaderia|padaria|pasteleria|confiteria|doceria|cafeteria|cafe|coffee|cafes|reposteria|panificadora|panificacao|confeitaria|bakery|chocolates|chocolateria',
    sub('Bakery & Coffee'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'bars',
    'bar|bares|cantina|pub|boteco|botequim|antro|cerveceria|cervejaria|choperia|discoteca|night club|nightclub|taberna|mezcaleria|licores bar|balada|gastrobar',
    sub('Bars & Nightclubs'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'alcohol',
    'licoreria|licores|vinos|vinoteca|adega|distribuidora de bebidas|bebidas|cerveza|cervezas|deposito de cerveza|tabaqueria|tabacaria|cigarros|vinhos|expendio',
    sub('Alcohol & Tobacco'),
    0.75,
    'OUTFLOW',
  ),
  rule('delivery', 'delivery|domicilio|domicilios|a domicilio|entrega a domicilio', sub('Delivery'), 0.7, 'OUTFLOW'),
  rule(
    'restaurants',
    'restaurante|restaurantes|restaurant|rest|taqueria|tacos|torteria|pizzeria|pizzaria|pizza|lanchonete|lanches|churrascaria|churrasco|comida|comidas|cocina|fonda|loncheria|marisqueria|sushi|hamburguesa|hamburguesas|hamburgueria|burger|pollos|asadero|corrientazo|parrilla|steakhouse|bistro|trattoria|buffet|self service|comida rapida|food|grill|wings|pastelaria|creperia|heladeria|sorveteria|helados|paleteria|acai|food truck',
    sub('Restaurants'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'gas',
    'gasolinera|gasolineria|gasolina|combustible|combustivel|posto|auto posto|posto de gasolina|posto de combustivel|estacion de servicio|eds|servicentro|diesel|etanol|gnv|abastecimento',
    sub('Gas'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'parking_tolls',
    'estacionamiento|estacionamento|parqueadero|parqueo|parking|peaje|peajes|pedagio|caseta|autopista|rodovia|concesionaria|concessionaria rodovia|zona azul|valet',
    sub('Parking & Tolls'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'auto_expenses',
    'taller|taller mecanico|oficina mecanica|mecanica|autopecas|autopartes|refaccionaria|refacciones|llantera|llantas|pneus|borracharia|vulcanizadora|lava jato|lava rapido|lavado de autos|autolavado|lavadero|car wash|verificacion vehicular|afinacion|funilaria|lubricentro|cambio de aceite',
    sub('Auto Expenses'),
    0.8,
    'OUTFLOW',
  ),
  rule('taxis', 'taxi|taxis|radio taxi|radiotaxi|mototaxi|transporte privado', sub('Taxis & Rideshares'), 0.8, 'OUTFLOW'),
  rule(
    'transit',
    'metro|metrobus|onibus|autobus|autobuses|camion|transporte publico|passagem|pasaje|bilhete|recarga transporte|tren|trem|tren ligero|brt|colectivo|bus',
    sub('Public Transit'),
    0.7,
    'OUTFLOW',
  ),
  rule(
    'flights',
    'aerolinea|aerolineas|linhas aereas|airlines|airline|vuelo|voo|passagem aerea|boleto de avion|tiquete aereo|aeropuerto|aeroporto',
    sub('Flights'),
    0.8,
    'OUTFLOW',
  ),
  rule('lodging', 'hotel|hoteles|hoteis|hostal|hostel|pousada|posada|motel|resort|hospedaje|hospedagem|alojamiento', sub('Accommodation'), 0.8, 'OUTFLOW'),
  rule(
    'car_rental',
    'renta de autos|renta de carros|aluguel de carro|aluguel de veiculos|alquiler de carros|alquiler de vehiculos|rent a car|locadora de veiculos|locadora',
    sub('Auto Rental'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'clothing',
    'boutique|ropa|roupas|moda|modas|calzado|calcados|zapateria|sapataria|zapatos|sapatos|joyeria|joalheria|relojeria|optica de moda|lenceria|vestuario|confecciones|confeccoes|tenis',
    sub('Clothing & Accessories'),
    0.75,
    'OUTFLOW',
  ),
  rule(
    'electronics',
    'electronica|eletronicos|electronicos|celulares|informatica|computo|computadoras|tecnologia|games store|videojuegos',
    sub('Electronics'),
    0.7,
    'OUTFLOW',
  ),
  rule(
    'department',
    'departamental|tienda departamental|lojas de departamento|magazine|almacen|almacenes|bazar|variedades|todo a',
    sub('Department Store'),
    0.7,
    'OUTFLOW',
  ),
  rule(
    'books',
    'libreria|livraria|libros|livros|revista|revistas|periodico|jornal|editorial|suscripcion periodico|banca de jornal',
    sub('Books & News'),
    0.8,
    'OUTFLOW',
  ),
  rule(
    'office',
    'papeleria|papelaria|papelerias|copias|fotocopias|xerox|impresiones|grafica|imprenta|utiles escolares|material escolar|articulos de oficina',
    sub('Office Supplies'),
    0.8,
    'OUTFLOW',
  ),
  rule('gifts', 'regalos|presentes|floreria|floricultura|flores|jugueteria|juguetes|brinquedos|souvenirs|artesanias|detalles', sub('Gifts'), 0.75, 'OUTFLOW'),
  rule(
    'events',
    'cine|cinema|teatro|museo|museu|zoologico|zoologico|parque|parque de diversiones|boletos|ingressos|entradas|concierto|show|festival|evento|eventos|bowling|boliche|acuario|aquario',
    sub('Events, Parks and Museums'),
    0.75,
    'OUTFLOW',
  ),
  rule('gambling', 'casino|cassino|apuestas|apostas|bet|bingo|sportsbook|jogo do bicho', sub('Gambling'), 0.8, 'OUTFLOW'),
  rule('lottery', 'loteria|loterias|loterica|sorteo|sorteio|rifa|raspadinha|chance', sub('Lottery'), 0.8, 'OUTFLOW'),
  rule('streaming', 'streaming|suscripcion|assinatura|subscription|premium', sub('Apps, Software and Cloud Services'), 0.55, 'OUTFLOW'),
  rule(
    'ecommerce',
    'compra online|compra en linea|compra internet|loja virtual|tienda online|tienda en linea|marketplace|ecommerce|e commerce',
    sub('E-commerce'),
    0.7,
    'OUTFLOW',
  ),
  rule(
    'deposit',
    'deposito|depositos|deposito en efectivo|deposito efectivo|deposito em dinheiro|deposito dinheiro|deposito em especie|deposito cheque|deposito de cheque|consignacion|consignacion en efectivo|deposito ventanilla|deposito corresponsal|deposito oxxo|deposito practicaja|deposito cajero|practicaja',
    cat('Deposits'),
    0.8,
    'INFLOW',
  ),
  rule(
    'transfer',
    'transferencia|interbancario|interbancaria|recebimento|recebimento pix|pix recebimento|transf entre contas|transferencias|transferencia interbancaria|transf|transfer|deposito spei|deposito tef|deposito pix|deposito transferencia|deposito de terceros|deposito terceros|dep spei|traspaso|traspasos|trasferencia|spei|spei enviado|spei recibido|codi|dimo|ted|doc|tef|pix|pix enviado|pix recebido|pix transf|transferencia pix|envio|enviado|recibido|recebido|transferencia enviada|transferencia recibida|transf recebida|transf enviada|pse|ach|nequi|daviplata|bre b|transfiya|entre cuentas|entre contas|mesma titularidade|misma titularidad|cuenta propia|conta propria|pago a terceros|pago terceros|abono|abono de|credito em conta|envio de dinero|giro|giros|remesa|remesas|western union|moneygram|ria',
    cat('Transfers'),
    0.75,
  ),
]

/** What an inflow from a dictionary merchant means, by the merchant's kind. */
function merchantInflow(merchant: MerchantEntry): { outcome: Outcome; confidence: number; rule: string } {
  const slug = slugOf(merchant.name)
  if (merchant.inflow === 'Freelance') return { outcome: sub('Freelance'), confidence: 0.85, rule: `merchant_income:${slug}` }
  if (merchant.inflow === 'Transfers') return { outcome: cat('Transfers'), confidence: 0.7, rule: `merchant_transfer:${slug}` }
  if (categoryOf(merchant.subcategory) === 'Taxes') return { outcome: sub('Tax Return'), confidence: 0.85, rule: `merchant_refund:${slug}` }
  return { outcome: sub('Refund'), confidence: 0.7, rule: `merchant_refund:${slug}` }
}

// ---------------------------------------------------------------------------------------------
// Merchant category codes (ISO 18245).

type MccTarget = SpecificSubcategory | Outcome

/** MCC ranges, both ends included; the first range that holds the code decides. */
const MCC_RANGES: readonly [number, number, MccTarget][] = [
  [742, 742, 'Veterinary Services'],
  [1520, 1799, 'Professional Services'],
  [3000, 3350, 'Flights'],
  [3351, 3500, 'Auto Rental'],
  [3501, 3999, 'Accommodation'],
  [4011, 4011, cat('Transport & Travel', 'Other')],
  [4111, 4112, 'Public Transit'],
  [4121, 4121, 'Taxis & Rideshares'],
  [4131, 4131, 'Public Transit'],
  [4411, 4411, 'Accommodation'],
  [4457, 4468, cat('Transport & Travel', 'Other')],
  [4511, 4582, 'Flights'],
  [4722, 4722, 'Accommodation'],
  [4784, 4784, 'Parking & Tolls'],
  [4812, 4815, 'Telecommunications'],
  [4816, 4816, 'Apps, Software and Cloud Services'],
  [4821, 4821, 'Telecommunications'],
  [4829, 4829, cat('Transfers')],
  [4899, 4899, 'Telecommunications'],
  [4900, 4900, 'Electricity & Energy'],
  [5013, 5013, 'Auto Expenses'],
  [5021, 5021, 'Home Decor & Appliances'],
  [5044, 5044, 'Office Supplies'],
  [5045, 5045, 'Electronics'],
  [5111, 5111, 'Office Supplies'],
  [5122, 5122, 'Pharmacies'],
  [5192, 5192, 'Books & News'],
  [5193, 5193, 'Gifts'],
  [5200, 5261, 'Home Decor & Appliances'],
  [5262, 5262, 'E-commerce'],
  [5300, 5300, 'Groceries'],
  [5309, 5399, 'Department Store'],
  [5411, 5411, 'Groceries'],
  [5422, 5422, 'Groceries'],
  [5441, 5441, 'Bakery & Coffee'],
  [5451, 5451, 'Groceries'],
  [5462, 5462, 'Bakery & Coffee'],
  [5499, 5499, 'Convenience Store'],
  [5511, 5599, 'Auto Expenses'],
  [5541, 5542, 'Gas'],
  [5611, 5699, 'Clothing & Accessories'],
  [5712, 5722, 'Home Decor & Appliances'],
  [5732, 5734, 'Electronics'],
  [5735, 5735, 'Movie & Audio'],
  [5811, 5812, 'Restaurants'],
  [5813, 5813, 'Bars & Nightclubs'],
  [5814, 5814, 'Restaurants'],
  [5815, 5815, 'Books & News'],
  [5816, 5816, 'Gaming'],
  [5817, 5818, 'Apps, Software and Cloud Services'],
  [5912, 5912, 'Pharmacies'],
  [5921, 5921, 'Alcohol & Tobacco'],
  [5931, 5931, 'Clothing & Accessories'],
  [5940, 5941, 'Clothing & Accessories'],
  [5942, 5942, 'Books & News'],
  [5943, 5943, 'Office Supplies'],
  [5944, 5944, 'Clothing & Accessories'],
  [5945, 5947, 'Gifts'],
  [5948, 5949, 'Clothing & Accessories'],
  [5950, 5950, 'Home Decor & Appliances'],
  [5960, 5960, cat('Insurance', 'Other')],
  [5962, 5962, 'Accommodation'],
  [5963, 5969, 'E-commerce'],
  [5970, 5971, 'Gifts'],
  [5972, 5973, 'Gifts'],
  [5975, 5976, 'Health'],
  [5977, 5977, 'Hair & Beauty'],
  [5983, 5983, 'Electricity & Energy'],
  [5992, 5992, 'Gifts'],
  [5993, 5993, 'Alcohol & Tobacco'],
  [5994, 5994, 'Books & News'],
  [5995, 5995, 'Pet Supplies'],
  [5996, 5996, 'Home Decor & Appliances'],
  [5997, 5998, 'Home Decor & Appliances'],
  [5999, 5999, cat('Personal Shopping', 'Other')],
  [6010, 6011, cat('Withdrawal & ATM')],
  [6051, 6051, 'Cryptocurrencies'],
  [6211, 6211, 'Equity'],
  [6300, 6399, cat('Insurance', 'Other')],
  [6513, 6513, 'Rent'],
  [6540, 6540, cat('Transfers')],
  [7011, 7033, 'Accommodation'],
  [7210, 7217, 'Laundry & Dry Cleaning'],
  [7230, 7230, 'Hair & Beauty'],
  [7297, 7298, 'Hair & Beauty'],
  [7311, 7399, 'Professional Services'],
  [7512, 7519, 'Auto Rental'],
  [7523, 7523, 'Parking & Tolls'],
  [7531, 7549, 'Auto Expenses'],
  [7622, 7699, 'Professional Services'],
  [7800, 7800, 'Lottery'],
  [7801, 7802, 'Gambling'],
  [7829, 7841, 'Movie & Audio'],
  [7911, 7929, 'Events, Parks and Museums'],
  [7932, 7933, 'Events, Parks and Museums'],
  [7941, 7941, 'Events, Parks and Museums'],
  [7991, 7991, 'Events, Parks and Museums'],
  [7992, 7992, 'Gyms & Fitness'],
  [7993, 7994, 'Gaming'],
  [7995, 7995, 'Gambling'],
  [7996, 7996, 'Events, Parks and Museums'],
  [7997, 7997, 'Gyms & Fitness'],
  [7998, 7999, 'Events, Parks and Museums'],
  [8011, 8099, 'Health'],
  [8111, 8111, 'Professional Services'],
  [8211, 8299, 'Education'],
  [8351, 8351, 'Education'],
  [8398, 8398, 'Donation'],
  [8641, 8641, 'Donation'],
  [8651, 8661, 'Donation'],
  [8675, 8675, 'Auto Expenses'],
  [8699, 8699, 'Donation'],
  [8911, 8999, 'Professional Services'],
  [9211, 9223, 'Government Fees'],
  [9311, 9311, 'Income Tax'],
  [9399, 9402, 'Government Fees'],
]

function mccOutcome(mcc: number): Outcome | null {
  for (const [from, to, target] of MCC_RANGES) {
    if (mcc >= from && mcc <= to) return typeof target === 'string' ? sub(target) : target
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Open Finance Brasil operation types.

const OPERATION_TYPES: Record<string, { outcome: Outcome; confidence: number; direction?: Direction }> = {
  FOLHA_PAGAMENTO: { outcome: sub('Salary'), confidence: 0.85, direction: 'INFLOW' },
  PORTABILIDADE_SALARIO: { outcome: sub('Salary'), confidence: 0.85, direction: 'INFLOW' },
  TARIFA_SERVICOS_AVULSOS: { outcome: sub('Bank Fees'), confidence: 0.85 },
  PACOTE_TARIFA_SERVICOS: { outcome: sub('Bank Fees'), confidence: 0.85 },
  ENCARGOS_JUROS_CHEQUE_ESPECIAL: { outcome: sub('Interest & Charges'), confidence: 0.85 },
  RENDIMENTO_APLIC_FINANCEIRA: { outcome: sub('Interest'), confidence: 0.8, direction: 'INFLOW' },
  RESGATE_APLIC_FINANCEIRA: { outcome: sub('Savings'), confidence: 0.75 },
  APLICACAO_FINANCEIRA: { outcome: sub('Savings'), confidence: 0.75 },
  SAQUE: { outcome: cat('Withdrawal & ATM'), confidence: 0.85, direction: 'OUTFLOW' },
  DEPOSITO: { outcome: cat('Deposits'), confidence: 0.75, direction: 'INFLOW' },
  OPERACAO_CREDITO: { outcome: sub('Personal'), confidence: 0.65 },
  TED: { outcome: cat('Transfers'), confidence: 0.65 },
  DOC: { outcome: cat('Transfers'), confidence: 0.65 },
  PIX: { outcome: cat('Transfers'), confidence: 0.65 },
  TRANSFERENCIA_MESMA_INSTITUICAO: { outcome: cat('Transfers'), confidence: 0.65 },
}

// ---------------------------------------------------------------------------------------------
// The categorizer.

const KEYWORD_INDEX = { decisive: new PhraseIndex<KeywordRule>(), descriptive: new PhraseIndex<KeywordRule>() }
for (const r of DECISIVE) for (const phrase of r.phrases) KEYWORD_INDEX.decisive.add(phrase, r)
for (const r of DESCRIPTIVE) for (const phrase of r.phrases) KEYWORD_INDEX.descriptive.add(phrase, r)

const knownToken = (token: string) => MERCHANT_INDEX.has(token) || KEYWORD_INDEX.decisive.has(token) || KEYWORD_INDEX.descriptive.has(token)

/**
 * Rules that name what a transfer is for ("SPEI ENVIADO ... RENTA", "PIX RECEBIDO ... HONORARIOS"):
 * they beat the rail's own words (`transfer`, `deposit`) however long those are, since the rail
 * says only how the money moved.
 */
const PURPOSE_RULES = new Set(['rent', 'rent_income', 'freelance'])
const RAIL_RULES = new Set(['transfer', 'deposit'])

/** A one-word descriptive keyword ("supermercado", "padaria", "bar"): the kinds of shop a glued name may start with. */
const SINGLE_WORD_KEYWORDS = new Set(DESCRIPTIVE.flatMap((r) => (RAIL_RULES.has(r.id) ? [] : r.phrases.filter((p) => !p.includes(' ')))))
const singleWordKeyword = (token: string) => SINGLE_WORD_KEYWORDS.has(token)

/** The rule of `index` that `tokens` name for this direction: a purpose over a rail, then the longest phrase, then the earliest listed rule. */
function findRule(index: PhraseIndex<KeywordRule>, order: readonly KeywordRule[], tokens: Tokens, direction: Direction): KeywordRule | null {
  let best: { rule: KeywordRule; rank: number; length: number } | null = null
  for (const hit of index.find(tokens)) {
    const r = hit.value
    if (r.direction && r.direction !== direction) continue
    const rank = order.indexOf(r)
    if (best && RAIL_RULES.has(r.id) && PURPOSE_RULES.has(best.rule.id)) continue
    if (best && PURPOSE_RULES.has(r.id) && RAIL_RULES.has(best.rule.id)) {
      best = { rule: r, rank, length: hit.length }
      continue
    }
    // The longer phrase is the more specific ("comision por retiro" is a fee, not a withdrawal); then the earlier rule.
    if (!best || hit.length > best.length || (hit.length === best.length && rank < best.rank)) best = { rule: r, rank, length: hit.length }
  }
  return best?.rule ?? null
}

const CURRENCY_COUNTRY = new Map<string, MerchantCountry>([
  ['MXN', 'MX'],
  ['BRL', 'BR'],
  ['COP', 'CO'],
])

function countryOf(tx: EnrichTransaction, options: CategorizeOptions): MerchantCountry | null {
  const country = options.country?.toUpperCase()
  if (country === 'MX' || country === 'BR' || country === 'CO') return country
  // Currencies come in upper case (ISO 4217) nearly always: looked up as they are first.
  const currency = tx.currency
  if (typeof currency !== 'string') return null
  return CURRENCY_COUNTRY.get(currency) ?? CURRENCY_COUNTRY.get(currency.toUpperCase()) ?? null
}

const SLUGS = new Map<string, string>()

function slugOf(name: string): string {
  let slug = SLUGS.get(name)
  if (slug === undefined) {
    slug = normalizeDescription(name).replaceAll(' ', '_') || 'merchant'
    SLUGS.set(name, slug)
  }
  return slug
}

function result(outcome: Outcome, merchant: CategorizedMerchant | null, confidence: number, ruleName: string): Categorized {
  // Defensive: a rule table that put a subcategory under the wrong category would break Belvo's taxonomy.
  const subcategory = fitsUnder(outcome.category, outcome.subcategory) ? outcome.subcategory : null
  return { category: outcome.category, subcategory, merchant, confidence: Math.round(confidence * 100) / 100, rule: ruleName }
}

/** What a text says to the categorizer: its merchant and keyword rules, for one country and direction. */
interface Reading {
  merchant: MerchantEntry | null
  decisive: KeywordRule | null
  descriptive: KeywordRule | null
}

/**
 * Readings of normalised texts already seen. Normalised descriptions repeat (the same merchant,
 * payroll or fee every month, references aside), so most transactions of a body are only
 * normalised and looked up. Bounded: cleared when it grows past READINGS_MAX entries.
 */
const READINGS = new Map<string, Reading>()
const READINGS_MAX = 100_000
/**
 * The same readings by the text as sent: exact repeats (a body of 20,000 transactions holds many)
 * skip normalising too, which costs more than the lookup. One map per country and direction, so
 * a lookup hashes the text alone (no key is built for every transaction). Bounded like READINGS.
 */
const RAW_READINGS: Map<string, Reading>[] = Array.from({ length: 8 }, () => new Map())
let rawReadings = 0
const COUNTRY_SLOT = { MX: 1, BR: 2, CO: 3 } as const

function readingOf(text: string, country: MerchantCountry | null, direction: Direction): Reading {
  const raw = RAW_READINGS[(country === null ? 0 : COUNTRY_SLOT[country]) * 2 + (direction === 'INFLOW' ? 0 : 1)]
  const seen = raw.get(text)
  if (seen) return seen
  const normalized = normalizeDescription(text)
  const key = `${country ?? ''}|${direction}|${normalized}`
  let reading = READINGS.get(key)
  if (rawReadings >= READINGS_MAX) {
    for (const map of RAW_READINGS) map.clear()
    rawReadings = 0
  }
  rawReadings++
  if (reading) {
    raw.set(text, reading)
    return reading
  }
  const tokens = tokensOf(normalized, knownToken, singleWordKeyword)
  reading = {
    merchant: findMerchant(tokens, country),
    decisive: findRule(KEYWORD_INDEX.decisive, DECISIVE, tokens, direction),
    descriptive: findRule(KEYWORD_INDEX.descriptive, DESCRIPTIVE, tokens, direction),
  }
  if (READINGS.size >= READINGS_MAX) READINGS.clear()
  READINGS.set(key, reading)
  raw.set(text, reading)
  return reading
}

/** Legal forms of companies as printed after their names (normalised), anywhere in a description. */
const LEGAL_FORMS = /(?:^| )(?:ltda|eireli|epp|s a|sa|s a s|sas|sapi|sa de cv|s a de c v|s de rl|s de rl de cv|sab de cv|limitada|ltd|inc|llc)(?: |$)/
/** Legal forms that are also everyday abbreviations elsewhere: SC (Sociedad Civil in Mexico, a state in Brazil), ME (microempresa, at the end). */
const LEGAL_FORMS_MX = /(?:^| )(?:sc|s c)(?: |$)/
const LEGAL_FORMS_BR = / me$/

function namesCompany(description: string, country: MerchantCountry | null): boolean {
  const text = normalizeDescription(description)
    .replace(/\b\d+\b/g, ' ')
    .replace(/ +/g, ' ')
    .trim()
  if (LEGAL_FORMS.test(text)) return true
  if (country !== 'BR' && LEGAL_FORMS_MX.test(text)) return true
  return country !== 'MX' && country !== 'CO' && LEGAL_FORMS_BR.test(text)
}

/** Words that make a loan word a payment to a lender ("PAGO PRESTAMO", "CUOTA CREDITO"). */
const LOAN_PAYMENT_WORDS = /(?:^| )(?:pago|pagamento|pgto|cuota|parcela|abono|credito|financiera|banco)(?: |$)/

/**
 * Money sent by a transfer rail with a bare loan word and no lender in sight ("SPEI ENVIADO
 * BANORTE ANA PEREZ PRESTAMO"): lending to a person, a transfer, not a loan product.
 */
function lendsToPerson(tx: EnrichTransaction, read: Reading, country: MerchantCountry | null): boolean {
  if (tx.type !== 'OUTFLOW' || !read.descriptive || read.descriptive.id !== 'transfer' || read.merchant) return false
  const text = normalizeDescription(tx.description ?? '')
  return !LOAN_PAYMENT_WORDS.test(text) && !namesCompany(tx.description ?? '', country)
}

/** Belvo's category, subcategory and merchant for one transaction (see the module's comment for the order). */
export function categorize(tx: EnrichTransaction, options: CategorizeOptions = {}): Categorized {
  const country = countryOf(tx, options)
  const direction = tx.type
  const read = readingOf(tx.description ?? '', country, direction)

  // The merchant: from the source's own merchant name first, else from the description.
  const named = tx.merchantName ? readingOf(tx.merchantName, country, direction).merchant : null
  const entry = named ?? read.merchant
  const merchant = entry ? merchantWire(entry) : tx.merchantName ? { name: tx.merchantName, logo: null, website: null } : null

  // 1. Decisive keywords.
  const decisive = read.decisive
  if (decisive && decisive.id === 'personal_loan' && lendsToPerson(tx, read, country)) {
    return result(cat('Transfers'), merchant, 0.7, 'keyword:loan_to_person')
  }
  if (decisive) return result(decisive.outcome, merchant, decisive.confidence, `keyword:${decisive.id}`)

  // 2. The merchant dictionary.
  if (entry) {
    const slug = slugOf(entry.name)
    if (direction === 'INFLOW') {
      const inflow = merchantInflow(entry)
      return result(inflow.outcome, merchant, inflow.confidence, inflow.rule)
    }
    const agrees = tx.mcc !== null && mccOutcome(tx.mcc)?.subcategory === entry.subcategory
    return result(sub(entry.subcategory), merchant, agrees ? 0.98 : 0.95, `merchant:${slug}`)
  }

  // 3. The card's merchant category code: what was bought, or (money back at a merchant) a refund.
  const byMcc = tx.mcc !== null ? mccOutcome(tx.mcc) : null
  if (byMcc && direction === 'OUTFLOW') return result(byMcc, merchant, 0.8, `mcc:${tx.mcc}`)
  if (byMcc && tx.accountCategory === 'CREDIT_CARD') return result(sub('Refund'), merchant, 0.7, `mcc_refund:${tx.mcc}`)

  // Money in on a card that no rule above explains is the card's bill being paid ("PAGO RECIBIDO",
  // "TRANSFERENCIA"): a card account receives no transfers or deposits of its own.
  const cardPayment = tx.accountCategory === 'CREDIT_CARD' && direction === 'INFLOW'

  // 4. Descriptive keywords.
  const descriptive = read.descriptive
  if (descriptive && cardPayment && (descriptive.outcome.category === 'Transfers' || descriptive.outcome.category === 'Deposits')) {
    return result(sub('Credit Card'), merchant, 0.75, 'account:credit_card_inflow')
  }
  // Money received by transfer from a company (its legal form printed: LTDA, S.A., SAS, SA DE CV)
  // is pay for work or services, not money between one's own accounts or friends.
  if (descriptive && RAIL_RULES.has(descriptive.id) && direction === 'INFLOW' && namesCompany(tx.description ?? '', country)) {
    return result(cat('Income & Payments'), merchant, 0.6, 'counterparty:company_inflow')
  }
  if (descriptive) return result(descriptive.outcome, merchant, descriptive.confidence, `keyword:${descriptive.id}`)

  // 5. The institution's operation type.
  const operation = tx.operationType ? OPERATION_TYPES[tx.operationType] : undefined
  if (operation && (!operation.direction || operation.direction === direction)) {
    return result(operation.outcome, merchant, operation.confidence, `operation_type:${tx.operationType}`)
  }

  // 6. Counterparty and account.
  if (tx.counterpartyDocument && /^\d{11}$/.test(tx.counterpartyDocument)) {
    // An 11-digit document is a person's CPF: money between people is a transfer.
    return result(cat('Transfers'), merchant, 0.65, 'counterparty:individual')
  }
  if (cardPayment) return result(sub('Credit Card'), merchant, 0.7, 'account:credit_card_inflow')
  if (tx.accountCategory === 'LOAN_ACCOUNT') return result(sub('Personal'), merchant, 0.65, 'account:loan')

  // 7. Nothing fits.
  return result(cat('Unknown'), merchant, 0.1, 'unknown')
}

// ---------------------------------------------------------------------------------------------
// Labelling what a connector answers.

/**
 * A connector's TRANSACTIONS record with Belvo's `category`, `subcategory` and `merchant` filled in
 * by the categorizer when the institution gave no category (a real integration that does not
 * categorize). A record that has a category is returned as it is: the institution's labels are
 * kept, never second-guessed, and never read by the categorizer either.
 */
export function labelUncategorized(
  record: InstitutionRecord,
  shape: WireShape,
  options: { country?: string; accountCategory?: string | null } = {},
): InstitutionRecord {
  if (record.category !== null && record.category !== undefined && record.category !== '') return record
  const accountId = record.account_internal_identification
  const accounts = typeof accountId === 'string' && options.accountCategory !== undefined ? new Map([[accountId, options.accountCategory]]) : undefined
  const [tx] = toEnrichTransactions([record], shape, accounts)
  if (!tx) return record
  const result = categorize(tx, { country: options.country })
  const merchant =
    record.merchant ?? (result.merchant ? { logo: result.merchant.logo, website: result.merchant.website, merchant_name: result.merchant.name } : null)
  return { ...record, merchant, category: result.category, subcategory: result.subcategory }
}
