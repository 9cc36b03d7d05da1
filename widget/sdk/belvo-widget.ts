/**
 * Ponte's `belvo-widget-1-stable.js`: the API of Belvo's embedded widget script, so a page that
 * embeds Belvo's widget switches to Ponte by changing the script's URL.
 *
 *   belvoSDK.createWidget(accessToken, { callback(link, institution), onExit(data), onEvent(data), locale, ... }).build()
 *
 * It opens the widget (served by the same Ponte as this script) in an iframe inside `#belvo`, or in
 * an overlay of its own when the page has no such element, and relays the widget's messages to
 * the callbacks. Only messages from that iframe, from Ponte's origin, are listened to.
 */

interface WidgetConfig {
  callback?: (link: string, institution: string) => void
  onExit?: (data: unknown) => void
  onEvent?: (data: unknown) => void
  [option: string]: unknown
}

interface WidgetMessage {
  source: 'ponte-widget'
  type: 'success' | 'exit' | 'event' | 'close'
  link?: string
  institution?: string
  data?: unknown
}

/** The start-up options passed on to the widget's URL (Belvo's names). */
const URL_OPTIONS = [
  'locale',
  'country_codes',
  'institution_types',
  'institutions',
  'access_mode',
  'external_id',
  'resources',
  'integration_type',
  'mode',
  'show_close_dialog',
]

// Where this script came from is where the widget is: read once, while the script runs.
const scriptSrc = (document.currentScript as HTMLScriptElement | null)?.src || `${location.origin}/widget/belvo-widget-1-stable.js`
const widgetUrl = new URL('./', scriptSrc)

function widgetSrc(accessToken: string, config: WidgetConfig): string {
  const url = new URL(widgetUrl.href)
  url.searchParams.set('access_token', accessToken)
  url.searchParams.set('embedded', '1')
  url.searchParams.set('parent_origin', location.origin)
  for (const name of URL_OPTIONS) {
    const value = config[name]
    if (value === undefined || value === null || value === '') continue
    url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value))
  }
  return url.href
}

function createWidget(accessToken: string, config: WidgetConfig = {}) {
  let frame: HTMLIFrameElement | null = null
  let overlay: HTMLElement | null = null
  let returnFocus: Element | null = null

  const call = (fn: ((...args: never[]) => void) | undefined, ...args: unknown[]) => {
    try {
      ;(fn as ((...a: unknown[]) => void) | undefined)?.(...args)
    } catch (error) {
      // The page's callback failing must not break the widget's messaging.
      setTimeout(() => {
        throw error
      })
    }
  }

  const onMessage = (event: MessageEvent) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== widgetUrl.origin) return
    const message = event.data as WidgetMessage
    if (!message || message.source !== 'ponte-widget') return
    switch (message.type) {
      case 'success':
        call(config.callback, message.link, message.institution)
        break
      case 'event':
        call(config.onEvent, message.data)
        break
      case 'exit':
        destroy()
        call(config.onExit, message.data)
        break
      case 'close':
        destroy()
        break
    }
  }

  function destroy() {
    window.removeEventListener('message', onMessage)
    frame?.remove()
    overlay?.remove()
    frame = null
    overlay = null
    if (returnFocus instanceof HTMLElement) returnFocus.focus()
  }

  function build() {
    if (frame) return widget
    returnFocus = document.activeElement
    frame = document.createElement('iframe')
    frame.src = widgetSrc(accessToken, config)
    frame.title = 'Connect your account'
    frame.setAttribute('allow', 'clipboard-write')
    frame.style.cssText = 'border:0;width:100%;height:100%;display:block;background:transparent;color-scheme:normal'
    const container = document.getElementById('belvo')
    overlay = document.createElement('div')
    overlay.setAttribute('data-ponte-widget', '')
    overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483000;width:100vw;height:100vh;height:100dvh'
    overlay.appendChild(frame)
    ;(container ?? document.body).appendChild(overlay)
    window.addEventListener('message', onMessage)
    frame.addEventListener('load', () => frame?.focus(), { once: true })
    return widget
  }

  const widget = { build, destroy }
  return widget
}

declare global {
  interface Window {
    belvoSDK: { createWidget: typeof createWidget }
  }
}

window.belvoSDK = { createWidget }

// A module (for the global declaration above); esbuild bundles it into a plain script.
export {}
