/**
 * What the widget was opened with (the URL's parameters, as Belvo's hosted widget reads them) and
 * how it reports back to whoever opened it: hosted, by sending the browser to the token's callback
 * URLs; embedded (`embedded=1`, the SDK's iframe), by posting messages to the parent page, only
 * to the origin the SDK named.
 */
import type { ErrorItem, WidgetConfig } from './api.ts'

export interface StartParams {
  token: string | null
  locale: string | null
  embedded: boolean
  parentOrigin: string | null
  countryCodes: string[]
  institutionTypes: string[]
  institutions: string[]
  accessMode: string | null
  externalId: string | null
  /** Belvo's `show_close_dialog`: false leaves at once, without "are you sure". */
  closeDialog: boolean
  /** Back from the institution's Open Finance authorization page. */
  consentReturn: { consentId: string; result: string } | null
}

const list = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

export function readParams(url: URL): StartParams {
  const q = url.searchParams
  const consentId = q.get('consent_id')
  return {
    token: q.get('access_token'),
    locale: q.get('locale'),
    embedded: q.get('embedded') === '1' || q.get('embedded') === 'true',
    parentOrigin: q.get('parent_origin'),
    countryCodes: list(q.get('country_codes')).map((code) => code.toUpperCase()),
    institutionTypes: list(q.get('institution_types')).map((type) => type.toLowerCase()),
    institutions: list(q.get('institutions')),
    accessMode: q.get('access_mode'),
    externalId: q.get('external_id'),
    closeDialog: q.get('show_close_dialog') !== 'false',
    consentReturn: consentId ? { consentId, result: q.get('result') ?? '' } : null,
  }
}

/** The payments flow's access token, kept in the tab while the person is at the institution's page (payments.tsx). */
export const PENDING_PAYMENTS_TOKEN = 'ponte-widget-payments-token'

/** The widget's own URL to come back to from the institution's page: as opened, less the answer of a previous trip. */
export function returnUrl(url: URL): string {
  const back = new URL(url.href)
  for (const name of ['consent_id', 'result', 'error', 'error_description']) back.searchParams.delete(name)
  back.hash = ''
  return back.href
}

export type EventName = 'PAGE_LOAD' | 'ERROR' | 'SUCCESS' | 'EXIT'

export interface EventData {
  eventName: EventName
  request_id?: string
  meta_data: Record<string, unknown>
}

export interface ExitData {
  last_encountered_error: { code: string; message: string; request_id?: string } | null
  meta_data: Record<string, unknown>
}

/** Appends query parameters to a callback URL, which may be a deep link (`myapp://done`) with a query of its own. */
export function withQuery(base: string, values: Record<string, string>): string {
  const query = new URLSearchParams(values).toString()
  const [path, hash] = base.split('#', 2)
  return `${path}${path.includes('?') ? '&' : '?'}${query}${hash === undefined ? '' : `#${hash}`}`
}

export class Host {
  constructor(
    private readonly params: StartParams,
    private readonly config: () => WidgetConfig | null,
    private readonly navigate: (url: string) => void = (url) => window.location.assign(url),
  ) {}

  get embedded(): boolean {
    return this.params.embedded && window.parent !== window
  }

  private post(message: Record<string, unknown>): void {
    // Without the parent's origin (a page that framed the widget by hand), nothing that names a
    // link is sent: a link id only goes to the page that asked for it.
    const target = this.params.parentOrigin
    if (!target) return
    window.parent.postMessage({ source: 'ponte-widget', ...message }, target)
  }

  /** Every screen shown, and every error met: the SDK's onEvent. */
  event(data: EventData): void {
    if (this.embedded) this.post({ type: 'event', data })
  }

  /** The link is created: the SDK's callback(link, institution). */
  success(link: string, institution: string): void {
    if (this.embedded) this.post({ type: 'success', link, institution })
  }

  /** The person is done looking at the success screen. Returns false when there is nowhere to go. */
  finish(link: string, institution: string): boolean {
    if (this.embedded) {
      this.post({ type: 'close' })
      return true
    }
    const url = this.config()?.callback_urls?.success
    if (!url) return false
    this.navigate(withQuery(url, { link, institution }))
    return true
  }

  /** The person leaves before connecting. Returns false when there is nowhere to go. */
  exit(data: ExitData): boolean {
    if (this.embedded) {
      this.post({ type: 'exit', data })
      return true
    }
    const url = this.config()?.callback_urls?.exit
    if (!url) return false
    this.navigate(
      withQuery(url, {
        last_encountered_error: data.last_encountered_error ? JSON.stringify(data.last_encountered_error) : '',
        meta_data: JSON.stringify(data.meta_data),
      }),
    )
    return true
  }

  /** An error that ends the session (nothing to try again): the hosted widget's `event` callback. */
  fatal(error: ErrorItem, metaData: Record<string, unknown>): boolean {
    if (this.embedded) {
      this.post({ type: 'exit', data: { last_encountered_error: pickError(error), meta_data: metaData } })
      return true
    }
    const url = this.config()?.callback_urls?.event
    if (!url) return this.exit({ last_encountered_error: pickError(error), meta_data: metaData })
    this.navigate(withQuery(url, { error_code: error.code, error_message: error.message, meta_data: JSON.stringify(metaData) }))
    return true
  }
}

export function pickError(error: ErrorItem): ExitData['last_encountered_error'] {
  return { code: error.code, message: error.message, ...(error.request_id ? { request_id: error.request_id } : {}) }
}
