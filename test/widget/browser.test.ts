import { describe, expect, test } from 'vitest'
import { browserAvailable, checkA11y, launchBrowser, screenshots } from '../helpers/browser.ts'

// The browser infrastructure itself: chromium starts headless, axe-core runs and reports, and
// screenshots are written at both sizes. Fails loudly here rather than in every widget test.
describe.skipIf(!browserAvailable())('browser helpers', () => {
  test('axe-core flags a serious violation and passes a labelled page', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage()
      await page.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="data:,"><input id="q"></main></html>')
      await expect(checkA11y(page, 'unlabelled')).rejects.toThrow(/image-alt[\s\S]*label/)
      await page.setContent('<!doctype html><html lang="en"><title>t</title><main><h1>Ok</h1><label for="q">Search</label><input id="q"></main></html>')
      await checkA11y(page, 'labelled')
      const paths = await screenshots(page, 'browser helpers', 'labelled page')
      expect(paths.map((p) => p.split('/').slice(-2).join('/'))).toEqual([
        'browser-helpers/labelled-page-phone.png',
        'browser-helpers/labelled-page-desktop.png',
      ])
    } finally {
      await browser.close()
    }
  })
})
