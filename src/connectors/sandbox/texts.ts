import type { SandboxCountry } from './random.ts'
import type { Party } from './world.ts'

/**
 * Transaction descriptions as each country's banks print them: SPEI in Mexico, Pix and boletos in
 * Brazil, PSE and Nequi in Colombia. `transferOp` is the Open Finance Brasil operation type of an
 * interbank transfer in that country.
 */

export interface Texts {
  salary(employer: string): string
  bonus: string
  transferOut(p: Party): string
  transferIn(p: Party): string
  rent(p: Party): string
  utility(descriptor: string): string
  debitPurchase(descriptor: string): string
  atm(bank: string): string
  accountFee: string
  overdraftInterest: string
  cardPaymentOut(last4: string): string
  cardPaymentIn: string
  annualFee: string
  cardInterest: string
  cardInterestTax: string | null
  loanDisbursementLoan: string
  loanDisbursementIn(contract: string): string
  consolidation(bank: string): string
  loanInterest(k: number, n: number): string
  lateFee(k: number): string
  loanPaymentLoan(k: number, n: number): string
  loanPaymentOut(contract: string): string
  savingsInterest: string
  savingsDeposit: string
  savingsWithdrawal: string
  toSavings: string
  fromSavings: string
  revenue(p: Party): string
  payroll(p: Party): string
  supplier(p: Party): string
  tax: string
  /** The acquirer's payment of a merchant's card sales. */
  cardSettlement: string
  installmentSuffix(k: number, n: number): string
  transferOp: string
}

const pad2 = (n: number) => String(n).padStart(2, '0')
export const upper = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()

export const TEXTS: Record<SandboxCountry, Texts> = {
  MX: {
    salary: (e) => `DEPOSITO DE NOMINA ${e}`,
    bonus: 'PAGO DE AGUINALDO',
    transferOut: (p) => `SPEI ENVIADO ${p.bank.short} ${upper(p.name)}`,
    transferIn: (p) => `SPEI RECIBIDO ${p.bank.short} ${upper(p.name)}`,
    rent: (p) => `SPEI ENVIADO ${p.bank.short} ${upper(p.name)}`,
    utility: (d) => `PAGO DE SERVICIO ${d}`,
    debitPurchase: (d) => d,
    atm: (b) => `RETIRO EN CAJERO AUTOMATICO ${b}`,
    accountFee: 'COMISION POR MANEJO DE CUENTA',
    overdraftInterest: 'INTERESES POR SOBREGIRO',
    cardPaymentOut: (l) => `PAGO TARJETA DE CREDITO ${l}`,
    cardPaymentIn: 'SU PAGO GRACIAS',
    annualFee: 'ANUALIDAD TARJETA TITULAR',
    cardInterest: 'INTERESES ORDINARIOS',
    cardInterestTax: 'IVA INTERESES ORDINARIOS',
    loanDisbursementLoan: 'DISPOSICION DE CREDITO',
    loanDisbursementIn: (c) => `DEPOSITO CREDITO PERSONAL ${c}`,
    consolidation: (b) => `SPEI ENVIADO ${b} LIQUIDACION TDC`,
    loanInterest: (k, n) => `INTERES ORDINARIO MENSUALIDAD ${k}/${n}`,
    lateFee: () => 'COMISION POR PAGO TARDIO',
    loanPaymentLoan: (k, n) => `PAGO MENSUALIDAD ${k}/${n}`,
    loanPaymentOut: (c) => `PAGO CREDITO PERSONAL ${c}`,
    savingsInterest: 'INTERESES GANADOS',
    savingsDeposit: 'TRASPASO DESDE CUENTA NOMINA',
    savingsWithdrawal: 'TRASPASO A CUENTA NOMINA',
    toSavings: 'TRASPASO A CUENTA DE AHORRO',
    fromSavings: 'TRASPASO DESDE CUENTA DE AHORRO',
    revenue: (p) => `SPEI RECIBIDO ${p.bank.short} ${upper(p.name)}`,
    payroll: (p) => `PAGO DE NOMINA ${upper(p.name)}`,
    supplier: (p) => `SPEI ENVIADO ${p.bank.short} ${upper(p.name)}`,
    tax: 'PAGO REFERENCIADO SAT',
    cardSettlement: 'LIQUIDACION VENTAS CON TARJETA',
    installmentSuffix: (k, n) => ` ${pad2(k)}/${pad2(n)} MSI`,
    transferOp: 'TED',
  },
  CO: {
    salary: (e) => `PAGO DE NOMINA ${e}`,
    bonus: 'PAGO PRIMA DE SERVICIOS',
    transferOut: (p) => (p.bank.short === 'NEQUI' ? `TRANSF A NEQUI ${upper(p.name)}` : `TRANSFERENCIA A ${upper(p.name)}`),
    transferIn: (p) => `TRANSFERENCIA DE ${upper(p.name)}`,
    rent: (p) => `PAGO ARRIENDO ${upper(p.name)}`,
    utility: (d) => d,
    debitPurchase: (d) => `COMPRA EN ${d}`,
    atm: (b) => `RETIRO CAJERO ${b}`,
    accountFee: 'CUOTA DE MANEJO TARJETA DEBITO',
    overdraftInterest: 'INTERESES SOBREGIRO',
    cardPaymentOut: (l) => `PAGO TARJETA CREDITO ${l}`,
    cardPaymentIn: 'ABONO A TARJETA GRACIAS',
    annualFee: 'CUOTA DE MANEJO TARJETA CREDITO',
    cardInterest: 'INTERESES CORRIENTES',
    cardInterestTax: null,
    loanDisbursementLoan: 'DESEMBOLSO CREDITO',
    loanDisbursementIn: () => 'DESEMBOLSO CREDITO LIBRE INVERSION',
    consolidation: (b) => `PAGO OBLIGACION ${b}`,
    loanInterest: (k, n) => `INTERESES CUOTA ${k}/${n}`,
    lateFee: () => 'INTERESES DE MORA',
    loanPaymentLoan: (k, n) => `PAGO CUOTA ${k}/${n}`,
    loanPaymentOut: (c) => `PAGO CUOTA CREDITO ${c}`,
    savingsInterest: 'ABONO INTERESES',
    savingsDeposit: 'TRASLADO DESDE CUENTA DE AHORROS',
    savingsWithdrawal: 'TRASLADO A CUENTA DE AHORROS',
    toSavings: 'TRASLADO A BOLSILLO AHORRO',
    fromSavings: 'TRASLADO DESDE BOLSILLO AHORRO',
    revenue: (p) => `TRANSFERENCIA DE ${upper(p.name)}`,
    payroll: (p) => `PAGO NOMINA ${upper(p.name)}`,
    supplier: (p) => `PAGO PROVEEDOR ${upper(p.name)}`,
    tax: 'PAGO PSE DIAN',
    cardSettlement: 'ABONO VENTAS CON TARJETA',
    installmentSuffix: (k, n) => ` CUOTA ${k}/${n}`,
    transferOp: 'TED',
  },
  BR: {
    salary: (e) => `CRED SALARIO ${e}`,
    bonus: 'CRED 13 SALARIO',
    transferOut: (p) => `PIX ENVIADO ${upper(p.name)}`,
    transferIn: (p) => `PIX RECEBIDO ${upper(p.name)}`,
    rent: (p) => `PIX ENVIADO ${upper(p.name)} ALUGUEL`,
    utility: (d) => `DEBITO AUTOMATICO ${d}`,
    debitPurchase: (d) => `COMPRA CARTAO DEB ${d}`,
    atm: () => 'SAQUE BANCO24HORAS',
    accountFee: 'TARIFA PACOTE DE SERVICOS',
    overdraftInterest: 'JUROS CHEQUE ESPECIAL',
    cardPaymentOut: (l) => `PAGAMENTO FATURA CARTAO ${l}`,
    cardPaymentIn: 'PAGAMENTO RECEBIDO',
    annualFee: 'ANUIDADE CARTAO',
    cardInterest: 'JUROS DO ROTATIVO',
    cardInterestTax: 'IOF ROTATIVO',
    loanDisbursementLoan: 'LIBERACAO DE CREDITO',
    loanDisbursementIn: () => 'CRED LIBERACAO EMPRESTIMO',
    consolidation: (b) => `PAGAMENTO DE BOLETO QUITACAO ${b}`,
    loanInterest: (k, n) => `JUROS PARCELA ${k}/${n}`,
    lateFee: (k) => `MULTA POR ATRASO PARCELA ${k}`,
    loanPaymentLoan: (k, n) => `PAGAMENTO PARCELA ${k}/${n}`,
    loanPaymentOut: (c) => `DEBITO PARCELA EMPRESTIMO ${c}`,
    savingsInterest: 'RENDIMENTO POUPANCA',
    savingsDeposit: 'TRANSF RECEBIDA CONTA CORRENTE',
    savingsWithdrawal: 'TRANSF PARA CONTA CORRENTE',
    toSavings: 'APLICACAO POUPANCA',
    fromSavings: 'RESGATE POUPANCA',
    revenue: (p) => `PIX RECEBIDO ${upper(p.name)}`,
    payroll: (p) => `PIX ENVIADO ${upper(p.name)} SALARIO`,
    supplier: (p) => `PAGAMENTO DE BOLETO ${upper(p.name)}`,
    tax: 'PAGAMENTO DAS SIMPLES NACIONAL',
    cardSettlement: 'LIQUIDACAO VENDAS CARTAO',
    installmentSuffix: (k, n) => ` ${pad2(k)}/${pad2(n)}`,
    transferOp: 'PIX',
  },
}
