import type { ConnectorErrorCode, Credentials, LoginOutcome, TokenGenerationData } from '../types.ts'
import { institutionUserId } from './documents.ts'
import { hashDigits, hashHex, seedKey } from './random.ts'

/**
 * Belvo's sandbox credentials (INVENTORY 8.3) and Ponte's additions, as login rules.
 *
 * - Reserved usernames log in only with their own password; anything else is `login_error`.
 * - Any other username/password logs in with the "full" data set: Belvo's sandbox allows
 *   unlimited links with any credentials and gives them the frequent user's data.
 * - Error personas reproduce every connector error on demand. Belvo's form fields limit usernames
 *   to `^[a-zA-Z0-9_]{1,16}$`, so each has a short alias (`err_*`) that passes that validation;
 *   the long `error_*` spellings work when a caller reaches the connector directly.
 * - `scale_<years>y_<accounts>a` (password `full`) yields dense history for benchmarks.
 * - Employment institutions log in with the worker's document (a CURP at planet_mx_employment, a
 *   CPF at planet_br_employment), whose form field no persona name passes. There the password
 *   names the persona instead: any valid document with the password `err_down` answers
 *   institution_down, `user_invalid` login_error, `mfa_default` (at heimdall_mx_employment) a
 *   token challenge, `gig103` the negative data set; the gig personas' own passwords (`full`,
 *   `nodata`, `low`, `negative`) choose the data set as well. Belvo's sandbox documents these
 *   personas for every institution; this keeps them reachable where the username is a document.
 */

/** The data a link gets. Scale profiles keep the username form, e.g. `scale_10y_20a`. */
export type ProfileKind = 'full' | 'nodata' | 'low' | 'negative' | 'scale'

export interface ProfileSpec {
  kind: ProfileKind
  /** Scale only: years of history and number of accounts. */
  years: number
  accounts: number
}

/** Upper bounds that keep a typo (scale_999y_999a) from asking for a billion rows. */
export const SCALE_LIMITS = { years: 30, accounts: 500 }

const SCALE_PATTERN = /^scale_(\d{1,2})y_(\d{1,3})a$/

export function parseProfile(profile: string): ProfileSpec {
  const scale = SCALE_PATTERN.exec(profile)
  if (scale) {
    return {
      kind: 'scale',
      years: Math.min(Math.max(Number(scale[1]), 1), SCALE_LIMITS.years),
      accounts: Math.min(Math.max(Number(scale[2]), 1), SCALE_LIMITS.accounts),
    }
  }
  if (profile === 'nodata' || profile === 'low' || profile === 'negative') return { kind: profile, years: 0, accounts: 0 }
  return { kind: 'full', years: 0, accounts: 0 }
}

type MfaKind = 'device' | 'qr' | 'numeric'

interface Persona {
  /** The one password that logs in; null = the persona never logs in. */
  password: string | null
  profile?: string
  error?: ConnectorErrorCode
  mfa?: MfaKind
}

const ERROR_PERSONAS: [string[], ConnectorErrorCode][] = [
  [['err_sessions', 'error_too_many_sessions'], 'too_many_sessions'],
  [['err_down', 'error_institution_down'], 'institution_down'],
  [['err_unavailable', 'error_institution_unavailable'], 'institution_unavailable'],
  [['err_inactive', 'error_institution_inactive'], 'institution_inactive'],
  [['err_timeout', 'error_timeout'], 'request_timeout'],
  [['err_unsupported', 'error_unsupported_operation'], 'unsupported_operation'],
]

const PERSONAS: ReadonlyMap<string, Persona> = new Map<string, Persona>([
  ['user_valid', { password: 'pass_valid', profile: 'full' }],
  ['user_invalid', { password: null }],
  ['bnk100', { password: 'full', profile: 'full' }],
  ['bnk101', { password: 'nodata', profile: 'nodata' }],
  ['bnk102', { password: 'low', profile: 'low' }],
  ['bnk103', { password: 'negative', profile: 'negative' }],
  ['fiscal100', { password: 'full', profile: 'full' }],
  ['fiscal101', { password: 'nodata', profile: 'nodata' }],
  ['fiscal102', { password: 'low', profile: 'low' }],
  ...['full', 'nodata', 'low', 'negative'].map((profile, i): [string, Persona] => [`gig10${i}`, { password: profile, profile }]),
  ['mfa_default', { password: 'pass_valid', profile: 'full', mfa: 'device' }],
  ['mfa_qr', { password: 'qr_code', profile: 'full', mfa: 'qr' }],
  ['mfa_numeric', { password: 'numeric_code', profile: 'full', mfa: 'numeric' }],
  ['adv_valid', { password: 'pass_valid', profile: 'full' }],
  ['adv_invalid', { password: null }],
  ...ERROR_PERSONAS.flatMap(([names, code]) => names.map((name): [string, Persona] => [name, { password: 'pass_valid', error: code }])),
])

/** Belvo's English messages for the institution errors (INVENTORY 6); the HTTP layer localizes by code. */
export const CONNECTOR_ERROR_MESSAGES: Record<ConnectorErrorCode, string> = {
  login_error: 'Invalid credentials provided to login to the institution',
  too_many_sessions: 'Impossible to login, a session is already opened with the institution for these credentials',
  institution_down: 'The financial institution is down, try again later',
  institution_unavailable: 'The financial institution is unavailable',
  institution_inactive: 'The institution has been temporarily deactivated',
  unsupported_operation: 'The resource you are trying to access is not supported by this institution',
  request_timeout: 'The request timed out, you can retry asking for less data by changing your query parameters',
}

/** The token that completes every sandbox MFA challenge (Belvo's sandbox uses the same). */
export const SANDBOX_MFA_TOKEN = '111111'

/** OF Mock Bank's documented test user (Belvo's OFDA widget example). */
export const OFMOCKBANK_USER = { cpf: '76109277673', name: 'Ralph Bragg' }

function isMfaInstitution(name: string): boolean {
  return name.startsWith('heimdall_') || name.startsWith('gotham_')
}

/** The data sets of the gig personas (gig100..gig103), by their passwords. */
const GIG_PROFILES: ReadonlySet<string> = new Set(['nodata', 'low', 'negative'])

function isEmploymentInstitution(name: string): boolean {
  return name.endsWith('_employment')
}

function isIronbank(name: string): boolean {
  return name.startsWith('ironbank_')
}

/** `761.092.776-73` and `76109277673` are the same CPF. */
export function normalizeCpf(username: string): string | null {
  const match = /^(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})$/.exec(username)
  return match ? match.slice(1).join('') : null
}

export function isOfMockBankUser(institution: string, username: string): boolean {
  return institution === 'ofmockbank_br_retail' && normalizeCpf(username) === OFMOCKBANK_USER.cpf
}

/**
 * The customer an open-finance institution's authorization page knows by this CPF (the sandbox's
 * mock bank knows its documented user only), or undefined: who may approve a consent there.
 */
export function openFinanceCustomer(institution: string, cpf: string): { cpf: string; name: string } | undefined {
  return isOfMockBankUser(institution, cpf) ? OFMOCKBANK_USER : undefined
}

function error(code: ConnectorErrorCode): LoginOutcome {
  return { status: 'error', code, message: CONNECTOR_ERROR_MESSAGES[code] }
}

function ok(institution: string, username: string, profile: string): LoginOutcome {
  return { status: 'ok', institutionUserId: institutionUserId(institution, username), profile }
}

/**
 * What the institution shows for each MFA persona. The numeric and QR challenges change with
 * every attempt (a wrong token gets a fresh challenge, as a real bank would) but stay
 * deterministic for the same attempt.
 */
export function tokenGenerationData(kind: MfaKind, institution: string, username: string, attempt: string): TokenGenerationData {
  const key = seedKey('mfa', institution, username, attempt)
  switch (kind) {
    case 'device':
      return {
        instructions: 'Enter the 6-digit token sent by SMS to the phone number registered with your bank',
        type: 'numeric',
        // Belvo's value is always a string; for an SMS token it names where the code was sent.
        value: `+** *** *** ${hashDigits(key, 4)}`,
        expects_user_input: true,
      }
    case 'qr':
      return {
        instructions: 'Scan the QR code with your bank app and enter the 6-digit token it shows',
        type: 'qr',
        value: `belvo-sandbox://mfa/authorize?institution=${institution}&challenge=${hashHex(key, 24)}`,
        expects_user_input: true,
      }
    case 'numeric':
      return {
        instructions: 'Type this challenge in your token device and enter the 6-digit response',
        type: 'numeric',
        value: hashDigits(key, 8),
        expects_user_input: true,
      }
  }
}

/** The sandbox's login: a pure function of institution, credentials and token. */
export function sandboxLogin(institution: string, credentials: Credentials, token?: string): LoginOutcome {
  const username = credentials.username
  const password = credentials.password ?? ''

  if (isOfMockBankUser(institution, username)) return ok(institution, OFMOCKBANK_USER.cpf, 'full')

  if (SCALE_PATTERN.test(username)) return password === 'full' ? ok(institution, username, username) : error('login_error')

  let persona = PERSONAS.get(username)
  let secret = password
  // Employment institutions log in with the worker's document (a CURP, a CPF), which no persona
  // name passes: there the password names the persona (logged in as with its own password), or,
  // as the gig personas' passwords, the data set.
  if (!persona && isEmploymentInstitution(institution)) {
    persona = PERSONAS.get(password)
    if (persona) secret = persona.password ?? ''
    else if (GIG_PROFILES.has(password)) return ok(institution, username, password)
  }
  if (!persona) return ok(institution, username, 'full')
  if (persona.password === null || persona.password !== secret) return error('login_error')
  if (persona.error) return error(persona.error)

  if (isIronbank(institution) && username === 'adv_valid') {
    // Iron Bank's advanced login: document type 003 (passport) and the second factor pair.
    const extrasOk = credentials.usernameType === '003' && credentials.username2 === 'valid' && credentials.password2 === 'valid'
    if (!extrasOk) return error('login_error')
  }

  if (persona.mfa && isMfaInstitution(institution) && token !== SANDBOX_MFA_TOKEN) {
    return { status: 'token_required', tokenGenerationData: tokenGenerationData(persona.mfa, institution, username, token ?? '') }
  }
  return ok(institution, username, persona.profile ?? 'full')
}
