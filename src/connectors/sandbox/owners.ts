import type { InstitutionRecord } from '../types.ts'
import { addMonths, civil, formatDay, parseDay, type Day } from './calendar.ts'
import { coordinate, money, stateCode, utcSeconds } from './format.ts'
import { cnpj } from './documents.ts'
import { hashHex, Rng, seedKey, withFaker } from './random.ts'
import type { Identity, World } from './world.ts'

/**
 * Owners: the account holder. Multi-region links get Belvo's `Owner`; OFDA links get
 * `OwnerIndividualOpenFinanceBrazil`, or `OwnerBusinessOpenFinanceBrazil` for business
 * institutions (names containing `_business`).
 */

/** "+55-11-98765-4321", "+52-553-123-4567" (10-digit national number), "+57-310-555-1234". */
function phoneString(owner: Identity): string {
  const { countryCode, area, number } = owner.phone
  if (countryCode === '55') return `+55-${area}-${number.slice(0, 5)}-${number.slice(5)}`
  const national = area + number
  return `+${countryCode}-${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`
}

/** OFDA phone parts: a 1-2 digit area code and an 8-11 digit number (Mexican ladas of 3 digits keep their last one in the number). */
function phoneParts(owner: Identity): { area: string | null; number: string } {
  const { area, number } = owner.phone
  if (!area) return { area: null, number }
  return { area: area.slice(0, 2), number: area.slice(2) + number }
}

function addressLine(owner: Identity): string {
  const a = owner.address
  const complement = a.complement ? `, ${a.complement}` : ''
  if (owner.phone.countryCode === '55') {
    const cep = `${a.postal.slice(0, 5)}-${a.postal.slice(5)}`
    return `${a.street}, ${a.number}${complement} - ${a.district}, ${a.city.name} - ${a.city.state}, ${cep}`
  }
  if (owner.phone.countryCode === '52') return `${a.street} ${a.number}${complement}, Col. ${a.district}, ${a.postal} ${a.city.name}, ${a.city.state}`
  return `${a.street} ${a.number}${complement}, ${a.district}, ${a.city.name}, ${a.city.state}`
}

function productServices(world: World): string[] {
  const kinds = new Set(world.accounts.map((a) => a.kind))
  return [
    ...(kinds.has('primary') ? ['CONTA_DEPOSITO_A_VISTA'] : []),
    ...(kinds.has('reserve') ? ['CONTA_POUPANCA'] : []),
    ...(kinds.has('card') ? ['CARTAO_CREDITO'] : []),
    ...(kinds.has('loan') ? ['OPERACAO_CREDITO'] : []),
  ]
}

function products(world: World) {
  return world.accounts
    .filter((a) => a.kind === 'primary' || a.kind === 'reserve')
    .map((a) => ({
      type: a.kind === 'primary' ? 'CHECKING_ACCOUNT' : 'SAVINGS_ACCOUNT',
      subtype: world.business ? 'CONJUNTA_SIMPLES' : 'INDIVIDUAL',
      agency: a.agency,
      clearing_code: world.bank.code,
      number: a.number,
      check_digit: a.checkDigit ?? '0',
    }))
}

function contact(world: World) {
  const owner = world.owner
  const a = owner.address
  const br = world.country === 'BR'
  return {
    email: owner.email,
    emails: [{ is_main: true, email: owner.email }],
    address: addressLine(owner),
    addresses: [
      {
        is_main: true,
        address: `${a.street}, ${a.number}`,
        additional_info: a.complement,
        district_name: a.district,
        town: a.city.name,
        town_code: a.city.ibge ?? null,
        state: stateCode(a.city.state),
        // OFDA postcodes are 8 digits (CEP); other countries' codes are left-padded.
        postcode: a.postal.padStart(8, '0'),
        country_name: world.locale.countryName,
        country_code: world.locale.countryCode3,
        latitude: br && a.city.lat !== undefined ? coordinate(a.city.lat + new Rng(seedKey(world.key, 'lat')).int(-200_000, 200_000)) : null,
        longitude: br && a.city.lon !== undefined ? coordinate(a.city.lon + new Rng(seedKey(world.key, 'lon')).int(-200_000, 200_000)) : null,
      },
    ],
    phone_number: phoneString(owner),
    phone_numbers: [
      {
        is_main: true,
        type: 'MOBILE',
        additional_info: null,
        number: phoneParts(owner).number,
        country_code: owner.phone.countryCode,
        area_code: phoneParts(owner).area,
        extension: null,
      },
    ],
  }
}

/** CNPJs of the institution's group companies the customer has products with (at least the bank). */
function companiesId(world: World): string[] {
  return [world.bank.cnpj ?? cnpj(new Rng(seedKey(world.institution, 'bank-cnpj')))]
}

function relationStart(world: World): string {
  return utcSeconds(world.customerSince, 36_000)
}

/** Completed years of age on `day`. */
function ageOn(birth: Day, day: Day): number {
  const b = civil(birth)
  const d = civil(day)
  return d.year - b.year - (d.month < b.month || (d.month === b.month && d.day < b.day) ? 1 : 0)
}

/** Years a CNH issued at `age` is valid (CTB art. 147, Lei 14.071/2020): 10 under 50, 5 until 70, 3 after. */
function licenceValidityYears(age: number): number {
  return age < 50 ? 10 : age < 70 ? 5 : 3
}

/**
 * The driving licence the customer holds today: first issued some time after their 18th birthday,
 * then renewed a few days before each expiry, so the current document (the last renewal) was
 * issued in the past and is valid today. Owners are born by 2001: on any sandbox date from 2020
 * on they are adults (earlier dates clamp the first issue to yesterday).
 */
function drivingLicence(world: World, birth: Day, daysAfter18: number): { issue: Day; expiry: Day } {
  const today = world.today
  let issue = Math.min(addMonths(birth, 12 * 18) + daysAfter18, today - 1)
  let expiry = addMonths(issue, 12 * licenceValidityYears(ageOn(birth, issue)))
  for (let n = 0; expiry <= today; n++) {
    issue = expiry - 1 - (Number.parseInt(hashHex(seedKey(world.key, 'cnh-renewal', n), 4), 16) % 30)
    expiry = addMonths(issue, 12 * licenceValidityYears(ageOn(birth, issue)))
  }
  return { issue, expiry }
}

function individualOfda(world: World): InstitutionRecord {
  const owner = world.owner
  const rng = new Rng(seedKey(world.key, 'owner-ofda'))
  const mother = withFaker(world.country, seedKey(world.key, 'mother'), (f) => `${f.person.firstName('female')} ${owner.lastName}`)
  const licence = drivingLicence(world, parseDay(owner.birthDate), rng.int(0, 4_000))
  const extra = owner.extraDocument
  return {
    internal_identification: hashHex(seedKey(world.key, 'owner'), 8),
    display_name: owner.displayName,
    social_name: null,
    birth_date: owner.birthDate,
    marital_status: owner.maritalStatus,
    marital_status_additional_info: null,
    gender: owner.gender,
    companies_id: companiesId(world),
    is_local_resident: true,
    document_id: { document_type: owner.document.type, document_number: owner.document.number },
    additional_documents: [
      {
        type: extra.type,
        type_additional_info: null,
        number: extra.number,
        check_digit: extra.checkDigit,
        issue_date: formatDay(licence.issue),
        expiration_date: formatDay(licence.expiry),
        country_of_issuance: world.locale.countryCode3,
        additional_info: null,
      },
    ],
    nationalities: null,
    ...contact(world),
    filiations: [{ type: 'MOTHER', civil_name: mother, social_name: null }],
    financial_profile: {
      company_id: world.country === 'BR' && world.employer.document.length === 14 ? world.employer.document : null,
      occupation_code: 'BRAZIL_OCCUPATION_CODE',
      occupation_description: rng.pick(['212405', '252105', '251205', '214905', '223505', '261125']),
      informed_income: { frequency: 'MONTHLY', amount: money(world.monthlySalaryCents), currency: world.locale.currency, date: formatDay(world.customerSince) },
      patrimony: { amount: money(world.monthlySalaryCents * rng.int(12, 60)), currency: world.locale.currency, year: Number(world.todayStr.slice(0, 4)) - 1 },
    },
    financial_relation: {
      start_date: relationStart(world),
      product_services: productServices(world),
      product_services_additional_info: null,
      procurators: [],
      products: products(world),
      salary_portability_requests: [],
      payroll_accounts: [],
    },
  }
}

function businessOfda(world: World): InstitutionRecord {
  const owner = world.owner
  const company = owner.company!
  const rng = new Rng(seedKey(world.key, 'business-ofda'))
  const partner = world.contacts[1]
  const party = (name: string, document: string, share: number) => ({
    person_type: 'INDIVIDUAL',
    type: share >= 0.5 ? 'ADMINISTRATOR' : 'MEMBER',
    display_name: name,
    social_name: null,
    company_name: null,
    trade_name: null,
    start_date: company.incorporationDate,
    percentage_type: share,
    document_type: world.country === 'BR' ? 'CPF' : 'PASSPORT',
    document_number: document,
    document_issue_date: null,
    document_expiration_date: null,
    document_country: world.locale.countryCode3,
    document_additional_info: null,
  })
  return {
    internal_identification: hashHex(seedKey(world.key, 'owner'), 8),
    company_name: company.name,
    trade_name: company.tradeName,
    incorporation_date: company.incorporationDate,
    companies_id: companiesId(world),
    document_id: { document_type: company.document.type, document_number: company.document.number },
    // OwnerBusinessDocumentIds: check_digit, issue_date and additional_info "are not applicable
    // for Business ID documents and will return null".
    additional_documents: [
      {
        type: 'OTHER',
        type_additional_info: world.country === 'BR' ? 'INSCRICAO_ESTADUAL' : 'REGISTRO_MERCANTIL',
        number: company.stateRegistration,
        check_digit: null,
        issue_date: null,
        expiration_date: null,
        country_of_issuance: world.locale.countryCode3,
        additional_info: null,
      },
    ],
    ...contact(world),
    parties: [party(owner.displayName, owner.document.number, 0.6), party(partner.name, partner.document, 0.4)],
    financial_profile: {
      economic_activities: [{ is_main: true, code: company.activityCode }],
      informed_revenue: {
        frequency: 'MONTHLY',
        frequency_additional_info: null,
        amount: money(world.monthlySalaryCents * 5),
        currency: world.locale.currency,
        year: Number(world.todayStr.slice(0, 4)) - 1,
      },
      patrimony: {
        amount: money(world.monthlySalaryCents * rng.int(20, 80)),
        currency: world.locale.currency,
        date: `${Number(world.todayStr.slice(0, 4)) - 1}-12-31`,
      },
    },
    financial_relation: {
      start_date: relationStart(world),
      product_services: productServices(world),
      procurators: [
        {
          type: 'LEGAL_REPRESENTATIVE',
          civil_name: owner.displayName,
          social_name: null,
          document_number: world.country === 'BR' ? owner.document.number : '00000000000',
        },
      ],
      products: products(world),
    },
  }
}

function ownerMultiregion(world: World): InstitutionRecord {
  const owner = world.owner
  const company = owner.company
  return {
    internal_identification: hashHex(seedKey(world.key, 'owner'), 8),
    display_name: company ? company.name : owner.displayName,
    email: owner.email,
    phone_number: phoneString(owner),
    address: addressLine(owner),
    document_id: company
      ? { document_type: company.document.type, document_number: company.document.number }
      : { document_type: owner.document.type, document_number: owner.document.number },
    business_name: company ? company.name : null,
    first_name: company ? null : owner.firstName,
    last_name: company ? null : owner.lastName,
    second_last_name: company || !owner.secondLastName ? null : owner.secondLastName,
  }
}

export function ownerRecords(world: World): InstitutionRecord[] {
  if (world.profile.kind === 'nodata') return []
  if (world.shape === 'multiregion') return [ownerMultiregion(world)]
  return [world.business ? businessOfda(world) : individualOfda(world)]
}
