import { normalizeDescription, type EnrichTransaction } from './transactions.ts'

/**
 * Income streams found in a person's transactions (Belvo's Incomes, INVENTORY 3.2, and Income
 * Verification, 3.3). The method, written down in docs/enrichment.md ("## Incomes"):
 *
 * 1. Only INFLOWs of deposit accounts inside the window count; transfers between the person's own
 *    accounts, refunds, reversals and loan disbursements are set aside first (`excluded`).
 * 2. The rest are grouped by account and payer (the normalised description without month names,
 *    or the counterparty's document), then split into amount bands.
 * 3. Each group's dates give its frequency (median interval, with tolerance for day drift and a
 *    missed period), regularity, amount stability and trend; keywords in Spanish, Portuguese and
 *    English give its income type.
 * 4. A group becomes a stream by written rules (`rule`), and gets a confidence by written rules.
 *
 * Pure: no clock (today comes in), no sandbox labels (a transaction's category is never read).
 */

export const INCOME_TYPES = [
  'SALARY',
  'GOVERNMENT',
  'INTEREST',
  'RENT',
  'RETIREMENT',
  'FREELANCE',
  'ALTERNATIVE_INCOME',
  'TRANSFER',
  'DEPOSIT',
  'UNKNOWN',
] as const
export type IncomeType = (typeof INCOME_TYPES)[number]
export const INCOME_FREQUENCIES = ['MONTHLY', 'FORTNIGHTLY', 'WEEKLY', 'IRREGULAR', 'SINGLE'] as const
export type IncomeFrequency = (typeof INCOME_FREQUENCIES)[number]
export const CONFIDENCE_LEVELS = ['HIGH', 'MEDIUM', 'LOW'] as const
export type Confidence = (typeof CONFIDENCE_LEVELS)[number]

export interface IncomeOptions {
  /** YYYY-MM-DD: the analysis never looks past it. */
  today: string
  /** First day analysed; a year before `dateTo` by default. */
  dateFrom?: string
  /** Last day analysed; `today` by default. */
  dateTo?: string
  /** Only streams of these types (Belvo's `allowed_income_types`); all by default. */
  allowedIncomeTypes?: readonly IncomeType[]
  /** Only streams at least this confident (Belvo's `minimum_confidence_level`); all by default. */
  minimumConfidence?: Confidence
}

export interface IncomeStream {
  /** The account the incomes arrive at. */
  accountId: string
  incomeType: IncomeType
  frequency: IncomeFrequency
  confidence: Confidence
  /** The transactions that make up the stream, oldest first. */
  transactionIds: string[]
  /** Which rule made the group a stream, and which gave its type (for explanations). */
  rule: string
  /** The payer key the transactions were grouped by. */
  payer: string
  currency: string
  /** Sum of the incomes, in cents. */
  totalCents: number
  /** Sum over `periods_with_income` (1.223.0's definition of the stream's monthly average). */
  monthlyAverage: number
  /** The median of the calendar months' totals, over the months with an income. */
  monthlyMedian: number
  averageIncomeAmount: number
  lastIncomeAmount: number
  lastIncomeDescription: string
  lastIncomeDate: string
  /** 0..1, 1 - coefficient of variation of the amounts; null for a SINGLE. */
  stability: number | null
  /** 0..1, the share of expected periods in which an income came on time; null for a SINGLE. */
  regularity: number | null
  /** (mean of the last three - mean of the first three) / mean of the first three; null for a SINGLE. */
  trend: number | null
  lookbackPeriods: number
  fullPeriods: number
  periodsWithIncome: number
  numberOfIncomes: number
}

/** Belvo's `Income` aggregates over the streams (the camelCase of its fields). */
export interface IncomeSummary {
  streams: IncomeStream[]
  firstTransactionDate: string | null
  lastTransactionDate: string
  bestWorkingDayToCharge: number
  goodWorkingDaysToCharge: number[]
  monthlyAverage: number
  monthlyAverageRegular: number
  monthlyAverageIrregular: number
  monthlyAverageLowConfidence: number
  monthlyAverageMediumConfidence: number
  monthlyAverageHighConfidence: number
  totalIncomeAmount: number
  totalRegularIncomeAmount: number
  totalIrregularIncomeAmount: number
  totalLowConfidence: number
  totalMediumConfidence: number
  totalHighConfidence: number
}

// ---------------------------------------------------------------------------------------------
// Dates.

const DAY_MS = 86_400_000
const parseDay = (date: string) => Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS)
// A year of transactions has a few hundred distinct dates and descriptions: parse each once.
const dayCache = new Map<string, number>()
function dayNumber(date: string): number {
  let day = dayCache.get(date)
  if (day === undefined) {
    if (dayCache.size > 100_000) dayCache.clear()
    day = parseDay(date)
    dayCache.set(date, day)
  }
  return day
}
/** What a description says, read once per distinct description (see `reading`). */
interface Reading {
  text: string
  /** Why its words say it is not income, if they do. */
  exclusion: 'refund' | 'loan_disbursement' | 'own_account_description' | null
  type: IncomeType
  payer: string
  /** Whether the description names someone (words beyond how and when the money came). */
  named: boolean
  company: boolean
}

const readings = new Map<string, Reading>()
/** A description's reading, remembered (bounded) across calls: a year has few distinct descriptions. */
function reading(description: string): Reading {
  let found = readings.get(description)
  if (found === undefined) {
    if (readings.size > 100_000) readings.clear()
    const text = normalizeDescription(description)
    const words = text.split(' ').filter((word) => word.length > 1 && !IGNORED_IN_PAYER.has(word))
    found = {
      text,
      exclusion: REFUND.test(text) ? 'refund' : LOAN.test(text) ? 'loan_disbursement' : OWN_ACCOUNT.test(text) ? 'own_account_description' : null,
      type: incomeTypeOf(text),
      // A description of nothing but such words ("NOMINA", "PIX RECEBIDO") is its own key.
      payer: words.join(' ') || text,
      named: words.length > 0,
      company: COMPANY.test(text),
    }
    readings.set(description, found)
  }
  return found
}
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)
/** Belvo's "rolling month": 30 days. */
const ROLLING_MONTH = 30

// ---------------------------------------------------------------------------------------------
// Keyword evidence. Patterns run on normalizeDescription's output (lower case, no accents, no
// digits), so `nómina`, `NOMINA` and `Nomina 05/2024` all read `nomina`.

/** Descriptions that name a transfer between the person's own accounts or a redemption of their own savings. */
const OWN_ACCOUNT =
  /\b((traspaso|traslado)s? (desde|de|a|entre) (mi |mis |su |sus |la |las )?(cuenta|cuentas|cta)|desde (mi |su |la )?(cuenta|conta|cta) (de )?(ahorro|ahorros|nomina|cheques|corriente|propia|poupanca)|entre (mis |minhas |sus |suas )?cuentas|entre (minhas |suas )?contas|cuenta propia|cuentas propias|conta propria|contas proprias|mesma titularidade|mismo titular|misma titularidad|traspaso (entre|a|de) (cuentas|mi)|transferencia propia|transf propia|own account|between (my )?accounts|resgate|rescate|retiro de inversion|aplicacao automatica|poupanca automatica)\b/
/** Refunds, chargebacks, reversals and cancellations: money that was the person's already. */
const REFUND =
  /\b(reembolso|devolucion|devolucao|devol|estorno|extorno|reversa|reverso|reversion|reversal|refund|chargeback|contracargo|cancelacion|cancelamento|anulacion|cashback|bonificacion de compra)\b/
/** Loan disbursements: borrowed money, not income. */
const LOAN =
  /\b(prestamo|emprestimo|credito pessoal|credito personal|credito consignado|credito (de )?nomina|credito simple|desembolso|disbursement|financiamiento|financiamento|(adelanto|anticipo) de (nomina|sueldo)|antecipacao salarial|loan)\b/

/**
 * Income-type evidence, most specific first: alimony before pensions, pension words before salary
 * words, salary words before the social-security institutes' names and government programmes (an
 * IMSS employee's "NOMINA IMSS" is a salary; "NOMINA GOBIERNO DEL ESTADO" too).
 */
const TYPE_EVIDENCE: readonly [IncomeType, RegExp][] = [
  ['ALTERNATIVE_INCOME', /\b(pension alimenticia|pensao alimenticia|cuota alimentaria|remesa|remessa|western union|remitly|moneygram)\b/],
  ['RETIREMENT', /\b(pension|pensiones|pensao|jubilacion|jubilado|aposentadoria|aposentado|retiro programado|beneficio previdenciario)\b/],
  [
    'SALARY',
    /\b(nomina|sueldo|sueldos|salario|salarios|folha|remuneracion|remuneracao|payroll|salary|quincena|aguinaldo|decimo terceiro|prima de servicios|vencimentos|proventos)\b/,
  ],
  ['RETIREMENT', /\b(inss|imss|issste|colpensiones|afore|previdencia)\b/],
  [
    'GOVERNMENT',
    /\b(bolsa familia|auxilio brasil|auxilio emergencial|bienestar|beca|becas|prospera|seguro desemprego|seguro de desempleo|subsidio|familias en accion|ingreso solidario|renta ciudadana|jovenes en accion|bpc|loas|abono salarial|pis|pasep|fgts|restituicao|devolucion sat|gobierno|governo|programa social)\b/,
  ],
  [
    'FREELANCE',
    /\b(honorarios|pro labore|prolabore|servicios profesionales|prestacion de servicios|prestacao de servicos|freelance|comision|comisiones|comissao|rpa|uber|didi|rappi|ifood|cabify|indrive|loggi|lalamove)\b/,
  ],
  [
    'RENT',
    /\b(aluguel|alugueis|alquiler|alquileres|arriendo|arrendamiento|arrendamento|locacao|inquilino|renta (de|del|depto|departamento|casa|local|inmueble))\b/,
  ],
  ['INTEREST', /\b(rendimiento|rendimientos|rendimento|rendimentos|intereses|interes|juros|dividendos|dividends|interest)\b/],
  ['DEPOSIT', /\b(deposito|depositos|deposit|efectivo|dinheiro)\b/],
  ['TRANSFER', /\b(transferencia|transf|transfer|spei|pix|ted|doc|recibida|recebida|recebido|abono)\b/],
]

/** The types keywords alone can vouch for (a transfer or a deposit says nothing about income). */
const STRONG_TYPES: ReadonlySet<IncomeType> = new Set(['SALARY', 'GOVERNMENT', 'RETIREMENT', 'FREELANCE', 'RENT', 'INTEREST', 'ALTERNATIVE_INCOME'])

/** Words that change from one payment of a stream to the next: months, periods, references. */
const VARIABLE_WORDS =
  'enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ' +
  'janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro ' +
  'january february march april may june july august september october november december ' +
  'ene feb mar abr may jun jul ago sep sept set oct out nov dic dez jan apr aug dec ' +
  'qna quin primera segunda semana semanal mensal mensual periodo ref referencia folio op nro num no ' +
  'de del da do dos das la el los las y e a en para por al'

/**
 * Words that say how or why money came, not from whom: the same payer's salary, bonus and 13th
 * salary ("DEPOSITO DE NOMINA ACME", "PAGO DE AGUINALDO ACME") share the payer's name only.
 */
const HOW_WORDS =
  'pago pagamento pgto pagto pag ach deposito depositos abono abonos cred credito creditos recibido recibida recebido recebida recebimento ' +
  'transferencia transf tef spei pix ted doc envio nomina sueldo salario salarios folha aguinaldo quincena bono bonus prima ' +
  'decimo terceiro ferias vacaciones honorarios comision comisiones liquidacion finiquito ' +
  // Invoices and the services billed: a freelancer's client writes them on some payments only.
  'dep factura facturas fact fatura nf nota fiscal servicio servicios profesionales servicos prestacion prestacao'

/** Legal-form suffixes: "ACME SA DE CV" and "ACME" are one payer. */
const COMPANY_WORDS = 'sa cv sapi rl sc ltda sas eireli epp me inc llc corp cia'
/** A company's name in a normalised description (S.A. de C.V., SAPI, Ltda., S.A.S., EIRELI...). */
const COMPANY = /\b(sa de cv|s a de c v|sapi|s de rl|sc|s c|ltda|s a|sa|sas|s a s|eireli|epp|inc|llc|corp|cia)\b/

const IGNORED_IN_PAYER = new Set(`${VARIABLE_WORDS} ${HOW_WORDS} ${COMPANY_WORDS}`.split(' '))

/** The income type a description speaks of, with the pattern's name (UNKNOWN when none). */
export function incomeTypeOf(normalized: string): IncomeType {
  for (const [type, pattern] of TYPE_EVIDENCE) if (pattern.test(normalized)) return type
  return 'UNKNOWN'
}

/** Why an inflow is not income, if it is not: its exclusion rule. */
export type Exclusion = 'own_account_transfer' | 'own_account_description' | 'refund' | 'loan_disbursement' | 'not_a_deposit_account'

/**
 * The inflows that are not income, by id: on a credit card or loan account (bill payments,
 * disbursements), described as a refund, a loan or an own-account transfer, or matched by an
 * OUTFLOW of the same amount on another of the person's accounts within two days.
 */
export function excludedInflows(txs: readonly EnrichTransaction[]): Map<string, Exclusion> {
  const excluded = new Map<string, Exclusion>()
  // Outflows by amount in cents, to find the other leg of an own-account transfer.
  const outflows = new Map<number, { accountId: string; day: number }[]>()
  for (const tx of txs) {
    if (tx.type !== 'OUTFLOW') continue
    const cents = toCents(tx.amount)
    const list = outflows.get(cents) ?? []
    list.push({ accountId: tx.accountId, day: dayNumber(tx.valueDate) })
    outflows.set(cents, list)
  }
  for (const tx of txs) {
    if (tx.type !== 'INFLOW') continue
    const category = tx.accountCategory
    const { exclusion } = reading(tx.description)
    if (category === 'CREDIT_CARD' || category === 'LOAN_ACCOUNT') excluded.set(tx.id, 'not_a_deposit_account')
    else if (exclusion) excluded.set(tx.id, exclusion)
    else if (outflows.size > 0) {
      const day = dayNumber(tx.valueDate)
      const legs = outflows.get(toCents(tx.amount)) ?? []
      if (legs.some((leg) => leg.accountId !== tx.accountId && Math.abs(leg.day - day) <= 2)) excluded.set(tx.id, 'own_account_transfer')
    }
  }
  return excluded
}

// ---------------------------------------------------------------------------------------------
// Grouping.

interface Income {
  tx: EnrichTransaction
  cents: number
  day: number
  type: IncomeType
}

function toCents(amount: number): number {
  return Math.round(Math.abs(amount) * 100)
}

/** The payer a description names: its words without those that vary between payments or say how the money came. */
export function payerKey(tx: EnrichTransaction): string {
  if (tx.counterpartyDocument) return `doc:${tx.counterpartyDocument.replace(/\W/g, '')}`
  return reading(tx.description).payer
}

/**
 * Splits a payer's incomes into amount bands when it pays two clear streams (a salary and a
 * monthly allowance, say): sorted by amount, a new band starts where an amount is more than 1.6
 * times the one before (a raise or drift of a few percent stays in its band). Only when two bands
 * or more hold three incomes each are they kept apart; the other incomes join the nearest of
 * those (a bonus, the 13th salary). Otherwise the payer's incomes are one group: a freelancer's
 * invoices vary widely and are still one stream.
 */
function amountBands(incomes: Income[]): Income[][] {
  const byDay = (band: Income[]) => band.sort((a, b) => a.day - b.day || a.tx.id.localeCompare(b.tx.id))
  const sorted = [...incomes].sort((a, b) => a.cents - b.cents)
  const bands: Income[][] = []
  for (const income of sorted) {
    const band = bands[bands.length - 1]
    if (band && income.cents <= band[band.length - 1].cents * 1.6) band.push(income)
    else bands.push([income])
  }
  const streams = bands.filter((band) => band.length >= 3)
  if (streams.length < 2) return [byDay([...incomes])]
  const middle = (band: Income[]) => band[Math.floor(band.length / 2)].cents
  const distance = (band: Income[], cents: number) => Math.abs(Math.log(middle(band) / cents))
  for (const band of bands) {
    if (band.length >= 3) continue
    for (const income of band) streams.reduce((best, other) => (distance(other, income.cents) < distance(best, income.cents) ? other : best)).push(income)
  }
  return streams.map(byDay)
}

// ---------------------------------------------------------------------------------------------
// Frequency, regularity, stability, trend.

/** The nominal period of each frequency, in days, and the day drift tolerated around it. */
const PERIODS: readonly { frequency: IncomeFrequency; days: number; tolerance: number; min: number; max: number }[] = [
  { frequency: 'WEEKLY', days: 7, tolerance: 2, min: 5, max: 9 },
  // Quincenas (15th and last day) give alternating intervals of 13 to 17 days.
  { frequency: 'FORTNIGHTLY', days: 15, tolerance: 4, min: 11, max: 19 },
  // Months of 28 to 31 days, plus a payday moved across a weekend or holiday either side.
  { frequency: 'MONTHLY', days: 30.4, tolerance: 6, min: 24, max: 37 },
]

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length
const round2 = (value: number) => Math.round(value * 100) / 100
const clamp01 = (value: number) => Math.min(1, Math.max(0, value))

interface Rhythm {
  frequency: IncomeFrequency
  regularity: number | null
  /** The nominal period in days (null for IRREGULAR and SINGLE). */
  period: number | null
}

/**
 * Frequency from the median interval between distinct income days. Regularity walks the days
 * against the period: a day within tolerance of k periods after the last on-time one is a hit
 * (and k - 1 missed periods), a day well before the next period is due is an extra payment (a
 * bonus: neither hit nor miss, but beyond two, or one per six hits, each is a miss), any other day
 * is a miss. Regularity = hits / (hits + misses). An
 * irregular stream's regularity is 1 - the coefficient of variation of its intervals.
 */
function rhythmOf(days: readonly number[]): Rhythm {
  const distinct = [...new Set(days)].sort((a, b) => a - b)
  if (distinct.length < 2) return { frequency: 'SINGLE', regularity: null, period: null }
  const intervals = distinct.slice(1).map((day, i) => day - distinct[i])
  const typical = median(intervals)
  const nominal = PERIODS.find((p) => typical >= p.min && typical <= p.max)
  if (!nominal) {
    const cv = Math.sqrt(mean(intervals.map((i) => (i - mean(intervals)) ** 2))) / mean(intervals)
    return { frequency: 'IRREGULAR', regularity: round2(clamp01(1 - cv)), period: null }
  }
  let hits = 0
  let misses = 0
  let extras = 0
  let previous = distinct[0]
  for (const day of distinct.slice(1)) {
    const gap = day - previous
    if (gap < nominal.days - nominal.tolerance) {
      extras += 1
      continue
    }
    const k = Math.max(1, Math.round(gap / nominal.days))
    if (Math.abs(gap - k * nominal.days) <= nominal.tolerance + (k - 1) * 2) {
      hits += 1
      misses += k - 1
    } else misses += 1
    previous = day
  }
  // A bonus or two a year is normal; many payments between the periods are no rhythm at all.
  misses += Math.max(0, extras - Math.max(2, Math.floor(hits / 6)))
  return { frequency: nominal.frequency, regularity: hits + misses === 0 ? 0 : round2(hits / (hits + misses)), period: nominal.days }
}

/** The rhythm of days taken as IRREGULAR: regularity = 1 - the coefficient of variation of the intervals. */
function irregularRhythm(days: readonly number[]): Rhythm {
  const distinct = [...new Set(days)].sort((a, b) => a - b)
  const intervals = distinct.slice(1).map((day, i) => day - distinct[i])
  const cv = Math.sqrt(mean(intervals.map((i) => (i - mean(intervals)) ** 2))) / mean(intervals)
  return { frequency: 'IRREGULAR', regularity: round2(clamp01(1 - cv)), period: null }
}

function stabilityOf(cents: readonly number[]): number {
  const average = mean(cents)
  const deviation = Math.sqrt(mean(cents.map((c) => (c - average) ** 2)))
  return round2(clamp01(1 - deviation / average))
}

function trendOf(cents: readonly number[]): number {
  const n = Math.min(3, Math.floor(cents.length / 2)) || 1
  const first = mean(cents.slice(0, n))
  const last = mean(cents.slice(-n))
  return round2((last - first) / first)
}

// ---------------------------------------------------------------------------------------------
// Streams.

const RANK: Record<Confidence, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 }
const REGULAR: ReadonlySet<IncomeFrequency> = new Set(['MONTHLY', 'FORTNIGHTLY', 'WEEKLY'])

/** The analysed window: `dateFrom`..`dateTo`, a year back from today by default. */
export function incomeWindow(options: Pick<IncomeOptions, 'today' | 'dateFrom' | 'dateTo'>): { from: number; to: number } {
  const to = dayNumber(options.dateTo ?? options.today)
  const from = options.dateFrom ? dayNumber(options.dateFrom) : to - 365
  return { from, to: Math.min(to, dayNumber(options.today)) }
}

/**
 * The income streams of `txs` (see the module's comment; docs/enrichment.md has the rules). Each
 * stream keeps its transactions' ids and the rule that made it; the order is by account, then
 * largest total first.
 */
export function findIncomeStreams(txs: readonly EnrichTransaction[], options: IncomeOptions): IncomeStream[] {
  const window = incomeWindow(options)
  const inWindow = txs.filter((tx) => {
    const day = dayNumber(tx.valueDate)
    return day >= window.from && day <= window.to
  })
  const excluded = excludedInflows(inWindow)
  // The first day with data on each account: the periods before it cannot have incomes.
  const firstDay = new Map<string, number>()
  for (const tx of inWindow) {
    const day = dayNumber(tx.valueDate)
    if (day < (firstDay.get(tx.accountId) ?? Infinity)) firstDay.set(tx.accountId, day)
  }

  // Incomes by account, currency and payer (nested maps: no key text per transaction), and the
  // groups in the order first seen.
  const groups = new Map<string, Map<string, Map<string, Income[]>>>()
  const ordered: { payer: string; incomes: Income[] }[] = []
  for (const tx of inWindow) {
    if (tx.type !== 'INFLOW' || excluded.has(tx.id) || !(tx.amount > 0)) continue
    const payer = payerKey(tx)
    let byCurrency = groups.get(tx.accountId)
    if (byCurrency === undefined) groups.set(tx.accountId, (byCurrency = new Map()))
    let byPayer = byCurrency.get(tx.currency)
    if (byPayer === undefined) byCurrency.set(tx.currency, (byPayer = new Map()))
    let list = byPayer.get(payer)
    if (list === undefined) {
      byPayer.set(payer, (list = []))
      ordered.push({ payer, incomes: list })
    }
    list.push({ tx, cents: toCents(tx.amount), day: dayNumber(tx.valueDate), type: reading(tx.description).type })
  }

  const found: { payer: string; band: Income[]; stream: IncomeStream }[] = []
  for (const { payer, incomes } of ordered) {
    for (const band of amountBands(incomes)) {
      const stream = streamOf(payer, band, window, firstDay.get(band[0].tx.accountId) ?? window.from)
      if (stream) found.push({ payer, band, stream })
    }
  }
  const streams = withExtraPayments(found, window, firstDay)

  const allowed = options.allowedIncomeTypes && options.allowedIncomeTypes.length > 0 ? new Set(options.allowedIncomeTypes) : undefined
  const minimum = RANK[options.minimumConfidence ?? 'LOW']
  return streams
    .filter((s) => (!allowed || allowed.has(s.incomeType)) && RANK[s.confidence] >= minimum)
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || b.totalCents - a.totalCents || a.payer.localeCompare(b.payer))
}

/** The types that pay extras around a regular income: bonuses, 13th salaries and pensions, extra mesadas. */
const EXTRA_PAYMENT_TYPES: ReadonlySet<IncomeType> = new Set(['SALARY', 'RETIREMENT', 'GOVERNMENT'])

/**
 * A one-off extra payment (an aguinaldo, a 13th salary or pension, a prima de servicios, a
 * pension's mesada adicional: SINGLE, or two payments at no rhythm, of a salary, pension or
 * government type by its words) is part of the regular income it comes with, not a stream of its
 * own: it joins the regular stream on the same account and currency whose payer shares a word with
 * it ("13 SALARIO INSS" and the INSS pension), else the only regular stream of its type there.
 * Without one it stays a stream of its own (SINGLE, as Belvo's frequency enum allows).
 */
function withExtraPayments(
  found: { payer: string; band: Income[]; stream: IncomeStream }[],
  window: { from: number; to: number },
  firstDay: Map<string, number>,
): IncomeStream[] {
  const extraKind = (s: IncomeStream) =>
    EXTRA_PAYMENT_TYPES.has(s.incomeType) && (s.frequency === 'SINGLE' || (s.frequency === 'IRREGULAR' && s.numberOfIncomes <= 2))
  const joined = new Set<number>()
  const extra = new Map<number, Income[]>()
  found.forEach((one, i) => {
    if (!extraKind(one.stream)) return
    const sameAccount = found
      .map((other, j) => ({ other, j }))
      .filter(
        ({ other }) => REGULAR.has(other.stream.frequency) && other.stream.accountId === one.stream.accountId && other.stream.currency === one.stream.currency,
      )
    const words = new Set(one.payer.split(' '))
    const sharing = sameAccount.filter(({ other }) => other.payer.split(' ').some((word) => words.has(word)))
    const sameType = sameAccount.filter(({ other }) => other.stream.incomeType === one.stream.incomeType)
    const target = sharing.length === 1 ? sharing[0] : sameType.length === 1 ? sameType[0] : undefined
    if (!target) return
    joined.add(i)
    extra.set(target.j, [...(extra.get(target.j) ?? []), ...one.band])
  })
  const streams: IncomeStream[] = []
  found.forEach((one, i) => {
    if (joined.has(i)) return
    const more = extra.get(i)
    if (!more) return streams.push(one.stream)
    const band = [...one.band, ...more].sort((a, b) => a.day - b.day || a.tx.id.localeCompare(b.tx.id))
    streams.push(streamOf(one.payer, band, window, firstDay.get(band[0].tx.accountId) ?? window.from) ?? one.stream)
  })
  return streams
}

/** The group's type: the keyword type most of its incomes carry, strong types first. */
function typeOf(band: readonly Income[]): { type: IncomeType; strong: boolean } {
  const votes = new Map<IncomeType, number>()
  for (const income of band) votes.set(income.type, (votes.get(income.type) ?? 0) + 1)
  const ranked = [...votes].sort((a, b) => Number(STRONG_TYPES.has(b[0])) - Number(STRONG_TYPES.has(a[0])) || b[1] - a[1])
  const [type] = ranked[0]
  return { type, strong: STRONG_TYPES.has(type) }
}

/**
 * A named payer (a document, or a name in the description) who paid at least five times, in four
 * rolling months or more, over at least three months: a client paying a freelancer's invoices (irregular in time and amount). Fewer payments
 * (a friend paying back, a sale now and then) are not income by themselves.
 */
function repeatedPayer(band: readonly Income[]): boolean {
  // "TRANSFERENCIA RECIBIDA" fifty times is many senders, not one client.
  if (!band.every((i) => i.tx.counterpartyDocument || reading(i.tx.description).named)) return false
  const days = [...new Set(band.map((i) => i.day))]
  if (days.length < 5) return false
  const months = new Set(band.map((i) => Math.floor(i.day / ROLLING_MONTH)))
  return months.size >= 4 && Math.max(...days) - Math.min(...days) >= 90
}

/** A group of incomes as a stream, or null when the rules do not make it one. */
function streamOf(payer: string, band: Income[], window: { from: number; to: number }, dataFrom: number): IncomeStream | null {
  const typed = typeOf(band)
  const { strong } = typed
  let type = typed.type
  const found = rhythmOf(band.map((i) => i.day))
  // A median interval of a month with most payments off the monthly rhythm is no defined frequency (Belvo: IRREGULAR).
  const rhythm: Rhythm = REGULAR.has(found.frequency) && (found.regularity ?? 0) < 0.5 ? irregularRhythm(band.map((i) => i.day)) : found
  const n = band.length
  const cents = band.map((i) => i.cents)
  const stability = rhythm.frequency === 'SINGLE' ? null : stabilityOf(cents)
  const regular = REGULAR.has(rhythm.frequency)

  // Which rule makes it a stream.
  let rule: string
  if (rhythm.frequency === 'SINGLE') {
    // One income is a stream only when its words say what income it is.
    if (!strong) return null
    rule = 'single_with_keyword'
  } else if (regular && (rhythm.regularity ?? 0) >= 0.5 && (strong || (n >= 3 && (stability ?? 0) >= 0.5))) {
    rule = strong ? 'recurring_with_keyword' : 'recurring'
  } else if (strong) {
    rule = 'repeated_with_keyword'
  } else if (repeatedPayer(band)) {
    rule = 'repeated_payer'
  } else {
    // Two look-alike transfers, or transfers at no rhythm, with nothing naming an income: not a stream.
    return null
  }
  // A company paying the same amount at a payroll rhythm, with no words for it, pays a salary.
  const companyPayroll = !strong && regular && (stability ?? 0) >= 0.8 && band.some((i) => reading(i.tx.description).company)
  if (companyPayroll) type = 'SALARY'
  // A payer who pays again and again at no rhythm, with no words for it: a client paying a freelancer's work.
  if (rule === 'repeated_payer') type = 'FREELANCE'

  // Periods: rolling months of 30 days counted back from the window's last day (the window's
  // days / 30, rounded: a year is 12 of them), those with data from the account's first day.
  const lookbackPeriods = Math.max(1, Math.round((window.to - window.from + 1) / ROLLING_MONTH))
  const fullPeriods = Math.min(lookbackPeriods, Math.max(1, Math.round((window.to - Math.max(window.from, dataFrom) + 1) / ROLLING_MONTH)))
  const periods = new Set(band.map((i) => Math.floor((window.to - i.day) / ROLLING_MONTH)))
  const periodsWithIncome = periods.size
  const months = new Map<string, number>()
  for (const income of band) months.set(income.tx.valueDate.slice(0, 7), (months.get(income.tx.valueDate.slice(0, 7)) ?? 0) + income.cents)

  const totalCents = cents.reduce((sum, c) => sum + c, 0)
  const last = band[band.length - 1]
  const confidence = confidenceOf({
    regular,
    regularity: rhythm.regularity,
    stability,
    strong,
    n,
    periodsWithIncome,
    last: last.day,
    period: rhythm.period,
    windowTo: window.to,
  })
  return {
    accountId: last.tx.accountId,
    incomeType: type,
    frequency: rhythm.frequency,
    confidence,
    transactionIds: band.map((i) => i.tx.id),
    rule: `${rule}; type ${strong ? 'by keyword' : companyPayroll ? 'by company payer at a payroll rhythm' : type === 'UNKNOWN' ? 'unknown' : `by description (${type.toLowerCase()})`}`,
    payer,
    currency: last.tx.currency,
    totalCents,
    monthlyAverage: totalCents / periodsWithIncome / 100,
    monthlyMedian: median([...months.values()]) / 100,
    averageIncomeAmount: totalCents / n / 100,
    lastIncomeAmount: last.cents / 100,
    lastIncomeDescription: last.tx.description,
    lastIncomeDate: last.tx.valueDate.slice(0, 10),
    stability,
    regularity: rhythm.regularity,
    trend: rhythm.frequency === 'SINGLE' ? null : trendOf(cents),
    lookbackPeriods,
    fullPeriods,
    periodsWithIncome,
    numberOfIncomes: n,
  }
}

/**
 * Confidence that the income goes on (Belvo: "confidence for future incomes"):
 * - HIGH: a regular frequency, regularity >= 0.75, stability >= 0.75, at least three incomes,
 *   and either keywords naming the income or incomes in six rolling months;
 * - MEDIUM: a regular frequency with regularity >= 0.5 (a missed period or two), or an irregular
 *   stream of three or more incomes that keywords name;
 * - LOW: everything else (single incomes, two irregular ones).
 * A stream whose last income is more than two periods (or 60 days, when irregular) before the
 * window's end has stopped: one level lower.
 */
function confidenceOf(s: {
  regular: boolean
  regularity: number | null
  stability: number | null
  strong: boolean
  n: number
  periodsWithIncome: number
  last: number
  period: number | null
  windowTo: number
}): Confidence {
  const regularity = s.regularity ?? 0
  const stability = s.stability ?? 0
  let level: Confidence
  if (s.regular && regularity >= 0.75 && stability >= 0.75 && s.n >= 3 && (s.strong || s.periodsWithIncome >= 6)) level = 'HIGH'
  else if ((s.regular && regularity >= 0.5) || (s.strong && s.n >= 3)) level = 'MEDIUM'
  else level = 'LOW'
  const stale = s.windowTo - s.last > (s.period ? 2 * s.period + 6 : 60)
  if (stale && level !== 'LOW') level = level === 'HIGH' ? 'MEDIUM' : 'LOW'
  return level
}

// ---------------------------------------------------------------------------------------------
// Belvo's Income aggregates.

/**
 * Belvo's Income fields over `streams` of `txs`. Monthly averages divide the totals by the rolling
 * months with data (the streams' `full_periods`, at least one), so that regular + irregular and
 * low + medium + high add up to the overall figure. The best day to charge is the day of the month
 * that received the most income money (regular streams first), the good days the next three.
 */
export function summarizeIncomes(streams: readonly IncomeStream[], txs: readonly EnrichTransaction[], options: IncomeOptions): IncomeSummary {
  const window = incomeWindow(options)
  let first: number | null = null
  let last: number | null = null
  for (const tx of txs) {
    const day = dayNumber(tx.valueDate)
    if (day < window.from || day > window.to) continue
    if (first === null || day < first) first = day
    if (last === null || day > last) last = day
  }
  const months = Math.max(1, ...streams.map((s) => s.fullPeriods))
  const sum = (pick: (s: IncomeStream) => boolean) => streams.filter(pick).reduce((total, s) => total + s.totalCents, 0)
  const total = sum(() => true)
  const regular = sum((s) => REGULAR.has(s.frequency))
  const low = sum((s) => s.confidence === 'LOW')
  const medium = sum((s) => s.confidence === 'MEDIUM')
  const high = sum((s) => s.confidence === 'HIGH')

  // Days of the month by income money; regular streams count double (they will come again).
  const byDay = new Map<number, number>()
  const ids = new Map<string, number>()
  for (const stream of streams) for (const id of stream.transactionIds) ids.set(id, REGULAR.has(stream.frequency) ? 2 : 1)
  for (const tx of txs) {
    const weight = ids.get(tx.id)
    if (weight === undefined) continue
    const day = Number(tx.valueDate.slice(8, 10))
    byDay.set(day, (byDay.get(day) ?? 0) + weight * toCents(tx.amount))
  }
  const days = [...byDay].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([day]) => day)

  const money = (cents: number) => round2(cents / 100)
  return {
    streams: [...streams],
    firstTransactionDate: first === null ? null : dateOf(first),
    lastTransactionDate: dateOf(last ?? window.to),
    bestWorkingDayToCharge: days[0] ?? 1,
    goodWorkingDaysToCharge: days.slice(1, 4),
    monthlyAverage: money(total / months),
    monthlyAverageRegular: money(regular / months),
    monthlyAverageIrregular: money((total - regular) / months),
    monthlyAverageLowConfidence: money(low / months),
    monthlyAverageMediumConfidence: money(medium / months),
    monthlyAverageHighConfidence: money(high / months),
    totalIncomeAmount: money(total),
    totalRegularIncomeAmount: money(regular),
    totalIrregularIncomeAmount: money(total - regular),
    totalLowConfidence: money(low),
    totalMediumConfidence: money(medium),
    totalHighConfidence: money(high),
  }
}

/** A stream as Belvo's `IncomeStreamsBody`, with `account_id` as the caller names accounts. */
export function incomeStreamBody(stream: IncomeStream, accountId: string = stream.accountId): Record<string, unknown> {
  return {
    account_id: accountId,
    income_type: stream.incomeType,
    frequency: stream.frequency,
    monthly_average: round2(stream.monthlyAverage),
    monthly_median: round2(stream.monthlyMedian),
    average_income_amount: round2(stream.averageIncomeAmount),
    last_income_amount: stream.lastIncomeAmount,
    currency: stream.currency,
    last_income_description: stream.lastIncomeDescription,
    last_income_date: stream.lastIncomeDate,
    stability: stream.stability,
    regularity: stream.regularity,
    trend: stream.trend,
    lookback_periods: stream.lookbackPeriods,
    full_periods: stream.fullPeriods,
    periods_with_income: stream.periodsWithIncome,
    number_of_incomes: stream.numberOfIncomes,
    confidence: stream.confidence,
  }
}

/** Belvo's `Income` fields (without `id`, `link`, `created_at`), accounts named by `accountName`. */
export function incomeBody(summary: IncomeSummary, accountName: (accountId: string) => string = (id) => id): Record<string, unknown> {
  return {
    income_streams: summary.streams.map((stream) => incomeStreamBody(stream, accountName(stream.accountId))),
    income_source_type: 'BANK',
    first_transaction_date: summary.firstTransactionDate,
    last_transaction_date: summary.lastTransactionDate,
    best_working_day_to_charge: summary.bestWorkingDayToCharge,
    good_working_days_to_charge: summary.goodWorkingDaysToCharge,
    number_of_income_streams: summary.streams.length,
    monthly_average: summary.monthlyAverage,
    monthly_average_regular: summary.monthlyAverageRegular,
    monthly_average_irregular: summary.monthlyAverageIrregular,
    monthly_average_low_confidence: summary.monthlyAverageLowConfidence,
    monthly_average_medium_confidence: summary.monthlyAverageMediumConfidence,
    monthly_average_high_confidence: summary.monthlyAverageHighConfidence,
    total_income_amount: summary.totalIncomeAmount,
    total_regular_income_amount: summary.totalRegularIncomeAmount,
    total_irregular_income_amount: summary.totalIrregularIncomeAmount,
    total_low_confidence: summary.totalLowConfidence,
    total_medium_confidence: summary.totalMediumConfidence,
    total_high_confidence: summary.totalHighConfidence,
  }
}
