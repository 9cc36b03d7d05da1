/** The screens of the flow. Each is a plain component: app.tsx decides which one shows and what it does. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Branding, ConsentConfig, FormField, Institution, TokenChallenge } from './api.ts'
import type { MessageKey, Translate } from './i18n.ts'
import { Badge, Icon, InstitutionLogo, Spinner, Step } from './ui.tsx'

export function Loading(props: { t: Translate }) {
  return (
    <Step name="loading" title={props.t('loading')}>
      <div class="center" role="status">
        <Spinner />
      </div>
    </Step>
  )
}

export function Message(props: {
  step: string
  title: string
  text: string
  detail?: string
  tone: 'danger' | 'neutral'
  children?: preact.ComponentChildren
}) {
  return (
    <Step name={props.step} title={props.title} icon={<Badge name={props.tone === 'danger' ? 'alert' : 'exit'} tone={props.tone} />}>
      <p class="lead">{props.text}</p>
      {props.detail ? <p class="muted small">{props.detail}</p> : null}
      {props.children}
    </Step>
  )
}

export function Intro(props: { t: Translate; branding: Branding | null; onContinue: () => void }) {
  const { t, branding } = props
  const company = branding?.company_name
  return (
    <Step name="intro" title={company ? t('intro.titleCompany', { company }) : t('intro.title')} icon={<Badge name="bank" tone="brand" />}>
      <ul class="points">
        <li>
          <Icon name="lock" />
          <div>
            <strong>{t('intro.secureTitle')}</strong>
            <p>{t('intro.secureText', { company: company ?? t('theApp') })}</p>
          </div>
        </li>
        <li>
          <Icon name="shield" />
          <div>
            <strong>{t('intro.privateTitle')}</strong>
            <p>{t('intro.privateText')}</p>
          </div>
        </li>
      </ul>
      {branding?.social_proof ? (
        <p class="social">
          <Icon name="users" />
          {t('intro.socialProof')}
        </p>
      ) : null}
      <div class="actions">
        {branding?.company_terms_url ? (
          <p class="small muted terms">
            {t('intro.termsBefore')}{' '}
            <a href={branding.company_terms_url} target="_blank" rel="noopener noreferrer">
              {t('intro.terms')}
            </a>
            {company ? ` ${t('intro.termsOf', { company })}` : ''}.
          </p>
        ) : null}
        <button type="button" class="primary" onClick={props.onContinue}>
          {t('intro.continue')}
        </button>
      </div>
    </Step>
  )
}

/** Lower case without accents, for a search that finds "Bancolombia" from "bancolom" and "Itaú" from "itau". */
const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()

export function Institutions(props: {
  t: Translate
  institutions: Institution[] | null
  /** Countries in the order the person likely wants them (their browser's region, their language's). */
  preferredCountries: string[]
  loadError: string | null
  onPick: (institution: Institution) => void
  onRetry: () => void
}) {
  const { t } = props
  const all = props.institutions ?? []
  const countries = useMemo(() => [...new Set(all.flatMap((i) => (i.country_codes?.length ? i.country_codes : [i.country_code])))].sort(), [all])
  const [country, setCountry] = useState('')
  const rank = (institution: Institution) => {
    const at = props.preferredCountries.indexOf(institution.country_code)
    return at < 0 ? props.preferredCountries.length : at
  }
  const [query, setQuery] = useState('')
  const shown = useMemo(() => {
    const q = fold(query.trim())
    return (
      all
        .filter((i) => !country || i.country_code === country || i.country_codes?.includes(country))
        .filter((i) => !q || fold(i.display_name).includes(q) || fold(i.name).includes(q))
        // Same names in several countries (Gringotts Bank in MX, CO, BR): the person's own first.
        .sort((a, b) => a.display_name.localeCompare(b.display_name) || rank(a) - rank(b) || a.name.localeCompare(b.name))
    )
  }, [all, country, query])
  const countryName = (code: string) => (`country.${code}` in COUNTRY_KEYS ? t(`country.${code}` as MessageKey) : code)
  return (
    <Step name="institutions" title={t('institutions.title')}>
      {props.loadError ? (
        <div class="notice danger" role="alert">
          <p>{props.loadError}</p>
          <button type="button" class="secondary" onClick={props.onRetry}>
            {t('error.retry')}
          </button>
        </div>
      ) : null}
      <div class="filters">
        {countries.length > 1 ? (
          <div class="field">
            <label for="country">{t('institutions.country')}</label>
            <select id="country" value={country} onChange={(e) => setCountry((e.target as HTMLSelectElement).value)}>
              <option value="">{t('institutions.allCountries')}</option>
              {countries.map((code) => (
                <option key={code} value={code}>
                  {countryName(code)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div class="field search">
          <label for="search">{t('institutions.search')}</label>
          <div class="input-icon">
            <Icon name="search" />
            <input
              id="search"
              type="search"
              value={query}
              placeholder={t('institutions.searchPlaceholder')}
              autocomplete="off"
              aria-controls="institution-list"
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            />
          </div>
        </div>
      </div>
      <p class="sr-only" role="status">
        {props.institutions ? (shown.length === 1 ? t('institutions.countOne') : t('institutions.count', { count: shown.length })) : ''}
      </p>
      {props.institutions === null && !props.loadError ? (
        <div class="center">
          <Spinner />
        </div>
      ) : shown.length === 0 && props.institutions ? (
        <p class="muted empty">{t('institutions.none')}</p>
      ) : (
        <ul id="institution-list" class="institutions" aria-label={t('institutions.list')}>
          {shown.map((institution) => {
            const down = institution.status === 'down'
            const describedBy = `inst-${institution.id}-meta`
            return (
              <li key={institution.id}>
                <button
                  type="button"
                  class="institution"
                  data-institution={institution.name}
                  aria-describedby={describedBy}
                  aria-disabled={down ? 'true' : undefined}
                  onClick={() => !down && props.onPick(institution)}
                >
                  <InstitutionLogo name={institution.display_name} logo={institution.icon_logo ?? institution.logo} color={institution.primary_color} />
                  <span class="institution-text">
                    <span class="institution-name">{institution.display_name}</span>
                    <span class="institution-meta" id={describedBy}>
                      {down
                        ? t('institutions.down')
                        : `${t(`type.${institution.type}` as MessageKey) ?? institution.type} · ${countryName(institution.country_code)}`}
                    </span>
                  </span>
                  <span class="chevron" aria-hidden="true">
                    ›
                  </span>
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </Step>
  )
}

const COUNTRY_KEYS = { 'country.MX': 1, 'country.CO': 1, 'country.BR': 1, 'country.CL': 1 }

/** The fields the person types: `token` is asked for in the MFA step, hidden fields travel as they are. */
export function visibleFields(institution: Institution): FormField[] {
  return institution.form_fields.filter((field) => field.name !== 'token' && field.type !== 'hidden')
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value)
  } catch {
    // A pattern this browser cannot compile is the server's to check.
    return true
  }
}

export function Credentials(props: {
  t: Translate
  institution: Institution
  update: boolean
  busy: boolean
  serverErrors: Record<string, string>
  initial: Record<string, string>
  onSubmit: (values: Record<string, string>) => void
}) {
  const { t, institution } = props
  const fields = visibleFields(institution)
  const [values, setValues] = useState<Record<string, string>>(() => {
    const start: Record<string, string> = { ...props.initial }
    for (const field of fields) {
      if (field.type === 'select' && field.values?.length && start[field.name] === undefined) {
        start[field.name] = field.values[field.pre_selected ?? 0]?.code ?? field.values[0].code
      }
    }
    return start
  })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [reveal, setReveal] = useState<Record<string, boolean>>({})
  const form = useRef<HTMLFormElement>(null)
  const allErrors = { ...props.serverErrors, ...errors }

  // A document type chosen in a select sets how the document number is checked (Belvo's form_fields).
  const documentType = fields.find((field) => field.type === 'select')
  const chosen = documentType?.values?.find((value) => value.code === values[documentType.name])
  const rulesOf = (field: FormField) =>
    chosen && field.name === 'username'
      ? {
          validation: chosen.validation || field.validation,
          message: chosen.validation_message || field.validation_message,
          placeholder: chosen.placeholder || field.placeholder,
        }
      : { validation: field.validation, message: field.validation_message, placeholder: field.placeholder }

  const check = (field: FormField, value: string): string | undefined => {
    if (!value) return field.optional ? undefined : t('credentials.required')
    const rules = rulesOf(field)
    if (rules.validation && !matches(rules.validation, value)) return rules.message || t('credentials.invalid')
    return undefined
  }

  const submit = (event: Event) => {
    event.preventDefault()
    if (props.busy) return
    const found: Record<string, string> = {}
    for (const field of fields) {
      const problem = check(field, values[field.name] ?? '')
      if (problem) found[field.name] = problem
    }
    setErrors(found)
    const first = fields.find((field) => found[field.name])
    if (first) {
      form.current?.querySelector<HTMLElement>(`#field-${first.name}`)?.focus()
      return
    }
    props.onSubmit(values)
  }

  // Two fields with one label (a second password also called "Senha") get told apart by number.
  const labels = new Map<string, string>()
  const seen = new Map<string, number>()
  for (const field of fields) {
    const n = (seen.get(field.label) ?? 0) + 1
    seen.set(field.label, n)
    labels.set(field.name, n > 1 ? `${field.label} ${n}` : field.label)
  }

  const name = institution.display_name
  return (
    <Step
      name="credentials"
      title={props.update ? t('credentials.updateTitle', { institution: name }) : t('credentials.title', { institution: name })}
      icon={<InstitutionLogo name={name} logo={institution.icon_logo ?? institution.logo} color={institution.primary_color} large />}
      busy={props.busy}
    >
      <p class="muted">{props.update ? t('credentials.updateIntro', { institution: name }) : t('credentials.intro', { institution: name })}</p>
      <form ref={form} onSubmit={submit} noValidate aria-label={t('credentials.title', { institution: name })}>
        {Object.keys(errors).length > 0 ? (
          <p class="notice danger small" role="alert">
            {t('credentials.fixErrors')}
          </p>
        ) : null}
        {fields.map((field) => {
          const id = `field-${field.name}`
          const error = allErrors[field.name]
          const errorId = `${id}-error`
          const value = values[field.name] ?? ''
          const set = (next: string) => {
            setValues((old) => ({ ...old, [field.name]: next }))
            if (errors[field.name]) setErrors((old) => ({ ...old, [field.name]: check(field, next) ?? '' }))
          }
          const common = {
            id,
            name: field.name,
            'aria-invalid': error ? ('true' as const) : undefined,
            'aria-describedby': error ? errorId : undefined,
            'aria-required': field.optional ? undefined : ('true' as const),
            disabled: false,
          }
          if (field.type === 'select') {
            return (
              <div class="field" key={field.name}>
                <label for={id}>{labels.get(field.name)}</label>
                <select {...common} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
                  {!value ? <option value="">{t('credentials.choose')}</option> : null}
                  {(field.values ?? []).map((option) => (
                    <option key={option.code} value={option.code}>
                      {option.label}
                    </option>
                  ))}
                </select>
                {error ? (
                  <p class="field-error" id={errorId}>
                    {error}
                  </p>
                ) : null}
              </div>
            )
          }
          const isPassword = field.type === 'password'
          const shown = isPassword && reveal[field.name]
          return (
            <div class="field" key={field.name}>
              <label for={id}>{labels.get(field.name)}</label>
              <div class={isPassword ? 'input-with-button' : undefined}>
                <input
                  {...common}
                  type={isPassword && !shown ? 'password' : 'text'}
                  inputMode={field.type === 'number' ? 'numeric' : undefined}
                  value={value}
                  placeholder={rulesOf(field).placeholder || undefined}
                  autocomplete={isPassword ? 'current-password' : field.name === 'username' ? 'username' : 'off'}
                  autocapitalize="none"
                  spellcheck={false}
                  maxLength={field.length ? Number(field.length) || undefined : undefined}
                  onInput={(e) => set((e.target as HTMLInputElement).value)}
                  onBlur={() => value && setErrors((old) => ({ ...old, [field.name]: check(field, value) ?? '' }))}
                />
                {isPassword ? (
                  <button
                    type="button"
                    class="reveal"
                    aria-pressed={shown ? 'true' : 'false'}
                    aria-label={t('credentials.showPassword')}
                    aria-controls={id}
                    onClick={() => setReveal((old) => ({ ...old, [field.name]: !old[field.name] }))}
                  >
                    <Icon name="eye" />
                  </button>
                ) : null}
              </div>
              {error ? (
                <p class="field-error" id={errorId}>
                  {error}
                </p>
              ) : null}
            </div>
          )
        })}
        <p class="small muted safe">
          <Icon name="lock" />
          {t('credentials.safe')}
        </p>
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={props.busy ? 'true' : undefined}>
            {props.busy ? <Spinner /> : null}
            {props.busy ? t('credentials.submitting') : t('credentials.submit')}
          </button>
        </div>
      </form>
    </Step>
  )
}

/** Which of the sandbox's (and Belvo's) second factors this is: a QR to scan, a challenge to type into a device, or a code sent to one. */
export function mfaKind(challenge: TokenChallenge): 'qr' | 'numeric' | 'device' {
  const data = challenge.token_generation_data
  if (data.type === 'qr') return 'qr'
  if (data.value && /^\d{4,}$/.test(data.value)) return 'numeric'
  return 'device'
}

export function Mfa(props: {
  t: Translate
  institution: Institution
  challenge: TokenChallenge
  rejected: boolean
  busy: boolean
  onSubmit: (token: string) => void
}) {
  const { t, challenge } = props
  const name = props.institution.display_name
  const kind = mfaKind(challenge)
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const value = challenge.token_generation_data.value
  const submit = (event: Event) => {
    event.preventDefault()
    if (props.busy) return
    const clean = token.replace(/\s+/g, '')
    if (!/^\d{1,12}$/.test(clean)) {
      setError(clean ? t('mfa.invalid') : t('credentials.required'))
      input.current?.focus()
      return
    }
    setError(null)
    props.onSubmit(clean)
  }
  return (
    <Step name="mfa" title={t('mfa.title')} busy={props.busy} icon={<Badge name="shield" tone="brand" />}>
      {props.rejected ? (
        <p class="notice danger small" role="alert">
          {t('mfa.rejected')}
        </p>
      ) : null}
      {kind === 'qr' ? (
        <>
          <p id="mfa-instructions">{t('mfa.qr', { institution: name })}</p>
          <div class="qr">
            {challenge.qr_image ? (
              <img src={challenge.qr_image} alt={t('mfa.qrImage', { institution: name })} width={200} height={200} />
            ) : (
              <code>{value}</code>
            )}
          </div>
        </>
      ) : kind === 'numeric' ? (
        <>
          <p id="mfa-instructions">{t('mfa.numeric', { institution: name })}</p>
          <div class="challenge">
            <span class="small muted" id="mfa-challenge-label">
              {t('mfa.challenge')}
            </span>
            <output aria-labelledby="mfa-challenge-label" class="challenge-value">
              {value}
            </output>
          </div>
        </>
      ) : (
        <p id="mfa-instructions">{value ? t('mfa.device', { institution: name, destination: value }) : t('mfa.deviceNoDestination', { institution: name })}</p>
      )}
      <form onSubmit={submit} noValidate aria-label={t('mfa.title')}>
        <div class="field">
          <label for="mfa-token">{t('mfa.token')}</label>
          <input
            ref={input}
            id="mfa-token"
            name="token"
            type="text"
            inputMode="numeric"
            autocomplete="one-time-code"
            placeholder="123456"
            class="token-input"
            value={token}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'mfa-instructions mfa-token-error' : 'mfa-instructions mfa-token-hint'}
            aria-required="true"
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
          {error ? (
            <p class="field-error" id="mfa-token-error">
              {error}
            </p>
          ) : (
            <p class="small muted hint" id="mfa-token-hint">
              {t('mfa.tokenHint')}
            </p>
          )}
        </div>
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={props.busy ? 'true' : undefined}>
            {props.busy ? <Spinner /> : null}
            {t('mfa.submit')}
          </button>
        </div>
      </form>
    </Step>
  )
}

const PERMISSIONS = ['REGISTER', 'ACCOUNTS', 'CREDIT_CARDS', 'CREDIT_OPERATIONS']
const DURATIONS = [92, 183, 275, 366]

const formatDocument = (type: string, number: string) => {
  const digits = number.replace(/\D/g, '')
  if (type === 'CPF' && digits.length === 11) return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`
  if (type === 'CNPJ' && digits.length === 14)
    return `${digits.slice(0, 2)}.${digits.slice(2, 5)}.${digits.slice(5, 8)}/${digits.slice(8, 12)}-${digits.slice(12)}`
  return number
}

export interface ConsentRequest {
  identification?: { type: 'CPF' | 'CNPJ'; number: string }
  permissions: string[]
  duration_days?: number
}

export function OpenFinanceConsent(props: {
  t: Translate
  institution: Institution
  branding: Branding | null
  consent: ConsentConfig | null
  purpose: string | null
  busy: boolean
  onSubmit: (request: ConsentRequest) => void
}) {
  const { t, consent, institution } = props
  const company = props.branding?.company_name
  const identification = consent?.identification_info ?? []
  const permissions = consent?.permissions?.length ? consent.permissions : PERMISSIONS
  const days = consent?.default_consent_duration_days
  const terms = consent?.terms_and_conditions_url ?? props.branding?.company_terms_url
  const [cpf, setCpf] = useState('')
  const [error, setError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    if (props.busy) return
    let chosen: ConsentRequest['identification']
    if (identification.length) {
      chosen = { type: identification[0].type, number: identification[0].number.replace(/\D/g, '') }
    } else {
      const digits = cpf.replace(/\D/g, '')
      if (digits.length !== 11) {
        setError(cpf ? t('openfinance.cpfInvalid') : t('credentials.required'))
        input.current?.focus()
        return
      }
      chosen = { type: 'CPF', number: digits }
    }
    setError(null)
    props.onSubmit({ identification: chosen, permissions, ...(typeof days === 'number' ? { duration_days: days } : {}) })
  }
  const name = institution.display_name
  return (
    <Step
      name="openfinance-consent"
      title={company ? t('openfinance.title', { company }) : t('openfinance.titleDefault')}
      busy={props.busy}
      icon={<InstitutionLogo name={name} logo={institution.icon_logo ?? institution.logo} color={institution.primary_color} large />}
    >
      <p class="muted">{t('openfinance.intro', { institution: name })}</p>
      <form onSubmit={submit} noValidate aria-label={company ? t('openfinance.title', { company }) : t('openfinance.titleDefault')}>
        <h2>{t('openfinance.purpose')}</h2>
        <p>{consent?.purpose ?? props.purpose ?? t('openfinance.defaultPurpose')}</p>
        <h2>{t('openfinance.permissions')}</h2>
        <ul class="permissions">
          {permissions.map((permission) =>
            PERMISSIONS.includes(permission) ? (
              <li key={permission}>
                <Icon name="check" />
                <div>
                  <strong>{t(`permission.${permission}` as MessageKey)}</strong>
                  <span class="small muted">{t(`permission.${permission}.text` as MessageKey)}</span>
                </div>
              </li>
            ) : (
              <li key={permission}>
                <Icon name="check" />
                <strong>{permission}</strong>
              </li>
            ),
          )}
        </ul>
        <h2>{t('openfinance.identification')}</h2>
        {identification.length ? (
          <dl class="identification">
            {identification.map((info) => (
              <div key={info.number}>
                <dt>{info.type}</dt>
                <dd>
                  {formatDocument(info.type, info.number)}
                  {info.name ? <span class="muted"> · {info.name}</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        ) : (
          <div class="field">
            <label for="of-cpf">{t('openfinance.cpf')}</label>
            <input
              ref={input}
              id="of-cpf"
              name="cpf"
              type="text"
              inputMode="numeric"
              autocomplete="off"
              placeholder="123.456.789-01"
              value={cpf}
              aria-required="true"
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? 'of-cpf-error' : 'of-cpf-hint'}
              onInput={(e) => setCpf((e.target as HTMLInputElement).value)}
            />
            {error ? (
              <p class="field-error" id="of-cpf-error">
                {error}
              </p>
            ) : (
              <p class="small muted hint" id="of-cpf-hint">
                {t('openfinance.cpfHint')}
              </p>
            )}
          </div>
        )}
        {typeof days === 'number' ? (
          <>
            <h2>{t('openfinance.duration')}</h2>
            <p>{DURATIONS.includes(days) ? t('openfinance.durationDays', { days }) : t('openfinance.durationUndefined')}</p>
          </>
        ) : null}
        <div class="actions">
          {terms ? (
            <p class="small muted terms">
              {t('intro.termsBefore')}{' '}
              <a href={terms} target="_blank" rel="noopener noreferrer">
                {t('intro.terms')}
              </a>
              {company ? ` ${t('intro.termsOf', { company })}` : ''}.
            </p>
          ) : null}
          <button type="submit" class="primary" aria-disabled={props.busy ? 'true' : undefined}>
            {props.busy ? <Spinner /> : null}
            {props.busy ? t('openfinance.redirecting', { institution: name }) : t('openfinance.continue', { institution: name })}
          </button>
        </div>
      </form>
    </Step>
  )
}

export function Success(props: { t: Translate; institution: string; company: string | undefined; onDone: () => void; closed: boolean }) {
  const { t } = props
  return (
    <Step name="success" title={t('success.title')} icon={<Badge name="check" tone="success" />}>
      <p class="lead">
        {props.company
          ? t('success.text', { institution: props.institution, company: props.company })
          : t('success.textDefault', { institution: props.institution })}
      </p>
      {props.closed ? (
        <p class="muted" role="status">
          {t('closeWindow')}
        </p>
      ) : (
        <div class="actions">
          <button type="button" class="primary" onClick={props.onDone}>
            {t('success.done')}
          </button>
        </div>
      )}
    </Step>
  )
}

export function Dialog(props: { t: Translate; onStay: () => void; onLeave: () => void }) {
  const { t } = props
  const stay = useRef<HTMLButtonElement>(null)
  const leave = useRef<HTMLButtonElement>(null)
  useEffect(() => stay.current?.focus(), [])
  // Focus starts on the safe choice and stays inside the dialog while it is open.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      props.onStay()
    } else if (event.key === 'Tab') {
      event.preventDefault()
      ;(document.activeElement === stay.current ? leave : stay).current?.focus()
    }
  }
  return (
    <div class="dialog-backdrop">
      <div
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="exit-title"
        aria-describedby="exit-text"
        onKeyDown={onKeyDown}
        data-step="exit-dialog"
      >
        <h2 id="exit-title">{t('exit.title')}</h2>
        <p id="exit-text">{t('exit.text')}</p>
        <div class="dialog-actions">
          <button type="button" class="secondary" ref={leave} onClick={props.onLeave}>
            {t('exit.leave')}
          </button>
          <button type="button" class="primary" ref={stay} onClick={props.onStay}>
            {t('exit.stay')}
          </button>
        </div>
      </div>
    </div>
  )
}
