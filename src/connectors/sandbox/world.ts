import type { ConnectorContext, WireShape } from '../types.ts'
import { addMonths, formatDay, parseDay, type Day } from './calendar.ts'
import { cedula, clabeNumber, cnh, cnpj, cpf, mod11CheckDigit, nit, plainUpper, rfcCompany, rfcPerson } from './documents.ts'
import { curpBirthDate, namesFittingCurp } from './employment/curp.ts'
import { gigPlatformOf, typicalWeekCents, type GigPlan } from './gig.ts'
import { localeFor, type Bank, type City, type Locale, type Subscription, type Utility } from './locales.ts'
import { isOfMockBankUser, OFMOCKBANK_USER, parseProfile, type ProfileSpec } from './personas.ts'
import { hashDigits, hashHex, Rng, seedKey, withFaker, type SandboxCountry } from './random.ts'

/**
 * The "world" of one link: who the customer is, which accounts they hold and the parameters of
 * their financial story (salary, rent, bills, cards, loans). It is a pure function of the
 * connector context and small enough to rebuild on every call; the ledger turns it into
 * transactions month by month.
 */

export type AccountKind = 'primary' | 'reserve' | 'card' | 'loan'

export interface Party {
  kind: 'INDIVIDUAL' | 'COMPANY'
  name: string
  /** CPF/CNPJ (BR), RFC (MX), cédula/NIT (CO). */
  document: string
  bank: Bank
  agency: string
  account: string
  checkDigit: string
  /** MX: the counterparty's CLABE, used in SPEI descriptions. */
  clabe: string | null
}

export interface CardPlan {
  limitCents: number
  /** Statement closing day of month; the due date is `dueOffset` days later, same month. */
  cutDay: number
  dueOffset: number
  network: 'VISA' | 'MASTERCARD' | 'AMERICAN_EXPRESS' | 'ELO'
  tier: string
  /** Pays the full statement (false: pays part and revolves the rest, with interest). */
  fullPayer: boolean
  /** Revolvers: debt kept around this share of the limit. */
  debtShare: number
  monthlyInterest: number
  annualFeeMonth: number
  annualFeeCents: number
  subscriptions: { sub: Subscription; cents: number; day: number }[]
}

export interface LoanPlan {
  principalCents: number
  /** Monthly rate as a fraction (0.0189 = 1.89% a month). */
  monthlyRate: number
  installments: number
  startDay: Day
  installmentCents: number
  /** Days after the due date that the customer actually pays (0 = on time). */
  lateDays: number
  lateFeeCents: number
  contractNumber: string
  loanCode: string
  purpose: string
}

export interface AccountPlan {
  index: number
  kind: AccountKind
  /** Short unique tag inside internal ids (letters and digits only). */
  tag: string
  internalId: string
  /** First day the institution returns history for. */
  historyStart: Day
  /** Running-balance anchors (asset accounts and revolving cards): level and relative spread. */
  anchorCents: number
  anchorSpread: number
  overdraftLimitCents: number
  number: string
  agency: string | null
  checkDigit: string | null
  clabe: string | null
  last4: string | null
  name: string
  productType: string
  productSubtype: string
  bankProductId: string
  /** Scale persona: exactly DENSE_PER_DAY transactions every day. */
  dense: boolean
  card: CardPlan | null
  loan: LoanPlan | null
  /** The primary account that pays this card or loan (null: paid from outside the institution). */
  payerIndex: number | null
}

export interface Identity {
  firstName: string
  lastName: string
  secondLastName: string
  displayName: string
  birthDate: string
  gender: 'FEMALE' | 'MALE'
  maritalStatus: 'SINGLE' | 'MARRIED' | 'DIVORCED' | 'CIVIL_UNION'
  email: string
  /** Mobile phone: country code, area code ('' when the country has none) and subscriber number. */
  phone: { countryCode: string; area: string; number: string }
  address: { street: string; number: string; complement: string | null; district: string; city: City; postal: string }
  /** The main identity document: CPF (BR), RFC (MX), CC (CO). */
  document: { type: string; number: string }
  /** A second identity document (BR: driver's license, MX: voter card, CO: passport). */
  extraDocument: { type: string; number: string; checkDigit: string }
  /** Business links: the company behind the account. */
  company: {
    name: string
    tradeName: string
    document: { type: string; number: string }
    incorporationDate: string
    activityCode: string
    /** State tax registration (BR inscrição estadual); other countries reuse the tax id. */
    stateRegistration: string
  } | null
}

export interface World {
  key: string
  /** The login's username (a CURP on Mexican employment institutions: the worker's own). */
  username: string
  institution: string
  country: SandboxCountry
  shape: WireShape
  locale: Locale
  profile: ProfileSpec
  today: Day
  todayStr: string
  business: boolean
  owner: Identity
  /** The bank itself as a counterparty (clearing code, ISPB) for BR products. */
  bank: Bank
  /** The employer; at a gig platform (gig.ts), the platform itself. */
  employer: Party
  /** A gig platform's earnings account (goonies_*_gig, planet_*_gig): the work plan and the bank account payouts go to. */
  gig: (GigPlan & { payoutTo: Party }) | null
  monthlySalaryCents: number
  rentCents: number
  rentDay: number
  landlord: Party
  contacts: Party[]
  /** Customers and suppliers of a business link. */
  customers: Party[]
  suppliers: Party[]
  utilities: { utility: Utility; day: number }[]
  debitSubscriptions: { sub: Subscription; cents: number; day: number }[]
  /** Monthly spending on merchants, as shares of the salary, by debit card and by credit card. */
  debitSpendShare: number
  cardSpendShare: number
  customerSince: Day
  accounts: AccountPlan[]
}

export const DENSE_PER_DAY = 5

/**
 * The fixed calendar day every link's story is anchored to (account openings, loan contracts,
 * investment purchases, salary and rent levels). Anchoring to the sandbox's "today" instead made
 * already posted movements move (and change ids) whenever the clock advanced: a day posted on
 * date T must read the same on T+1, T+30 and later. Only "scale" (benchmark) and "low" (a
 * three-month history window) personas keep a history start relative to today, see buildAccounts.
 */
export const REFERENCE_DAY: Day = parseDay('2026-01-01')

function countryOf(ctx: ConnectorContext): SandboxCountry {
  return ctx.institution.country === 'BR' || ctx.institution.country === 'CO' ? ctx.institution.country : 'MX'
}

/**
 * A company's registered name as banks print it, from a faker company name: capitals, no
 * punctuation, the first two names ("Sánchez Uribe, Ponce y Asociados" -> "SANCHEZ URIBE").
 */
function companyUpper(value: string): string {
  const words = plainUpper(value.replace(/[-,&.]/g, ' '))
    .split(' ')
    .filter((w) => w.length > 1 && !['SA', 'SL', 'LTDA', 'Y', 'E', 'DE', 'DEL', 'ASOCIADOS', 'ASSOCIADOS'].includes(w))
  return words.slice(0, 2).join(' ')
}

/**
 * The name a company trades under: the first family name of its faker name, without the
 * punctuation around it ("Saraiva, Moraes e Costa" -> "Saraiva", "Braga-Reis" -> "Braga").
 */
function tradeNameOf(value: string): string {
  const words = value.split(/[\s,;&.-]+/).filter((w) => /^\p{Lu}/u.test(w))
  return words[0] ?? companyUpper(value)
}

function onlyAscii(value: string): string {
  return plainUpper(value).toLowerCase().replace(/ /g, '')
}

/** Surname tokens without particles ("de la Garza" -> "Garza"), so names and RFCs stay regular. */
function surnameTokens(value: string): string[] {
  return value.split(' ').filter((t) => t.length > 0 && t[0] === t[0].toUpperCase() && !/^(De|Del|La|Las|Los|Y|Da|Do|Dos|Das)$/.test(t))
}

function splitSurnames(country: SandboxCountry, raw: () => string): [string, string] {
  const first = surnameTokens(raw())
  if (first.length >= 2 && country !== 'BR') return [first[0], first[1]]
  let second = surnameTokens(raw())
  // Brazilian names carry two different family names (mother's and father's).
  for (let i = 0; i < 3 && second[second.length - 1] === first[0]; i++) second = surnameTokens(raw())
  return [first[0] ?? 'Silva', second[second.length - 1] ?? 'Santos']
}

function identity(
  world: { country: SandboxCountry; locale: Locale; key: string; institution: string; business: boolean },
  rng: Rng,
  username: string,
): Identity {
  const { country, locale } = world
  let gender: Identity['gender'] = rng.chance(0.5) ? 'FEMALE' : 'MALE'
  const birthYear = rng.int(1965, 2001)
  let birthDate = formatDay(parseDay(`${birthYear}-01-01`) + rng.int(0, 364))
  const city = rng.pick(locale.cities)
  const district = rng.pick(city.districts)
  const [person, street] = withFaker(country, seedKey(world.key, 'owner'), (faker) => {
    const first = faker.person.firstName(gender === 'FEMALE' ? 'female' : 'male')
    const [last, second] = splitSurnames(country, () => faker.person.lastName())
    return [{ first, last, second }, faker.location.street()] as const
  })
  let { first, last, second } = person
  if (isOfMockBankUser(world.institution, username)) [first, last, second] = ['Ralph', 'Bragg', '']
  // A worker who logs in with their CURP (Mexico's employment institutions) is the person it
  // describes: born that day, of that sex, with names whose letters are the CURP's.
  const fromCurp = namesFittingCurp(username.toUpperCase(), world.key, { firstName: first, lastName: last, secondLastName: second })
  if (fromCurp) {
    first = fromCurp.firstName
    last = fromCurp.lastName
    second = fromCurp.secondLastName
    gender = fromCurp.gender
    birthDate = curpBirthDate(username.toUpperCase()) ?? birthDate
  }
  const displayName = [first, last, second].filter(Boolean).join(' ')
  const email = `${onlyAscii(first)}.${onlyAscii(last)}${rng.int(1, 99)}@${rng.pick(locale.emailDomains)}`
  // Mexican numbers have 10 digits (lada included); Brazilian mobiles are DDD + 9 digits starting with 9.
  const area = city.phoneArea ?? ''
  const phoneDigits = hashDigits(seedKey(world.key, 'phone'), 9)
  const phoneNumber =
    country === 'BR'
      ? `9${phoneDigits.slice(0, 8)}`
      : country === 'MX'
        ? phoneDigits.slice(0, 10 - area.length)
        : `3${rng.int(0, 2)}${rng.int(0, 9)}${phoneDigits.slice(0, 7)}`
  const postal = String(rng.int(city.postal[0], city.postal[1])).padStart(country === 'BR' ? 8 : country === 'MX' ? 5 : 6, '0')
  const streetPrefix = country === 'CO' ? rng.pick(['Calle', 'Carrera', 'Avenida', 'Transversal']) : ''
  const streetName = country === 'CO' ? `${streetPrefix} ${rng.int(1, 140)}` : street
  const streetNumber = country === 'CO' ? `# ${rng.int(1, 120)}-${rng.int(1, 99)}` : String(rng.int(10, 2999))
  const complement = rng.chance(0.6)
    ? country === 'BR'
      ? `Apto ${rng.int(11, 182)}`
      : country === 'MX'
        ? `Depto ${rng.int(101, 904)}`
        : `Apto ${rng.int(101, 1204)}`
    : null

  let document: Identity['document']
  let extraDocument: Identity['extraDocument']
  if (country === 'BR') {
    document = { type: 'CPF', number: isOfMockBankUser(world.institution, username) ? OFMOCKBANK_USER.cpf : cpf(rng) }
    // CNH: 9 digits and 2 check digits (all-equal digits are invalid registrations).
    let base = hashDigits(seedKey(world.key, 'cnh'), 9)
    for (let i = 1; /^(\d)\1*$/.test(base); i++) base = hashDigits(seedKey(world.key, 'cnh', i), 9)
    const licence = cnh(base)
    extraDocument = { type: 'DRIVERS_LICENSE', number: licence.slice(0, 9), checkDigit: licence.slice(9) }
  } else if (country === 'MX') {
    document = { type: 'RFC', number: rfcPerson(rng, first, last, second, birthDate) }
    extraDocument = { type: 'ID_CARD', number: hashDigits(seedKey(world.key, 'ine'), 13), checkDigit: '' }
  } else {
    document = { type: 'CC', number: cedula(rng) }
    extraDocument = { type: 'PASSPORT', number: `AV${hashDigits(seedKey(world.key, 'passport'), 7)}`, checkDigit: '' }
  }

  let company: Identity['company'] = null
  if (world.business) {
    const companyName = withFaker(country, seedKey(world.key, 'company'), (faker) => faker.company.name())
    const suffix = country === 'BR' ? 'LTDA' : country === 'MX' ? 'SA DE CV' : 'S.A.S.'
    const name = `${companyUpper(companyName)} ${suffix}`
    const incorporationDate = formatDay(parseDay(`${rng.int(2004, 2019)}-01-01`) + rng.int(0, 364))
    const doc =
      country === 'BR'
        ? { type: 'CNPJ', number: cnpj(rng) }
        : country === 'MX'
          ? { type: 'RFC', number: rfcCompany(rng, name, incorporationDate) }
          : { type: 'NIT', number: nit(rng) }
    company = {
      name,
      tradeName: tradeNameOf(companyName),
      document: doc,
      incorporationDate,
      // CNAE 6201-5/01 (custom software), 4751-2/01 (IT retail), 7319-0/02 (marketing): plausible small businesses.
      activityCode: rng.pick(['6201501', '4751201', '7319002', '5611201']),
      stateRegistration: hashDigits(seedKey(world.key, 'ie'), 12),
    }
  }

  return {
    firstName: first,
    lastName: last,
    secondLastName: second,
    displayName,
    birthDate,
    gender,
    maritalStatus: rng.pick(['SINGLE', 'MARRIED', 'DIVORCED', 'CIVIL_UNION'] as const),
    email,
    phone: { countryCode: locale.phonePrefix, area, number: phoneNumber },
    address: { street: streetName, number: streetNumber, complement, district, city, postal },
    document,
    extraDocument,
    company,
  }
}

function party(country: SandboxCountry, locale: Locale, rng: Rng, name: string, kind: Party['kind']): Party {
  const bank = rng.pick(locale.banks)
  const account = country === 'BR' ? String(rng.int(10_000_000, 99_999_999)) : hashDigits(seedKey(name, rng.next()), 11)
  const document =
    country === 'BR'
      ? kind === 'INDIVIDUAL'
        ? cpf(rng)
        : cnpj(rng)
      : country === 'MX'
        ? kind === 'INDIVIDUAL'
          ? rfcPerson(rng, name.split(' ')[0], name.split(' ')[1] ?? 'X', name.split(' ')[2] ?? 'X', `19${rng.int(60, 99)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`)
          : rfcCompany(rng, name, `20${rng.int(10, 19)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`)
        : kind === 'INDIVIDUAL'
          ? cedula(rng)
          : nit(rng)
  return {
    kind,
    name,
    document,
    bank,
    agency: String(rng.int(1, 9999)).padStart(4, '0'),
    account,
    checkDigit: mod11CheckDigit(account),
    clabe: country === 'MX' ? clabeNumber(Number(bank.code), rng.pick([180, 320, 580, 650]), account) : null,
  }
}

function personNames(country: SandboxCountry, key: string, count: number): string[] {
  return withFaker(country, key, (faker) =>
    Array.from({ length: count }, () => {
      const [last, second] = splitSurnames(country, () => faker.person.lastName())
      return `${faker.person.firstName()} ${last} ${second}`
    }),
  )
}

function companyNames(country: SandboxCountry, key: string, count: number): string[] {
  const suffix = country === 'BR' ? 'LTDA' : country === 'MX' ? 'SA DE CV' : 'SAS'
  return withFaker(country, key, (faker) => Array.from({ length: count }, () => `${companyUpper(faker.company.name())} ${suffix}`))
}

function pickSubscriptions(rng: Rng, locale: Locale, count: number) {
  return rng
    .shuffled(locale.subscriptions)
    .slice(0, count)
    .map((sub) => ({ sub, cents: rng.pick(sub.pricesCents), day: rng.int(1, 28) }))
}

function pickUtilities(rng: Rng, locale: Locale, city: City, count: number) {
  // Colombian utilities depend on the city (EPM in Medellín, Enel in Bogotá); telecoms everywhere.
  const local = city.utilities ? locale.utilities.filter((u) => city.utilities!.includes(u.name) || u.subcategory === 'Telecommunications') : locale.utilities
  return local.slice(0, count).map((utility) => ({ utility, day: rng.int(5, 25) }))
}

/** Monthly installment of a French (Price) amortization, computed with repeated products only. */
export function installmentCents(principalCents: number, monthlyRate: number, n: number): number {
  let growth = 1
  for (let i = 0; i < n; i++) growth *= 1 + monthlyRate
  return Math.round((principalCents * monthlyRate * growth) / (growth - 1))
}

function accountNumbers(world: { country: SandboxCountry; key: string }, rng: Rng, index: number) {
  const number = world.country === 'BR' ? String(rng.int(10_000_000, 99_999_999)) : hashDigits(seedKey(world.key, 'acct', index), 11)
  return { number, checkDigit: mod11CheckDigit(number), agency: String(rng.int(1, 9999)).padStart(4, '0') }
}

interface Labels {
  primary: [string, string, string]
  reserve: [string, string, string]
  card: [string, string]
  loan: [string, string, string]
}

/** Product names and types per country and shape ([name, type, subtype] / [name, type]). */
function labels(country: SandboxCountry, shape: WireShape, business: boolean, gig: GigPlan | null): Labels {
  if (gig) {
    // A gig worker's earnings account at the platform: a prepaid payment account in Open Finance terms.
    const brand = gig.platform.brand
    const primary: [string, string, string] =
      shape === 'ofda' ? [`Conta de Ganhos ${brand}`, 'CONTA_PAGAMENTO_PRE_PAGA', 'INDIVIDUAL'] : [`Ganancias ${brand}`, 'Cuentas de efectivo', 'GANANCIAS']
    return { ...labels(country, shape, false, null), primary }
  }
  if (shape === 'ofda') {
    return {
      primary: [business ? 'Conta Corrente PJ' : 'Conta Corrente', 'CONTA_DEPOSITO_A_VISTA', 'INDIVIDUAL'],
      reserve: ['Conta Poupança', 'CONTA_POUPANCA', 'INDIVIDUAL'],
      card: [business ? 'Cartão Empresarial' : 'Cartão Platinum', 'PLATINUM'],
      loan: business
        ? ['Capital de Giro', 'EMPRESTIMOS', 'CAPITAL_GIRO_PRAZO_VENCIMENTO_ATE_365_DIAS']
        : ['Crédito Pessoal', 'EMPRESTIMOS', 'CREDITO_PESSOAL_SEM_CONSIGNACAO'],
    }
  }
  if (country === 'CO') {
    return {
      primary: ['Cuenta de Ahorros Nómina', 'Cuentas de ahorro', 'AHORROS'],
      reserve: ['Cuenta Corriente', 'Cuentas corrientes', 'CORRIENTE'],
      card: ['Tarjeta de Crédito Platinum', 'Tarjetas de crédito'],
      loan: ['Crédito de Libre Inversión', 'Créditos', 'LIBRE_INVERSION'],
    }
  }
  return {
    primary: [business ? 'Cuenta Empresarial - M.N.' : 'Cuenta Nómina - M.N.', 'Cuentas de efectivo', 'NOMINA'],
    reserve: ['Cuenta de Ahorro - M.N.', 'Cuentas de ahorro', 'AHORRO'],
    card: [business ? 'Tarjeta Empresarial' : 'Tarjeta de Crédito Oro', 'Tarjetas de crédito'],
    loan: business ? ['Crédito PyME', 'Créditos', 'PYME'] : ['Crédito Personal', 'Créditos', 'PERSONAL'],
  }
}

interface AccountSpec {
  kind: AccountKind
  dense: boolean
}

function accountSpecs(profile: ProfileSpec, gig: GigPlan | null): AccountSpec[] {
  // A gig worker has one account at the platform: the earnings account.
  if (gig) return profile.kind === 'nodata' ? [] : [{ kind: 'primary', dense: false }]
  switch (profile.kind) {
    case 'nodata':
      return []
    case 'low':
      return [{ kind: 'primary', dense: false }]
    case 'negative':
      return [
        { kind: 'primary', dense: false },
        { kind: 'card', dense: false },
        { kind: 'loan', dense: false },
      ]
    case 'full':
      return [
        { kind: 'primary', dense: false },
        { kind: 'reserve', dense: false },
        { kind: 'card', dense: false },
        { kind: 'loan', dense: false },
      ]
    case 'scale':
      // Two deposit accounts for every card: dense history on every account.
      return Array.from({ length: profile.accounts }, (_, i) => ({ kind: i % 3 === 2 ? 'card' : 'primary', dense: true }))
  }
}

/** Salary level relative to the country's "full" range. */
function salaryFactor(profile: ProfileSpec): number {
  return profile.kind === 'low' ? 0.3 : profile.kind === 'negative' ? 0.5 : 1
}

function buildAccounts(world: Omit<World, 'accounts'>, rng: Rng, specs: AccountSpec[], shape: WireShape): AccountPlan[] {
  const { country, profile, today, monthlySalaryCents: salary } = world
  const l = labels(country, shape, world.business, world.gig)
  const negative = profile.kind === 'negative'
  // Scale personas (benchmarks) need exactly N years up to today, and "low" is a thin file whose
  // bank keeps three months: both windows slide with the clock (older days drop out, none moves).
  // Everyone else became a customer on a day of the link, fixed in the calendar.
  const historyStart =
    profile.kind === 'scale'
      ? addMonths(today, -12 * profile.years)
      : profile.kind === 'low'
        ? addMonths(today, -3)
        : addMonths(REFERENCE_DAY, -(36 + rng.int(0, 24)))
  const plans: AccountPlan[] = []
  specs.forEach((spec, index) => {
    const tag = `A${index}${hashHex(seedKey(world.key, 'tag', index), 4).toUpperCase()}`
    const internalId = hashHex(seedKey(world.key, 'account', index), 32).toUpperCase()
    const ids = accountNumbers(world, rng, index)
    const lastPrimary = [...plans].reverse().find((p) => p.kind === 'primary')
    const base: AccountPlan = {
      index,
      kind: spec.kind,
      tag,
      internalId,
      historyStart,
      anchorCents: 0,
      anchorSpread: 0,
      overdraftLimitCents: 0,
      number: ids.number,
      agency: ids.agency,
      checkDigit: ids.checkDigit,
      clabe: null,
      last4: null,
      name: '',
      productType: '',
      productSubtype: '',
      bankProductId: '',
      dense: spec.dense,
      card: null,
      loan: null,
      payerIndex: null,
    }
    const suffix = spec.dense ? ` ${index + 1}` : ''
    if (spec.kind === 'primary' || spec.kind === 'reserve') {
      const [name, type, subtype] = spec.kind === 'primary' ? l.primary : l.reserve
      base.name = country === 'MX' && shape === 'multiregion' ? `${name} - MXN-${ids.number.slice(-3)}${suffix}` : `${name}${suffix}`
      base.productType = type
      base.productSubtype = subtype
      base.bankProductId = `${subtype}-${spec.kind === 'primary' ? '01' : '02'}`
      if (country === 'MX') base.clabe = clabeNumber(Number(world.bank.code), 180, ids.number)
      if (spec.kind === 'primary') {
        base.anchorCents = negative ? -Math.round(salary * 0.3) : Math.round(salary * (profile.kind === 'low' ? 0.5 : world.business ? 3 : 1.3))
        base.anchorSpread = negative ? 0.6 : 0.1
        base.overdraftLimitCents = country === 'BR' || negative ? Math.round(salary * (negative ? 0.8 : 0.3)) : 0
        if (world.gig) {
          // The account's float under the week's unpaid earnings (ledger.ts anchor): a small reserve
          // the platform holds, or, for a worker who owes cash-trip commissions, a debt.
          const week = Math.abs(typicalWeekCents(world.gig, REFERENCE_DAY))
          const unit = 100 * world.locale.step
          base.anchorCents = Math.round((negative ? -week * 1.5 : week * 0.05) / unit) * unit
          base.anchorSpread = 0
          base.overdraftLimitCents = 0
        }
      } else {
        base.anchorCents = Math.round(salary * 3.2)
        base.anchorSpread = 0.08
      }
    } else if (spec.kind === 'card') {
      const last4 = hashDigits(seedKey(world.key, 'card', index), 4)
      const limit = Math.round((salary * (negative ? 1.2 : 2.5)) / 100_000) * 100_000 || 100_000
      const network = country === 'BR' ? rng.pick(['MASTERCARD', 'VISA', 'ELO'] as const) : rng.pick(['VISA', 'MASTERCARD', 'AMERICAN_EXPRESS'] as const)
      base.last4 = last4
      base.number = `************${last4}`
      base.agency = null
      base.checkDigit = null
      base.name = `${l.card[0]} ${network === 'AMERICAN_EXPRESS' ? 'AMEX' : network}${suffix}`
      base.productType = l.card[1]
      base.productSubtype = `${network === 'AMERICAN_EXPRESS' ? 'American Express' : network === 'MASTERCARD' ? 'Mastercard' : network === 'ELO' ? 'Elo' : 'Visa'} Platinum`
      base.bankProductId = `TDC-${network.slice(0, 4)}`
      base.anchorSpread = 0.04
      base.card = {
        limitCents: limit,
        cutDay: rng.int(3, 12),
        dueOffset: 10,
        network,
        tier: 'PLATINUM',
        fullPayer: !negative,
        debtShare: 0.92,
        monthlyInterest: country === 'BR' ? 0.129 : country === 'MX' ? 0.045 : 0.024,
        annualFeeMonth: rng.int(1, 12),
        annualFeeCents: Math.round((limit * 0.012) / 100) * 100,
        subscriptions: spec.dense ? pickSubscriptions(rng, world.locale, 2) : pickSubscriptions(rng, world.locale, negative ? 2 : 4),
      }
      base.anchorCents = Math.round(limit * base.card.debtShare)
      base.payerIndex = spec.dense ? null : (lastPrimary?.index ?? null)
    } else {
      const principal = Math.round((salary * (negative ? 2 : 2.5)) / 100_000) * 100_000
      const monthlyRate = country === 'BR' ? 0.0289 : country === 'MX' ? 0.0215 : 0.0165
      const installments = negative ? 48 : 36
      const startDay = addMonths(REFERENCE_DAY, -(negative ? 26 : 14 + rng.int(0, 6))) - rng.int(0, 20)
      const contract = hashDigits(seedKey(world.key, 'contract', index), 13)
      base.name = `${l.loan[0]}${suffix}`
      base.productType = l.loan[1]
      base.productSubtype = l.loan[2]
      base.bankProductId = `CRED-${contract.slice(-4)}`
      base.number = contract
      base.agency = null
      base.checkDigit = null
      base.historyStart = Math.max(historyStart, startDay)
      base.loan = {
        principalCents: principal,
        monthlyRate,
        installments,
        startDay,
        installmentCents: installmentCents(principal, monthlyRate, installments),
        lateDays: negative ? 9 : 0,
        lateFeeCents: Math.round((salary * 0.012) / 100) * 100,
        contractNumber: contract,
        loanCode: hashDigits(seedKey(world.key, 'loancode', index), 41),
        purpose: world.business ? 'CAPITAL_DE_TRABAJO' : 'CONSOLIDACION_DEUDAS',
      }
      base.payerIndex = lastPrimary?.index ?? null
    }
    plans.push(base)
  })
  return plans
}

/** The parts of the context a world depends on. */
export function worldKey(ctx: ConnectorContext): string {
  return seedKey(
    'ponte-sandbox-v1',
    ctx.institution.name,
    ctx.institution.country,
    ctx.institution.shape,
    ctx.profile,
    ctx.linkSeed,
    ctx.credentials.username,
    ctx.today,
  )
}

const cache = new Map<string, World>()
const CACHE_SIZE = 64

/** Builds (or reuses) the world of a link. Worlds are never mutated after construction. */
export function buildWorld(ctx: ConnectorContext): World {
  const cacheKey = worldKey(ctx)
  const cached = cache.get(cacheKey)
  if (cached) return cached
  const world = createWorld(ctx)
  cache.set(cacheKey, world)
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  return world
}

function createWorld(ctx: ConnectorContext): World {
  const country = countryOf(ctx)
  const locale = localeFor(country)
  const profile = parseProfile(ctx.profile)
  const today = parseDay(ctx.today)
  // The data depends on the link, not on the calendar: "today" only clips it (and ages loans).
  // Every date of the story is anchored to REFERENCE_DAY, never to today.
  const key = seedKey('ponte-sandbox-v1', ctx.institution.name, ctx.profile, ctx.linkSeed)
  const rng = new Rng(seedKey(key, 'world'))
  const business = ctx.institution.name.includes('_business')
  // A scale persona (benchmarks) keeps its dense accounts at a gig platform too.
  const platform = profile.kind === 'scale' ? null : gigPlatformOf(ctx.institution.name)
  const owner = identity({ country, locale, key, institution: ctx.institution.name, business }, rng, ctx.credentials.username)
  const bank = locale.banks[Number.parseInt(hashHex(seedKey(ctx.institution.name, 'bank'), 4), 16) % locale.banks.length]
  const employer = party(country, locale, rng, rng.pick(locale.employers), 'COMPANY')
  const monthlySalaryCents =
    Math.round(((locale.salary[0] + rng.next() * (locale.salary[1] - locale.salary[0])) * salaryFactor(profile)) / (100 * locale.step)) * 100 * locale.step
  const contacts = personNames(country, seedKey(key, 'contacts'), 6).map((n) => party(country, locale, rng, n, 'INDIVIDUAL'))
  const landlord = party(country, locale, rng, personNames(country, seedKey(key, 'landlord'), 1)[0], 'INDIVIDUAL')
  const customers = business ? companyNames(country, seedKey(key, 'customers'), 8).map((n) => party(country, locale, rng, n, 'COMPANY')) : []
  const suppliers = business ? companyNames(country, seedKey(key, 'suppliers'), 5).map((n) => party(country, locale, rng, n, 'COMPANY')) : []
  // Rent takes a quarter to a third of the salary (the usual affordability rule of landlords).
  const rentRaw = Math.min(locale.rent[1], Math.max(locale.rent[0], monthlySalaryCents * (0.25 + 0.08 * rng.next())))
  // A gig platform's worker: paid by the platform, weekly, into their own bank account. Drawn from
  // a stream of its own, so the rest of the world is what any other institution's would be.
  const gigRng = new Rng(seedKey(key, 'gig'))
  const gig = platform
    ? {
        platform,
        country,
        profile: profile.kind,
        key,
        restDays: [gigRng.pick([0, 2, 3])],
        step: locale.step,
        payoutTo: party(country, locale, gigRng, owner.displayName, 'INDIVIDUAL'),
      }
    : null
  const platformSuffix = country === 'BR' ? 'TECNOLOGIA LTDA' : country === 'MX' ? 'SA DE CV' : 'SAS'
  const platformParty = platform ? party(country, locale, gigRng, `${platform.brand.toUpperCase()} ${platformSuffix}`, 'COMPANY') : null
  const partial: Omit<World, 'accounts'> = {
    key,
    username: ctx.credentials.username,
    institution: ctx.institution.name,
    country,
    shape: ctx.institution.shape,
    locale,
    profile,
    today,
    todayStr: formatDay(today),
    business,
    owner,
    bank,
    employer: platformParty ?? employer,
    gig,
    monthlySalaryCents,
    rentCents: Math.round((rentRaw * (profile.kind === 'low' ? 0.5 : 1)) / (1000 * locale.step)) * 1000 * locale.step,
    rentDay: rng.int(1, 5),
    landlord,
    contacts,
    customers,
    suppliers,
    utilities: pickUtilities(rng, locale, owner.address.city, profile.kind === 'low' ? 2 : 4),
    debitSubscriptions: pickSubscriptions(rng, locale, profile.kind === 'low' ? 1 : 2),
    debitSpendShare: profile.kind === 'low' ? 0.25 : business ? 0.04 : 0.1,
    cardSpendShare: profile.kind === 'negative' ? 0.25 : business ? 0.06 : 0.16,
    customerSince: 0,
  }
  const accounts = buildAccounts(partial, rng, accountSpecs(profile, partial.gig), ctx.institution.shape)
  const customerSince = accounts.length ? Math.min(...accounts.map((a) => a.historyStart)) : addMonths(REFERENCE_DAY, -24)
  return { ...partial, customerSince, accounts }
}
