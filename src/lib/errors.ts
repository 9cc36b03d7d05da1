/**
 * The one error type of Ponte. Every layer throws it with a Belvo error code; the HTTP layer
 * renders it as Belvo's array `[{request_id, code, message, field?}]` with the code's status and a
 * message in the caller's language. Anything else that escapes is a bug and becomes a 500.
 */
export type ErrorCode =
  // 400 validation (DRF field errors)
  | 'required'
  | 'null'
  | 'blank'
  | 'invalid'
  | 'invalid_choice'
  | 'max_length'
  | 'min_length'
  | 'does_not_exist'
  | 'parse_error'
  // 400 institution and link errors
  | 'login_error'
  | 'too_many_sessions'
  | 'session_expired'
  | 'institution_down'
  | 'institution_unavailable'
  | 'institution_inactive'
  | 'invalid_link'
  | 'unconfirmed_link'
  | 'unsupported_operation'
  | 'invalid_period'
  | 'invalid_credentials_storage'
  | 'invalid_fetch_resources'
  | 'invalid_access_mode_switch'
  // Open Finance Brasil: the person's consent at the institution ended (domain/consents.ts)
  | 'consent_expired'
  // 400 payments (Belvo's 400_validation_error codes)
  | 'already_registered'
  | 'cancellation_error'
  | 'idempotency_key_invalid'
  // other statuses
  | 'authentication_failed'
  | 'access_to_resource_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'link_refreshed'
  | 'idempotency_key_conflict'
  | 'idempotency_payload_mismatch'
  | 'unsupported_media_type'
  | 'request_too_large'
  | 'token_required'
  | 'too_many_requests'
  | 'unexpected_error'
  | 'service_unavailable'

export interface PonteErrorOptions {
  field?: string
  /** Values interpolated into the localized message (`{name}` placeholders). */
  params?: Record<string, string | number>
  /** A fixed message that replaces the localized one (institution-provided text). */
  message?: string
  /** Extra keys carried in the error body (428 `session`, `expiry`, `link`, ...). */
  extra?: Record<string, unknown>
  /** Extra response headers (Allow, Retry-After). */
  headers?: Record<string, string>
  /** A more specific message for the same code (e.g. not_found + 'page' = "Invalid page."). */
  variant?: string
}

export class PonteError extends Error {
  readonly code: ErrorCode
  readonly field?: string
  readonly params: Record<string, string | number>
  readonly fixedMessage?: string
  readonly extra?: Record<string, unknown>
  readonly headers?: Record<string, string>
  readonly variant?: string

  constructor(code: ErrorCode, options: PonteErrorOptions = {}) {
    super(options.message ?? code)
    this.name = 'PonteError'
    this.code = code
    this.field = options.field
    this.params = options.params ?? {}
    this.fixedMessage = options.message
    this.extra = options.extra
    this.headers = options.headers
    this.variant = options.variant
  }
}

/** Several field errors at once, rendered as several items of the error array. */
export class PonteErrors extends Error {
  constructor(readonly errors: PonteError[]) {
    super(errors.map((e) => e.code).join(', '))
    this.name = 'PonteErrors'
  }
}

/**
 * A configuration or database that a process must not start with, for a reason the operator can
 * fix: the CLI says it in one line, without a stack trace, and exits non-zero.
 */
export class StartupRefusal extends Error {
  override name = 'StartupRefusal'
}

/**
 * A problem a page served to a person (the sandbox bank's consent page, the payer's authorization
 * page) shows on itself instead of an API error: `problem` names it, the page's route words it in
 * the person's language and picks the status. Each page narrows `P` to its own problems.
 */
export class PageProblemError<P extends string> extends Error {
  constructor(readonly problem: P) {
    super(problem)
    this.name = new.target.name
  }
}
