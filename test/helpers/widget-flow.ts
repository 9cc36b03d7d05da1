import { expect } from 'vitest'
import type { Frame, Page } from 'playwright-core'
import { checkStep } from './browser.ts'

/**
 * The widget's steps as a person goes through them, found the way a person (or a screen reader)
 * finds them: by role and accessible name, and each step by its `data-step` attribute. English
 * texts are the widget's (widget/src/i18n.ts).
 */

/** A page, or the widget's iframe inside a host page. */
export type Surface = Page | Frame

/** Waits until the step `name` is shown; returns its locator. */
export function step(surface: Surface, name: string) {
  const locator = surface.locator(`[data-step="${name}"]`)
  return locator.waitFor({ state: 'visible' }).then(() => locator)
}

/** What a test records at every step: an axe-core scan and screenshots at both sizes. */
export interface Recorder {
  /** `frame`: the widget's iframe, scanned instead of the host page (which is photographed whole). */
  (page: Page, step: string, frame?: Frame): Promise<void>
}

/** Checks (axe + screenshots) every step of `test`. */
export function recorder(test: string): Recorder {
  return (page, name, frame) => checkStep(page, test, name, frame)
}

/** From the first screen to the credential form of `institution` (its display name, unique after searching `search`). */
export async function chooseInstitution(
  page: Surface,
  search: string,
  displayName: RegExp | string,
  record?: (step: string) => Promise<void>,
  next = 'credentials',
): Promise<void> {
  await step(page, 'intro')
  await record?.('intro')
  await page.getByRole('button', { name: 'Continue' }).click()
  await step(page, 'institutions')
  await record?.('institutions')
  await page.getByRole('searchbox', { name: 'Search institutions' }).fill(search)
  await page.getByRole('button', { name: displayName }).first().click()
  await step(page, next)
}

/** Mexico's bank form labels (the institution's form_fields, in its country's language). */
export const MX = { username: 'Número de cliente', password: 'Contraseña' }

/** Fills the credential form by the fields' labels (exact) and submits it. */
export async function submitCredentials(page: Page | Frame, values: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(values)) await page.getByLabel(label, { exact: true }).fill(value)
  await page.getByRole('button', { name: 'Connect' }).click()
}

/** Waits for the success step and checks its heading. */
export async function expectSuccess(page: Page | Frame): Promise<void> {
  const success = await step(page, 'success')
  expect(await success.getByRole('heading', { level: 1 }).textContent()).toBe('Account connected')
}
