import { addMonths, daysInMonth, formatDay, lastBusinessDay, monthEnd, monthStart, yearMonthOf, type Day, type YearMonth } from '../calendar.ts'
import { plainUpper, rfcCompany } from '../documents.ts'
import { hashUuid, Rng, seedKey, withFaker } from '../random.ts'
import { REFERENCE_DAY, type World } from '../world.ts'
import validateRfcModule from 'validate-rfc'

/**
 * The one Mexican taxpayer of a link at the SAT (tatooine_mx_fiscal) and their business, month by
 * month. Every SAT resource reads this module, so the RFC, the regimes, the activities and the
 * address agree across tax status, compliance opinion, invoices, retentions and tax returns, and
 * the returns add up the same invoices the invoice list shows. Amounts are integer centavos; a
 * CFDI prints them with two decimals.
 *
 * Who the taxpayer is: a login that is a valid RFC is that taxpayer (12 characters: a company,
 * "persona moral"; 13: a person, "persona física"); any other login (the fiscal personas) is the
 * link's owner, a person with a salary and a professional activity of their own.
 */

// validate-rfc is CommonJS with a default export: under Node's ESM loader it arrives as `{ default }`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcModule as unknown as { default?: ValidateRfc }).default ?? validateRfcModule) as unknown as ValidateRfc

export type TaxpayerKind = 'PERSONAL' | 'BUSINESS'

/** A regime of SAT's catalog c_RegimenFiscal. */
export interface Regime {
  code: string
  description: string
  start: Day
}

export interface Activity {
  order: number
  description: string
  /** Share of the taxpayer's income, in percent; the shares add up to 100. */
  percentage: number
  start: Day
}

export interface Obligation {
  description: string
  due: string
  start: Day
}

/** Someone the taxpayer invoices or is invoiced by (always a company here, with its own regime). */
export interface Counterparty {
  rfc: string
  /** As CFDI 4.0 writes it: the name registered at the SAT, without the company's legal form. */
  name: string
  regime: string
  zipCode: string
}

export interface MexicoTaxpayer {
  kind: TaxpayerKind
  rfc: string
  /** The registered name (CFDI 4.0): "NOMBRE APELLIDO APELLIDO" for a person, the company name without its legal form. */
  name: string
  /** A person's CURP; null for a company. */
  curp: string | null
  firstName: string | null
  lastName: string | null
  secondLastName: string | null
  /** A company's legal form (régimen de capital), printed after the name outside the CFDI. */
  legalForm: string | null
  /** Inicio de operaciones: the day the taxpayer registered at the SAT. */
  startDay: Day
  regimes: Regime[]
  activities: Activity[]
  obligations: Obligation[]
  address: {
    street: string
    exteriorNumber: string
    interiorNumber: string | null
    neighbourhood: string
    municipality: string
    state: string
    zipCode: string
  }
  email: string
  phone: string
  /** The regime the taxpayer invoices under (the issuer's RegimenFiscal of their sales). */
  invoicingRegime: string
  /** A person's employer, who pays their salary and stamps a payroll CFDI each month; null for a company. */
  employer: Counterparty | null
  monthlySalaryCents: number
  customers: Counterparty[]
  suppliers: Counterparty[]
}

export const REGIMES: Record<string, string> = {
  '601': 'General de Ley Personas Morales',
  '605': 'Sueldos y Salarios e Ingresos Asimilados a Salarios',
  '612': 'Personas Físicas con Actividades Empresariales y Profesionales',
}

const PERSON_ACTIVITIES = [
  'Servicios de consultoría en computación',
  'Servicios de diseño gráfico',
  'Otros servicios profesionales, científicos y técnicos',
  'Servicios de contabilidad y auditoría',
  'Agencias de publicidad',
]
const COMPANY_ACTIVITIES = [
  'Comercio al por mayor de equipo y accesorios de cómputo',
  'Edición de software y edición de software integrada con la reproducción de software',
  'Servicios de consultoría en administración',
  'Comercio al por mayor de mobiliario y equipo de oficina',
  'Servicios de preparación de alimentos para ocasiones especiales',
]

/** What a sale or a purchase is: SAT's product and unit codes (c_ClaveProdServ, c_ClaveUnidad) and the concept's text. */
export interface Product {
  code: string
  unitCode: string
  unit: string
  description: string
  /** Unit price range in centavos for a full-volume taxpayer. */
  price: readonly [number, number]
}

const SALES: Record<TaxpayerKind, readonly Product[]> = {
  PERSONAL: [
    { code: '81111500', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Desarrollo de software a la medida', price: [800_000, 4_500_000] },
    { code: '80101500', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Consultoría en procesos de negocio', price: [500_000, 2_800_000] },
    { code: '81112200', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Mantenimiento y soporte de sistemas', price: [300_000, 1_500_000] },
  ],
  BUSINESS: [
    { code: '43211503', unitCode: 'H87', unit: 'Pieza', description: 'Computadora portátil', price: [1_400_000, 3_800_000] },
    { code: '43211706', unitCode: 'H87', unit: 'Pieza', description: 'Teclado inalámbrico', price: [45_000, 160_000] },
    { code: '81111500', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Implementación de sistemas', price: [2_500_000, 18_000_000] },
    { code: '56101700', unitCode: 'H87', unit: 'Pieza', description: 'Escritorio de oficina', price: [350_000, 1_200_000] },
  ],
}

const PURCHASES: readonly Product[] = [
  { code: '81112100', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Servicio de internet empresarial', price: [59_900, 189_900] },
  { code: '44121600', unitCode: 'H87', unit: 'Pieza', description: 'Papelería y artículos de oficina', price: [8_000, 95_000] },
  { code: '15101514', unitCode: 'LTR', unit: 'Litro', description: 'Gasolina Magna', price: [2_249, 2_449] },
  { code: '80131502', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Arrendamiento de oficina', price: [850_000, 2_400_000] },
  { code: '43233200', unitCode: 'E48', unit: 'Unidad de servicio', description: 'Licencias de software de seguridad', price: [120_000, 650_000] },
]

/** Persons' sales to companies: the company withholds 10% ISR and two thirds of the 16% VAT (LISR 106, LIVA 1-A). */
export const VAT_PERCENT = 16
export const ISR_WITHHOLDING_PERCENT = 10
/** Two thirds of 16%, as SAT's TasaOCuota writes it (six decimals). */
export const VAT_WITHHOLDING_RATE = '0.106667'

export interface ConceptPlan {
  product: Product
  quantity: number
  unitPriceCents: number
  discountCents: number
}

/** One CFDI's economics, before the invoice generator writes it out. */
export interface InvoicePlan {
  /** OUTFLOW: issued by the taxpayer (a sale, or nothing else here); INFLOW: received (a purchase or the payroll). */
  direction: 'INFLOW' | 'OUTFLOW'
  /** CFDI TipoDeComprobante: I (ingreso) or N (nómina). Payment complements (P) follow from PPD plans. */
  voucherType: 'I' | 'N'
  uuid: string
  series: string
  folio: string
  day: Day
  /** Second of the day it was issued, Mexico City time. */
  second: number
  counterparty: Counterparty
  /** PUE: paid in one exhibition; PPD: paid later (on `paidOn`), with a payment complement. */
  paymentMethod: 'PUE' | 'PPD'
  /** c_FormaPago: 03 transfer, 04 credit card, 28 debit card, 99 to be defined (PPD). */
  paymentForm: string
  paidOn: Day | null
  /** c_UsoCFDI of the receiver. */
  usage: string
  concepts: ConceptPlan[]
  /** Whether the receiver withholds ISR and VAT (a person's professional fees paid by a company). */
  withholds: boolean
  cancelled: boolean
  /** Payroll only: gross pay, ISR and social security deducted, in centavos. */
  payroll: { grossCents: number; isrCents: number; socialSecurityCents: number; paidDays: number } | null
}

/** The totals of a CFDI (its SubTotal, Descuento, taxes and Total), in centavos. */
export interface InvoiceAmounts {
  subtotal: number
  discount: number
  transferredVat: number
  withheldIsr: number
  withheldVat: number
  total: number
}

/** The VAT base of a concept: its amount less its discount. */
export const conceptBase = (c: ConceptPlan) => c.quantity * c.unitPriceCents - c.discountCents

/** Centavos of a percentage of a base, rounded half up as the SAT accepts. */
const percentOf = (base: number, percent: number) => Math.floor((base * percent + 50) / 100)
const withheldVatOf = (base: number) => Math.floor((base * 106_667 + 500_000) / 1_000_000)

/** Per concept taxes: what the CFDI's Traslado and Retencion nodes say for one concept. */
export function conceptTaxes(plan: InvoicePlan, concept: ConceptPlan): { vat: number; isr: number; withheldVat: number } {
  if (plan.voucherType === 'N') return { vat: 0, isr: 0, withheldVat: 0 }
  const base = conceptBase(concept)
  return {
    vat: percentOf(base, VAT_PERCENT),
    isr: plan.withholds ? percentOf(base, ISR_WITHHOLDING_PERCENT) : 0,
    withheldVat: plan.withholds ? withheldVatOf(base) : 0,
  }
}

/** The invoice's totals: subtotal minus discount plus transferred taxes minus withheld taxes is the total, exactly. */
export function invoiceAmounts(plan: InvoicePlan): InvoiceAmounts {
  if (plan.payroll) {
    const { grossCents, isrCents, socialSecurityCents } = plan.payroll
    const discount = isrCents + socialSecurityCents
    return { subtotal: grossCents, discount, transferredVat: 0, withheldIsr: 0, withheldVat: 0, total: grossCents - discount }
  }
  let subtotal = 0
  let discount = 0
  let transferredVat = 0
  let withheldIsr = 0
  let withheldVat = 0
  for (const concept of plan.concepts) {
    const taxes = conceptTaxes(plan, concept)
    subtotal += concept.quantity * concept.unitPriceCents
    discount += concept.discountCents
    transferredVat += taxes.vat
    withheldIsr += taxes.isr
    withheldVat += taxes.withheldVat
  }
  return { subtotal, discount, transferredVat, withheldIsr, withheldVat, total: subtotal - discount + transferredVat - withheldIsr - withheldVat }
}

/** A row of an ISR table (LISR art. 96 monthly, art. 152 yearly): lower limit, fixed fee (centavos) and rate on the excess (percent). */
export type IsrBracket = readonly [lowerCents: number, fixedCents: number, ratePercent: number]

/** The monthly ISR table of 2024 (Anexo 8 of the RMF). */
export const MONTHLY_ISR: readonly IsrBracket[] = [
  [1, 0, 1.92],
  [74_605, 1_432, 6.4],
  [633_206, 37_183, 10.88],
  [1_112_802, 89_363, 16],
  [1_293_583, 118_288, 17.92],
  [1_548_772, 164_018, 21.36],
  [3_123_650, 500_412, 23.52],
  [4_923_301, 923_689, 30],
  [9_399_391, 2_266_517, 32],
  [12_532_521, 3_269_118, 34],
  [37_597_562, 11_791_232, 35],
]

/** The yearly ISR table of 2024 (the monthly one times twelve). */
export const YEARLY_ISR: readonly IsrBracket[] = [
  [1, 0, 1.92],
  [895_250, 17_188, 6.4],
  [7_598_456, 446_194, 10.88],
  [13_353_608, 1_072_355, 16],
  [15_522_981, 1_419_454, 17.92],
  [18_585_258, 1_968_213, 21.36],
  [37_483_789, 6_004_940, 23.52],
  [59_079_600, 11_084_274, 30],
  [112_792_685, 27_198_199, 32],
  [150_390_247, 39_229_417, 34],
  [451_170_738, 141_494_785, 35],
]

/** ISR of a taxable base by a table: the bracket's fixed fee plus its rate on the excess over the lower limit. */
export function isrByTable(baseCents: number, table: readonly IsrBracket[]): number {
  if (baseCents <= 0) return 0
  let bracket = table[0]
  for (const row of table) if (baseCents >= row[0]) bracket = row
  return bracket[1] + Math.round(((baseCents - bracket[0]) * bracket[2]) / 100)
}

/** Companies' income tax rate (LISR art. 9), in percent. */
export const CORPORATE_ISR_PERCENT = 30

/** The employee's social security quotas (IMSS), as a share of the gross salary: about 2.775%. */
const SOCIAL_SECURITY_PER_MILLE = 27.75

const COMPANY_FORMS = ['SA DE CV', 'S DE RL DE CV', 'SAPI DE CV']

/** A company name as CFDI 4.0 wants it: the SAT's registered name in capitals, without its legal form (SA DE CV ...). */
export function registeredName(name: string): string {
  const words = plainUpper(name)
    .replace(/\s+(SAB|SAPI|SA|S DE RL|SC|SL|SRL|AC)(\s+DE\s+CV)?$/, '')
    .split(/\s+/)
    .filter(Boolean)
  return words.slice(0, 4).join(' ')
}

function counterparties(key: string, count: number, regime: string, rng: Rng, taken: Set<string>): Counterparty[] {
  const names = withFaker('MX', key, (faker) => Array.from({ length: count * 2 }, () => registeredName(faker.company.name())))
  const out: Counterparty[] = []
  for (const name of names) {
    if (out.length === count) break
    if (!name || taken.has(name)) continue
    const rfc = rfcCompany(rng, name, formatDay(addMonths(REFERENCE_DAY, -rng.int(36, 300))))
    if (taken.has(rfc)) continue
    taken.add(name).add(rfc)
    out.push({ rfc, name, regime, zipCode: String(rng.int(1000, 99_999)).padStart(5, '0') })
  }
  return out
}

/** The volume of a month's business per data set: sales and purchases a month, and how large. */
function volumeOf(world: World): { sales: number; purchases: number; scale: number } | null {
  switch (world.profile.kind) {
    case 'nodata':
      return null
    case 'low':
      return { sales: 1, purchases: 1, scale: 0.3 }
    case 'negative':
      // Spending more than it earns: few small sales, many purchases.
      return { sales: 2, purchases: 6, scale: 0.5 }
    default:
      return { sales: 6, purchases: 4, scale: 1 }
  }
}

const cache = new Map<string, MexicoTaxpayer>()

/** The link's taxpayer (see the module comment). A pure function of the link's world. */
export function mexicoTaxpayer(world: World): MexicoTaxpayer {
  const login = world.username.toUpperCase()
  const key = seedKey(world.key, 'sat-taxpayer', login)
  const cached = cache.get(key)
  if (cached) return cached
  const rng = new Rng(key)
  const loginRfc = validateRfc(login).isValid ? login : null
  const kind: TaxpayerKind = loginRfc?.length === 12 ? 'BUSINESS' : 'PERSONAL'
  const owner = world.owner
  const startDay = addMonths(REFERENCE_DAY, -rng.int(36, 120)) - rng.int(0, 27)
  const taken = new Set<string>()
  let taxpayer: MexicoTaxpayer
  const address = {
    street: owner.address.street,
    exteriorNumber: owner.address.number,
    interiorNumber: owner.address.complement,
    neighbourhood: owner.address.district,
    municipality: owner.address.city.name,
    state: owner.address.city.state,
    zipCode: owner.address.postal,
  }
  const activityNames = rng.shuffled(kind === 'BUSINESS' ? COMPANY_ACTIVITIES : PERSON_ACTIVITIES).slice(0, 2)
  const firstShare = rng.pick([60, 70, 80, 100])
  const activities: Activity[] = activityNames
    .slice(0, firstShare === 100 ? 1 : 2)
    .map((description, i) => ({ order: i + 1, description, percentage: i === 0 ? firstShare : 100 - firstShare, start: startDay }))
  if (kind === 'BUSINESS') {
    const companyName = withFaker('MX', seedKey(key, 'company'), (faker) => registeredName(faker.company.name()))
    const rfc = loginRfc ?? rfcCompany(rng, companyName, formatDay(startDay))
    taken.add(rfc).add(companyName)
    taxpayer = {
      kind,
      rfc,
      name: companyName,
      curp: null,
      firstName: null,
      lastName: null,
      secondLastName: null,
      legalForm: rng.pick(COMPANY_FORMS),
      startDay,
      regimes: [{ code: '601', description: REGIMES['601'], start: startDay }],
      activities,
      obligations: [
        {
          description: 'Declaración anual de ISR del ejercicio Personas morales.',
          due: 'A más tardar el 31 de marzo del ejercicio siguiente.',
          start: startDay,
        },
        {
          description: 'Pago provisional mensual de ISR personas morales régimen general',
          due: 'A más tardar el día 17 del mes inmediato posterior.',
          start: startDay,
        },
        { description: 'Declaración de proveedores de IVA', due: 'A más tardar el último día del mes inmediato posterior.', start: startDay },
        { description: 'Pago definitivo mensual de IVA.', due: 'A más tardar el día 17 del mes inmediato posterior.', start: startDay },
      ],
      address,
      email: `contacto@${companyName.split(' ')[0].toLowerCase()}.com.mx`,
      phone: `${owner.phone.area}${owner.phone.number}`,
      invoicingRegime: '601',
      employer: null,
      monthlySalaryCents: 0,
      customers: counterparties(seedKey(key, 'customers'), 8, '601', rng, taken),
      suppliers: counterparties(seedKey(key, 'suppliers'), 5, '601', rng, taken),
    }
  } else {
    const rfc = loginRfc ?? owner.document.number
    taken.add(rfc)
    const name = plainUpper(`${owner.firstName} ${owner.lastName} ${owner.secondLastName}`).replace(/\s+/g, ' ').trim()
    const employerRfc = world.employer.document
    const employer: Counterparty = {
      rfc: employerRfc,
      name: registeredName(world.employer.name),
      regime: '601',
      zipCode: String(rng.int(1000, 99_999)).padStart(5, '0'),
    }
    taken.add(employerRfc)
    taxpayer = {
      kind,
      rfc,
      name,
      curp: personCurp(rfc, owner.gender, rng),
      firstName: plainUpper(owner.firstName),
      lastName: plainUpper(owner.lastName),
      secondLastName: plainUpper(owner.secondLastName),
      legalForm: null,
      startDay,
      regimes: [
        { code: '605', description: REGIMES['605'], start: addMonths(startDay, -rng.int(12, 60)) },
        { code: '612', description: REGIMES['612'], start: startDay },
      ],
      activities,
      obligations: [
        { description: 'Declaración anual de ISR. Personas Físicas.', due: 'A más tardar el 30 de abril del ejercicio siguiente.', start: startDay },
        {
          description: 'Pago provisional mensual de ISR por actividades empresariales. Régimen de Actividades Empresariales y Profesionales',
          due: 'A más tardar el día 17 del mes inmediato posterior.',
          start: startDay,
        },
        { description: 'Pago definitivo mensual de IVA.', due: 'A más tardar el día 17 del mes inmediato posterior.', start: startDay },
      ],
      address,
      email: owner.email,
      phone: `${owner.phone.area}${owner.phone.number}`,
      invoicingRegime: '612',
      employer,
      monthlySalaryCents: world.monthlySalaryCents,
      customers: counterparties(seedKey(key, 'customers'), 6, '601', rng, taken),
      suppliers: counterparties(seedKey(key, 'suppliers'), 5, '601', rng, taken),
    }
  }
  cache.set(key, taxpayer)
  if (cache.size > 256) cache.delete(cache.keys().next().value as string)
  return taxpayer
}

/** A person's CURP from their RFC's first ten characters (same letters and birth date), sex and a state. */
function personCurp(rfc: string, gender: 'FEMALE' | 'MALE', rng: Rng): string {
  const consonants = 'BCDFGHJKLMNPQRSTVWXYZ'.split('')
  const century = Number(rfc.slice(4, 6)) > 30 ? String(rng.int(0, 9)) : rng.pick('ABCDEFGH'.split(''))
  return `${rfc.slice(0, 10)}${gender === 'FEMALE' ? 'M' : 'H'}${rng.pick(['DF', 'JC', 'NL', 'MC', 'PL', 'QT'])}${rng.pick(consonants)}${rng.pick(consonants)}${rng.pick(consonants)}${century}${rng.int(0, 9)}`
}

/** Mexico City's local second of a plan (the CFDI's Fecha has no zone; Mexico has kept UTC-6 all year since 2022). */
export const MEXICO_UTC_OFFSET = '-06:00'

const planCache = new Map<string, InvoicePlan[]>()

/**
 * The CFDIs of one month of the taxpayer's business, sales and purchases and (for a person) the
 * payroll, in issue order, whether or not they are issued by `world.today` (callers cut them). A
 * pure function of the taxpayer and the month: a month reads the same from any request window.
 */
export function monthPlans(world: World, taxpayer: MexicoTaxpayer, ym: YearMonth): InvoicePlan[] {
  const key = seedKey(world.key, 'sat-month', taxpayer.rfc, ym)
  const cached = planCache.get(key)
  if (cached) return cached
  const plans = buildMonth(world, taxpayer, ym, new Rng(key))
  planCache.set(key, plans)
  if (planCache.size > 2048) planCache.delete(planCache.keys().next().value as string)
  return plans
}

function buildMonth(world: World, taxpayer: MexicoTaxpayer, ym: YearMonth, rng: Rng): InvoicePlan[] {
  const volume = volumeOf(world)
  if (!volume || monthEnd(ym) < taxpayer.startDay) return []
  const first = Math.max(monthStart(ym), taxpayer.startDay)
  const days = monthEnd(ym) - first + 1
  const tag = `${ym}`
  const plans: InvoicePlan[] = []
  const concept = (product: Product, kind: 'sale' | 'purchase'): ConceptPlan => {
    const perLitre = product.unitCode === 'LTR'
    const quantity = perLitre ? rng.int(30, 60) : product.unitCode === 'H87' ? rng.int(1, 6) : 1
    const unitPriceCents = perLitre ? rng.int(product.price[0], product.price[1]) : Math.round(rng.int(product.price[0], product.price[1]) * volume.scale)
    // A tenth of the sales carry a commercial discount of 5 or 10%.
    const discountCents = kind === 'sale' && rng.chance(0.1) ? Math.round((quantity * unitPriceCents * rng.pick([5, 10])) / 100) : 0
    return { product, quantity, unitPriceCents, discountCents }
  }
  for (let i = 0; i < volume.sales; i++) {
    const product = rng.pick(SALES[taxpayer.kind])
    const deferred = rng.chance(0.3)
    const day = first + rng.int(0, days - 1)
    const concepts = [concept(product, 'sale')]
    if (taxpayer.kind === 'BUSINESS' && rng.chance(0.4)) concepts.push(concept(rng.pick(SALES.BUSINESS.filter((p) => p !== product)), 'sale'))
    plans.push({
      direction: 'OUTFLOW',
      voucherType: 'I',
      uuid: hashUuid(seedKey(tag, taxpayer.rfc, 'sale', i, world.key)).toUpperCase(),
      series: 'A',
      folio: `${ym % 10_000}${String(i + 1).padStart(2, '0')}`,
      day,
      second: rng.int(9 * 3600, 19 * 3600),
      counterparty: rng.pick(taxpayer.customers),
      paymentMethod: deferred ? 'PPD' : 'PUE',
      paymentForm: deferred ? '99' : '03',
      paidOn: deferred ? day + rng.int(15, 45) : null,
      usage: taxpayer.kind === 'BUSINESS' && product.unitCode === 'H87' ? 'G01' : 'G03',
      concepts,
      withholds: taxpayer.kind === 'PERSONAL',
      cancelled: rng.chance(0.03),
      payroll: null,
    })
  }
  for (let i = 0; i < volume.purchases; i++) {
    const product = rng.pick(PURCHASES)
    const supplier = rng.pick(taxpayer.suppliers)
    const day = first + rng.int(0, days - 1)
    plans.push({
      direction: 'INFLOW',
      voucherType: 'I',
      uuid: hashUuid(seedKey(tag, taxpayer.rfc, 'purchase', i, world.key)).toUpperCase(),
      series: 'F',
      folio: String(rng.int(10_000, 999_999)),
      day,
      second: rng.int(8 * 3600, 21 * 3600),
      counterparty: supplier,
      paymentMethod: 'PUE',
      paymentForm: rng.pick(['03', '04', '28']),
      paidOn: null,
      usage: 'G03',
      concepts: [concept(product, 'purchase')],
      withholds: false,
      cancelled: rng.chance(0.02),
      payroll: null,
    })
  }
  if (taxpayer.employer && taxpayer.monthlySalaryCents > 0) {
    const grossCents = taxpayer.monthlySalaryCents
    const day = lastBusinessDay('MX', ym)
    if (day >= first) {
      plans.push({
        direction: 'INFLOW',
        voucherType: 'N',
        uuid: hashUuid(seedKey(tag, taxpayer.rfc, 'payroll', world.key)).toUpperCase(),
        series: 'NOM',
        folio: String(ym % 100_000),
        day,
        second: rng.int(10 * 3600, 14 * 3600),
        counterparty: taxpayer.employer,
        paymentMethod: 'PUE',
        paymentForm: '99',
        paidOn: null,
        usage: 'CN01',
        concepts: [
          {
            product: { code: '84111505', unitCode: 'ACT', unit: 'Actividad', description: 'Pago de nómina', price: [grossCents, grossCents] },
            quantity: 1,
            unitPriceCents: grossCents,
            discountCents: 0,
          },
        ],
        withholds: false,
        cancelled: false,
        payroll: {
          grossCents,
          isrCents: isrByTable(grossCents, MONTHLY_ISR),
          socialSecurityCents: Math.round((grossCents * SOCIAL_SECURITY_PER_MILLE) / 1000),
          paidDays: daysInMonth(ym),
        },
      })
    }
  }
  return plans.sort((a, b) => a.day - b.day || a.second - b.second)
}

/** The plans issued from `from` to `to` (inclusive), and by `world.today`, oldest first. */
export function plansBetween(world: World, taxpayer: MexicoTaxpayer, from: Day, to: Day): InvoicePlan[] {
  const last = Math.min(to, world.today)
  const out: InvoicePlan[] = []
  for (let ym = yearMonthOf(from); ym <= yearMonthOf(last); ym = yearMonthOf(addMonths(monthStart(ym), 1))) {
    for (const plan of monthPlans(world, taxpayer, ym)) if (plan.day >= from && plan.day <= last) out.push(plan)
  }
  return out
}

/** A year's business as a tax return reports it: income and deductible purchases of the valid (not cancelled) CFDIs, in centavos. */
export interface YearTotals {
  /** Sales net of discounts (the VAT base of the OUTFLOW invoices). */
  salesCents: number
  /** Deductible purchases net of discounts. */
  purchasesCents: number
  /** Gross salary received (persons). */
  salaryCents: number
  /** ISR withheld by the employer on the salary. */
  salaryIsrCents: number
  /** ISR and VAT withheld by customers on the person's fees. */
  withheldIsrCents: number
  withheldVatCents: number
  /** VAT charged on sales and paid on purchases. */
  vatChargedCents: number
  vatPaidCents: number
}

/** Totals of no business at all: the start of every sum. */
export const NO_TOTALS: Readonly<YearTotals> = {
  salesCents: 0,
  purchasesCents: 0,
  salaryCents: 0,
  salaryIsrCents: 0,
  withheldIsrCents: 0,
  withheldVatCents: 0,
  vatChargedCents: 0,
  vatPaidCents: 0,
}

/** The totals of the months `from` to `to` (a year, or one month for a monthly return). */
export function totalsBetween(world: World, taxpayer: MexicoTaxpayer, from: Day, to: Day): YearTotals {
  const totals: YearTotals = { ...NO_TOTALS }
  for (const plan of plansBetween(world, taxpayer, from, to)) {
    if (plan.cancelled) continue
    const amounts = invoiceAmounts(plan)
    if (plan.payroll) {
      totals.salaryCents += plan.payroll.grossCents
      totals.salaryIsrCents += plan.payroll.isrCents
    } else if (plan.direction === 'OUTFLOW') {
      totals.salesCents += amounts.subtotal - amounts.discount
      totals.vatChargedCents += amounts.transferredVat
      totals.withheldIsrCents += amounts.withheldIsr
      totals.withheldVatCents += amounts.withheldVat
    } else {
      totals.purchasesCents += amounts.subtotal - amounts.discount
      totals.vatPaidCents += amounts.transferredVat
    }
  }
  return totals
}
