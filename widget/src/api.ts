/**
 * The widget's calls to Ponte's widget API (`/widget/api/`), authenticated by the widget access
 * token. Every failure becomes an ApiError carrying Belvo's first error item, so each screen
 * reads one shape: HTTP errors, network failures and unreadable answers alike.
 */

// The catalog's own types: the widget shows the fields the server's catalog declares.
export type { FormField, FormFieldValue } from '../../src/connectors/catalog.ts'
import type { FormField } from '../../src/connectors/catalog.ts'

export interface Institution {
  id: number
  name: string
  type: string
  display_name: string
  country_code: string
  country_codes: string[]
  primary_color: string
  logo: string | null
  icon_logo: string | null
  integration_type: 'credentials' | 'openfinance'
  form_fields: FormField[]
  features: { name: string; description: string }[]
  status: 'healthy' | 'down'
}

export interface Branding {
  company_icon?: string
  company_logo?: string
  company_name?: string
  company_terms_url?: string
  overlay_background_color?: string
  social_proof?: boolean
}

export interface ConsentConfig {
  purpose?: string
  terms_and_conditions_url?: string
  permissions?: string[]
  identification_info?: { type: 'CPF' | 'CNPJ'; number: string; name?: string }[]
  default_consent_duration_days?: number
}

export interface WidgetConfig {
  callback_urls?: { success?: string; exit?: string; event?: string } | null
  branding?: Branding | null
  theme?: { css_key: string; value: string }[] | null
  purpose?: string | null
  consent?: ConsentConfig | null
  openfinance_feature?: string | null
}

export interface Session {
  mode: 'create' | 'update'
  scopes: string[]
  expires_at: string
  organization_name?: string | null
  link: null | { id: string; institution: string; status: string; access_mode: string | null }
  access_mode?: string | null
  external_id?: string | null
  widget: WidgetConfig | null
}

export interface TokenChallenge {
  session: string
  link: string
  expiry?: number
  token_generation_data: { instructions: string; type: string; value: string | null; expects_user_input: boolean }
  qr_image?: string
}

export interface Connected {
  link: { id: string; institution: string }
  institution: string
}

export interface ErrorItem {
  request_id?: string
  code: string
  message: string
  field?: string | null
  [more: string]: unknown
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly item: ErrorItem,
  ) {
    super(item.message)
  }

  get code(): string {
    return this.item.code
  }
}

export class WidgetApi {
  constructor(
    private readonly token: string,
    private readonly locale: string,
    private readonly base = `${import.meta.env.BASE_URL}api`,
  ) {}

  session = () => this.call<Session>('GET', '/session')

  institutions(filters: Record<string, string | undefined>) {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value)
    const search = query.toString()
    return this.call<{ results: Institution[] }>('GET', `/institutions${search ? `?${search}` : ''}`)
  }

  createLink = (body: Record<string, unknown>) => this.call<Connected>('POST', '/links', body)
  updateLink = (id: string, body: Record<string, unknown>) => this.call<Connected>('PUT', `/links/${encodeURIComponent(id)}`, body)
  resume = (body: { session: string; link: string; token: string }) => this.call<Connected>('POST', '/links/resume', body)
  createConsent = (body: Record<string, unknown>) =>
    this.call<{ consent: { id: string; status: string }; authorization_url: string }>('POST', '/consents', body)
  consentLink = (id: string, body: { access_mode?: string; external_id?: string }) =>
    this.call<Connected>('POST', `/consents/${encodeURIComponent(id)}/link`, body)

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callWidgetApi<T>(this.base, this.token, this.locale, method, path, body)
  }
}

/** One call of the widget API at `base` (its payments calls too), with the access token; every failure an ApiError. */
export async function callWidgetApi<T>(base: string, token: string, locale: string, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Accept-Language': locale,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, { code: 'network', message: 'The server could not be reached' })
  }
  let payload: unknown
  try {
    payload = await response.json()
  } catch {
    payload = undefined
  }
  if (response.ok && payload !== undefined) return payload as T
  const item = Array.isArray(payload) && payload[0] && typeof payload[0] === 'object' ? (payload[0] as ErrorItem) : undefined
  throw new ApiError(response.status, item ?? { code: 'unexpected_error', message: `HTTP ${response.status}` })
}
