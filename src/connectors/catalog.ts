import type { WireShape } from './types.ts'

/**
 * The institutions Ponte serves: Belvo's sandbox catalog (ids, names and form fields as captured
 * from Belvo's sandbox `GET /api/institutions/`, INVENTORY 8.2), completed with the demo
 * institutions Belvo documents for every country (8.1). A deployment with real connectors adds
 * its institutions here and registers their connectors in registry.ts.
 */
export type InstitutionType = 'bank' | 'fiscal' | 'employment'
export type Country = 'MX' | 'CO' | 'BR' | 'CL'

export interface FormFieldValue {
  code: string
  label: string
  validation: string
  validation_message: string
  placeholder: string
}

export interface FormField {
  name: string
  type: string
  label: string
  validation: string
  placeholder: string
  validation_message: string
  values?: FormFieldValue[]
  length?: string
  optional?: boolean
  value?: string
  pre_selected?: number
}

export interface CatalogInstitution {
  id: number
  name: string
  type: InstitutionType
  display_name: string
  country: Country
  integration_type: 'credentials' | 'openfinance'
  resources: string[]
  form_fields: FormField[]
  features: { name: string; description: string }[]
  status: 'healthy' | 'down'
  website: string | null
  openbanking_information: { description: string | null; participants: string[] | null; authorization_server_id: string | null } | null
}

const BANKING = ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES', 'INCOMES', 'RECURRING_EXPENSES', 'RISK_INSIGHTS']
const BANKING_OFDA = [...BANKING, 'BILLS', 'INVESTMENTS', 'INVESTMENT_TRANSACTIONS', 'EXCHANGES']
const BANKING_BASIC = ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES']
/** Brazilian business banks also show a merchant's card receivables (Belvo's legacy receivables, Ponte's name RECEIVABLES). */
const BANKING_RECEIVABLES = [...BANKING_BASIC, 'RECEIVABLES']
const TOKEN_FEATURE = { name: 'token_required', description: 'The institution may require a token during link creation or login' }

const LABELS: Record<Country, { client: string; password: string; invalidClient: string; invalidPassword: string; document: string }> = {
  MX: {
    client: 'Número de cliente',
    password: 'Contraseña',
    invalidClient: 'Número de cliente inválido',
    invalidPassword: 'Contraseña inválida',
    document: 'Documento',
  },
  CO: {
    client: 'Número de documento',
    password: 'Clave',
    invalidClient: 'Número de documento inválido',
    invalidPassword: 'Clave inválida',
    document: 'Tipo de documento',
  },
  BR: {
    client: 'Número do cliente',
    password: 'Senha',
    invalidClient: 'Número do cliente inválido',
    invalidPassword: 'Senha inválida',
    document: 'Tipo de documento',
  },
  CL: { client: 'RUT', password: 'Clave tributaria', invalidClient: 'RUT inválido', invalidPassword: 'Clave inválida', document: 'Documento' },
}

function username(country: Country, validation = '^[a-zA-Z0-9_]{1,16}$', placeholder = '12345678901'): FormField {
  const l = LABELS[country]
  return { name: 'username', type: 'text', label: l.client, validation, placeholder, validation_message: l.invalidClient }
}

function password(country: Country, name = 'password'): FormField {
  const l = LABELS[country]
  return { name, type: 'password', label: l.password, validation: '.{1,}', placeholder: l.password, validation_message: l.invalidPassword }
}

function tokenField(): FormField {
  return {
    name: 'token',
    type: 'number',
    label: 'Token',
    validation: '^\\d{6}$',
    placeholder: '123456',
    validation_message: 'Token inválido',
    length: '6',
    optional: true,
  }
}

/** Mexico's employment institutions log in with the worker's CURP (INVENTORY 8.2). */
const CURP_FIELD: FormField = {
  name: 'username',
  type: 'text',
  label: 'CURP',
  validation: '^([A-Z]{4})([0-9]{6})([A-Z]{6})([A-Z0-9]{2})$',
  placeholder: 'ABCD123456EFGHIJ78',
  validation_message: 'CURP inválido',
}

/** Brazil's employment institutions log in with the worker's CPF. */
const CPF_FIELD: FormField = {
  name: 'username',
  type: 'text',
  label: 'CPF',
  validation: '^\\d{11}|\\d{3}\\.\\d{3}\\.\\d{3}-\\d{2}$',
  placeholder: '123.456.789-01',
  validation_message: 'CPF inválido',
}

function bank(id: number, name: string, display: string, country: Country, extra: Partial<CatalogInstitution> = {}): CatalogInstitution {
  return {
    id,
    name,
    type: 'bank',
    display_name: display,
    country,
    integration_type: 'credentials',
    resources: country === 'BR' ? BANKING_OFDA : BANKING,
    form_fields: [username(country), password(country)],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
    ...extra,
  }
}

function gig(id: number, name: string, display: string, country: Country): CatalogInstitution {
  return { ...bank(id, name, display, country, { resources: BANKING_BASIC }), type: 'employment' }
}

const mfa = (country: Country): Partial<CatalogInstitution> => ({
  form_fields: [username(country), password(country), tokenField()],
  features: [TOKEN_FEATURE],
})

function ironbank(id: number, name: string, resources: string[]): CatalogInstitution {
  const docValues: FormFieldValue[] = [
    { code: '999', label: 'Identification (invalid)', validation: '^.{1,}$', validation_message: 'Invalid document', placeholder: 'Document' },
    { code: '003', label: 'Passport (valid)', validation: '^.{1,}$', validation_message: 'Invalid document', placeholder: 'Document' },
  ]
  return bank(id, name, 'Iron Bank (Advanced login)', 'BR', {
    resources,
    form_fields: [
      {
        name: 'username_type',
        type: 'select',
        label: LABELS.BR.document,
        validation: '^.{1,}$',
        placeholder: '',
        validation_message: 'Tipo de documento inválido',
        values: docValues,
        pre_selected: 0,
      },
      username('BR'),
      { ...username('BR'), name: 'username2', label: 'Usuário' },
      password('BR'),
      password('BR', 'password2'),
    ],
  })
}

export const CATALOG: readonly CatalogInstitution[] = [
  bank(1001, 'gringotts_mx_retail', 'Gringotts Bank', 'MX'),
  bank(1002, 'gringotts_co_retail', 'Gringotts Bank', 'CO'),
  bank(1003, 'gringotts_br_retail', 'Gringotts Bank', 'BR'),
  bank(1004, 'erebor_mx_retail', 'Erebor Bank', 'MX'),
  bank(1005, 'erebor_co_retail', 'Erebor Bank', 'CO'),
  bank(1006, 'erebor_br_retail', 'Erebor Bank', 'BR'),
  bank(1007, 'gotham_mx_business', 'Gotham Business Bank', 'MX', { resources: BANKING_BASIC, ...mfa('MX') }),
  bank(1008, 'gotham_co_business', 'Gotham Business Bank', 'CO', { resources: BANKING_BASIC, ...mfa('CO') }),
  bank(1009, 'gotham_mx_retail', 'Gotham Bank', 'MX', mfa('MX')),
  bank(1010, 'gotham_co_retail', 'Gotham Bank', 'CO', mfa('CO')),
  bank(1011, 'gotham_br_retail', 'Gotham Bank', 'BR', mfa('BR')),
  bank(1012, 'gotham_br_business', 'Gotham Business Bank', 'BR', { resources: BANKING_RECEIVABLES, ...mfa('BR') }),
  {
    id: 1013,
    name: 'tatooine_mx_fiscal',
    type: 'fiscal',
    display_name: 'Tatooine Fiscal',
    country: 'MX',
    integration_type: 'credentials',
    resources: ['TAX_COMPLIANCE_STATUS', 'TAX_RETURNS', 'TAX_STATUS', 'INVOICES', 'FINANCIAL_STATEMENTS', 'TAX_RETENTIONS', 'OWNERS', 'TAX_DECLARATIONS'],
    form_fields: [username('MX'), password('MX')],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  // The SAT behind a second factor: where the MFA personas are asked for a token, as at the heimdall_ banks.
  {
    id: 1032,
    name: 'heimdall_mx_fiscal',
    type: 'fiscal',
    display_name: 'Heimdall Fiscal (Pruebas MFA)',
    country: 'MX',
    integration_type: 'credentials',
    resources: ['TAX_COMPLIANCE_STATUS', 'TAX_RETURNS', 'TAX_STATUS', 'INVOICES', 'FINANCIAL_STATEMENTS', 'TAX_RETENTIONS', 'OWNERS', 'TAX_DECLARATIONS'],
    form_fields: [username('MX'), password('MX'), tokenField()],
    features: [TOKEN_FEATURE],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  bank(1014, 'heimdall_mx_retail', 'Heimdall Bank (Pruebas MFA)', 'MX', mfa('MX')),
  ironbank(1015, 'ironbank_br_business', BANKING_BASIC),
  ironbank(1016, 'ironbank_br_retail', BANKING),
  // Ponte's addition: a Brazilian business bank without MFA, for a merchant's card receivables.
  bank(1040, 'erebor_br_business', 'Erebor Business Bank', 'BR', { resources: BANKING_RECEIVABLES }),
  bank(1020, 'heimdall_br_retail', 'Heimdall Bank (teste de MFA)', 'BR', mfa('BR')),
  bank(1021, 'heimdall_co_retail', 'Heimdall Bank (Pruebas MFA)', 'CO', mfa('CO')),
  {
    id: 1030,
    name: 'tatooine_cl_fiscal',
    type: 'fiscal',
    display_name: 'Tatooine Fiscal Chile',
    country: 'CL',
    integration_type: 'credentials',
    resources: ['INVOICES', 'TAX_STATUS', 'DEBT_REPORTS'],
    form_fields: [username('CL', '^([0-9]{7,8}-[0-9kK]|[a-zA-Z0-9_]{1,16})$', '12345678-9'), password('CL')],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  // Chile's fiscal data behind a second factor: where the MFA personas are asked for a token, as at the heimdall_ banks.
  {
    id: 1031,
    name: 'heimdall_cl_fiscal',
    type: 'fiscal',
    display_name: 'Heimdall Fiscal Chile (Pruebas MFA)',
    country: 'CL',
    integration_type: 'credentials',
    resources: ['INVOICES', 'TAX_STATUS', 'DEBT_REPORTS'],
    form_fields: [username('CL', '^([0-9]{7,8}-[0-9kK]|[a-zA-Z0-9_]{1,16})$', '12345678-9'), password('CL'), tokenField()],
    features: [TOKEN_FEATURE],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  // Belvo's gig platforms (INVENTORY 8.1, personas gig100..gig103): a driver's or courier's earnings
  // account, through the banking resources. Belvo's older documents call their type `gig`; its
  // published Institution schemas allow bank, fiscal and employment only, and gig work is employment.
  ...(['mx', 'co', 'br'] as const).flatMap((country, i) => [
    gig(1041 + 2 * i, `goonies_${country}_gig`, 'Goonies', country.toUpperCase() as Country),
    gig(1042 + 2 * i, `planet_${country}_gig`, 'Planet Express', country.toUpperCase() as Country),
  ]),
  bank(9256, 'ofmockbank_br_retail', 'OF Mock Bank by Raidiam', 'BR', {
    integration_type: 'openfinance',
    resources: [
      'ACCOUNTS',
      'TRANSACTIONS',
      'OWNERS',
      'RISK_INSIGHTS',
      'BALANCES',
      'INCOMES',
      'BILLS',
      'INVESTMENTS',
      'INVESTMENT_TRANSACTIONS',
      'EXCHANGES',
      'RECURRING_EXPENSES',
    ],
    form_fields: [
      {
        name: 'username',
        type: 'text',
        label: 'CPF',
        validation: '^\\d{11}|\\d{3}\\.\\d{3}\\.\\d{3}-\\d{2}$',
        placeholder: '123.456.789-01',
        validation_message: 'CPF inválido',
      },
    ],
    openbanking_information: {
      description: 'Mock bank of the Brazilian Open Finance sandbox, maintained by Raidiam',
      participants: ['Mock Bank'],
      authorization_server_id: '0b919e9b-bee0-4549-baa3-9e6615d8e6bb',
    },
  }),
  {
    id: 9322,
    name: 'belvo_mx_retail',
    type: 'bank',
    display_name: 'Belvo Mx Retail',
    country: 'MX',
    integration_type: 'credentials',
    resources: ['ACCOUNTS', 'OWNERS'],
    form_fields: [username('MX', '^.{1,32}$'), { ...username('MX', '^\\d{0,3}$', '0'), name: 'username2', label: 'Delay seconds' }, password('MX')],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  {
    id: 9454,
    name: 'planet_mx_employment',
    type: 'employment',
    display_name: 'Planet Express Employment',
    country: 'MX',
    integration_type: 'credentials',
    resources: ['EMPLOYMENT_RECORDS', 'CURRENT_EMPLOYMENTS', 'EMPLOYMENT_METRICS', 'OWNERS'],
    form_fields: [
      CURP_FIELD,
      { name: 'password', type: 'hidden', label: 'Password', validation: '.{1,}', placeholder: '', validation_message: '', value: 'fake-password' },
    ],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  // Mexico's employment data behind a second factor, as at the heimdall_ banks. The password is a
  // field here (planet_mx_employment hides it): with a CURP as the username, it names the sandbox
  // persona (personas.ts), `mfa_default` for a token challenge.
  {
    id: 9456,
    name: 'heimdall_mx_employment',
    type: 'employment',
    display_name: 'Heimdall Employment (Pruebas MFA)',
    country: 'MX',
    integration_type: 'credentials',
    resources: ['EMPLOYMENT_RECORDS', 'CURRENT_EMPLOYMENTS', 'EMPLOYMENT_METRICS', 'OWNERS'],
    form_fields: [CURP_FIELD, password('MX'), tokenField()],
    features: [TOKEN_FEATURE],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  {
    id: 9455,
    name: 'planet_br_employment',
    type: 'employment',
    display_name: 'Planet Express Emprego',
    country: 'BR',
    integration_type: 'credentials',
    resources: ['EMPLOYMENTS', 'OWNERS'],
    form_fields: [CPF_FIELD, password('BR')],
    features: [],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
  // Brazil's employment data behind a second factor: a CPF as the username, the persona as the password.
  {
    id: 9457,
    name: 'heimdall_br_employment',
    type: 'employment',
    display_name: 'Heimdall Emprego (teste de MFA)',
    country: 'BR',
    integration_type: 'credentials',
    resources: ['EMPLOYMENTS', 'OWNERS'],
    form_fields: [CPF_FIELD, password('BR'), tokenField()],
    features: [TOKEN_FEATURE],
    status: 'healthy',
    website: null,
    openbanking_information: null,
  },
]

/** Brazilian institutions speak Open Finance Brazil shapes; Mexico, Colombia and Chile the multi-region ones. */
export function wireShape(institution: Pick<CatalogInstitution, 'country'>): WireShape {
  return institution.country === 'BR' ? 'ofda' : 'multiregion'
}

const STATICS = 'https://statics.sandbox.belvo.io/institutions'

/** The wire object of GET /api/institutions/ (InstitutionPublicApi). */
export function institutionWire(i: CatalogInstitution) {
  return {
    id: i.id,
    name: i.name,
    type: i.type,
    website: i.website,
    display_name: i.display_name,
    country_code: i.country,
    country_codes: [i.country],
    primary_color: '#056dae',
    logo: `${STATICS}/logos/${i.name}.svg`,
    icon_logo: `${STATICS}/icon_logos/${i.name}.svg`,
    text_logo: `${STATICS}/text_logos/${i.name}.svg`,
    code: null,
    form_fields: i.form_fields,
    features: i.features,
    resources: i.resources,
    integration_type: i.integration_type,
    status: i.status,
    openbanking_information: i.openbanking_information,
  }
}

export type InstitutionWire = ReturnType<typeof institutionWire>
