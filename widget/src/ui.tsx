/** Small pieces every step uses: the step frame with its focused heading, logos, icons, buttons. */
import type { ComponentChildren, Ref } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

/**
 * One step of the flow. `name` is its `data-step` (the end-to-end tests' handle); the heading
 * takes the focus when the step appears, so a screen reader announces the new screen and the next
 * Tab starts from its top.
 */
export function Step(props: { name: string; title: string; children?: ComponentChildren; busy?: boolean; icon?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    heading.current?.focus({ preventScroll: false })
  }, [props.name, props.title])
  return (
    <section class="step" data-step={props.name} aria-labelledby={`${props.name}-title`} aria-busy={props.busy ? 'true' : undefined}>
      {props.icon}
      <h1 id={`${props.name}-title`} ref={heading} tabIndex={-1}>
        {props.title}
      </h1>
      {props.children}
    </section>
  )
}

/** Relative luminance (WCAG 2), for choosing readable text on a colour we did not pick. */
function luminance(hex: string): number | undefined {
  const match = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim())
  if (!match) return undefined
  const digits = match[1].length === 3 ? [...match[1]].map((c) => c + c).join('') : match[1]
  const channel = (i: number) => {
    const c = parseInt(digits.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

/** Black or white, whichever contrasts more with `background` (white when it cannot tell). */
export function readableOn(background: string): string {
  const l = luminance(background)
  if (l === undefined) return '#ffffff'
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111827' : '#ffffff'
}

/** An institution's logo, or its initials on its colour when it has none (decorative: its name is beside it). */
export function InstitutionLogo(props: { name: string; logo: string | null; color: string; large?: boolean }) {
  const cls = props.large ? 'logo logo-large' : 'logo'
  // Logos live on the institutions' (or Belvo's) servers: offline or blocked, the initials stand in.
  const [failed, setFailed] = useState(false)
  if (props.logo && !failed) return <img class={cls} src={props.logo} alt="" loading="lazy" referrerpolicy="no-referrer" onError={() => setFailed(true)} />
  const background = /^#?[0-9a-f]{3,6}$/i.test(props.color) ? (props.color.startsWith('#') ? props.color : `#${props.color}`) : '#475569'
  const initials = props.name
    .split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word))
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('')
  return (
    <span class={`${cls} monogram`} aria-hidden="true" style={{ background, color: readableOn(background) }}>
      {initials || '?'}
    </span>
  )
}

export function Spinner() {
  return <span class="spinner" aria-hidden="true" />
}

const ICONS = {
  close: 'M6 6l12 12M18 6L6 18',
  back: 'M15 5l-7 7 7 7',
  lock: 'M7 11V8a5 5 0 0110 0v3M5 11h14v10H5z',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z',
  eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zm10 3a3 3 0 100-6 3 3 0 000 6z',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  alert: 'M12 8v5m0 3.5v.5M10.3 3.9L2.2 18a2 2 0 001.7 3h16.2a2 2 0 001.7-3L13.7 3.9a2 2 0 00-3.4 0z',
  search: 'M11 18a7 7 0 100-14 7 7 0 000 14zm5-2l5 5',
  users: 'M9 11a4 4 0 100-8 4 4 0 000 8zm-7 10v-1a6 6 0 0112 0v1m3-10a3 3 0 100-6m5 16v-1a5 5 0 00-4-5',
  bank: 'M3 10l9-6 9 6M5 10v8m4-8v8m6-8v8m4-8v8M3 21h18',
  exit: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
} as const

export function Icon(props: { name: keyof typeof ICONS; class?: string }) {
  return (
    <svg class={`icon ${props.class ?? ''}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={ICONS[props.name]} />
    </svg>
  )
}

/** A big round icon at the top of a result screen. */
export function Badge(props: { name: keyof typeof ICONS; tone: 'success' | 'danger' | 'neutral' | 'brand' }) {
  return (
    <div class={`badge badge-${props.tone}`}>
      <Icon name={props.name} />
    </div>
  )
}

/** The customer's logo, else its icon, else its name: an image that fails to load gives way to the next. */
export function BrandMark(props: { logo?: string; icon?: string; name?: string }) {
  const [failed, setFailed] = useState<string[]>([])
  const fail = (url: string) => () => setFailed((old) => [...old, url])
  if (props.logo && !failed.includes(props.logo)) {
    return <img src={props.logo} alt={props.name ?? ''} class="company-logo" referrerpolicy="no-referrer" onError={fail(props.logo)} />
  }
  if (props.icon && !failed.includes(props.icon)) {
    return (
      <span class="company">
        <img src={props.icon} alt="" class="company-icon" referrerpolicy="no-referrer" onError={fail(props.icon)} />
        {props.name ? <span class="company-name">{props.name}</span> : null}
      </span>
    )
  }
  return props.name ? <span class="company-name">{props.name}</span> : null
}

/**
 * The widget's card around every screen, in both flows (the connect flow of app.tsx and the
 * payments flow of payments.tsx): the top bar (back when there is a previous step, the brand, close),
 * the screen, the "secured by" footer. `inert` while a dialog sits above it, so neither focus nor a
 * screen reader wanders behind the dialog.
 */
export function Frame(props: {
  embedded?: boolean
  inert?: boolean
  brand: ComponentChildren
  back?: { label: string; onClick: () => void }
  close: { label: string; onClick: () => void; ref?: Ref<HTMLButtonElement> }
  footer: string
  children: ComponentChildren
  /** What sits above the card (the exit dialog). */
  overlay?: ComponentChildren
}) {
  return (
    <div class={`shell${props.embedded ? ' embedded' : ''}`}>
      <div class="card" inert={props.inert ? true : undefined} aria-hidden={props.inert ? 'true' : undefined}>
        <header class="topbar">
          {props.back ? (
            <button type="button" class="icon-button" aria-label={props.back.label} onClick={props.back.onClick}>
              <Icon name="back" />
            </button>
          ) : (
            <span class="icon-spacer" />
          )}
          <div class="brand">{props.brand}</div>
          <button type="button" class="icon-button" aria-label={props.close.label} ref={props.close.ref} onClick={props.close.onClick}>
            <Icon name="close" />
          </button>
        </header>
        <main class="content">{props.children}</main>
        <footer class="footer">
          <Icon name="lock" />
          {props.footer}
        </footer>
      </div>
      {props.overlay}
    </div>
  )
}
