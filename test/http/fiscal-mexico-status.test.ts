import { PDFDocument } from 'pdf-lib'
import validateRfcImport from 'validate-rfc'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { connectedClient, type BelvoClient } from '../helpers/belvo.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'
import { parsePdf, pdfText, popplerAvailable, renderFirstPage } from '../helpers/pdf.ts'
import { createLink, expectError, shared } from '../helpers/resources.ts'
import { expectSpec } from '../helpers/spec.ts'

/**
 * Mexico's SAT certificates: the tax status (Constancia de Situación Fiscal) and the compliance
 * opinion (Opinión del cumplimiento de obligaciones fiscales), through the official SDK and over
 * HTTP: Belvo's schemas, one taxpayer per link, the outcome of each persona, Belvo's errors, and
 * the PDFs, which open, render and show the JSON's values, the same bytes for the same link and day.
 */

type Json = Record<string, any>

// validate-rfc is a UMD bundle: depending on the loader its function is the default export or its `default`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcImport as unknown as { default?: ValidateRfc }).default ?? validateRfcImport) as unknown as ValidateRfc

const SAT = 'tatooine_mx_fiscal'
const START = '2026-03-10T15:00:00Z'
const poppler = popplerAvailable()

/** The fields the server stamps on every access; the rest of an item is the institution's data. */
const withoutStamps = ({ id: _id, collected_at: _collected, created_at: _created, ...rest }: Json) => rest

/** pdftotext's reading with whitespace collapsed, as the values are compared. */
const text = async (pdf: string) => pdfText((await parsePdf(pdf)).bytes)

/** 'YYYY-MM-DD' as the certificates' tables print it. */
const slash = (date: string) => date.split('-').reverse().join('/')

describe('Mexico SAT: tax status and tax compliance status', () => {
  let h: Harness
  let client: BelvoClient
  beforeAll(async () => {
    h = await createHarness()
    h.clock.set(START)
    client = await connectedClient(h)
  })
  afterAll(async () => h.close())
  beforeEach(() => h.clock.set(START))

  const call: Harness['call'] = (...args) => h.call(...args)
  const taxStatus = () => client.taxStatus as BelvoClient['accounts']
  const compliance = () => client.taxComplianceStatus as BelvoClient['accounts']

  /** The full persona's certificates, with their PDFs, retrieved once through the SDK. */
  const full = shared(async () => {
    const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
    const status: Json = await taxStatus().retrieve(link.id, { attachPDF: true })
    const opinion: Json = await compliance().retrieve(link.id, { attachPDF: true })
    return { link, status, opinion }
  })

  describe('through the official SDK', () => {
    it('retrieves one object each, which validates against Belvo’s schemas', async () => {
      const { link, status, opinion } = await full()
      expect(Array.isArray(status)).toBe(false)
      expectSpec('multiregion', 'TaxStatusSat', status)
      expectSpec('current', 'TaxStatusSat', status)
      expectSpec('multiregion', 'TaxComplianceStatus', opinion)
      expectSpec('current', 'TaxComplianceStatus', opinion)
      expect(status.link).toBe(link.id)
      // Belvo's compliance item has no link field.
      expect(opinion).not.toHaveProperty('link')
      expect(opinion).not.toHaveProperty('internal_identification', undefined)
      expect(typeof status.pdf).toBe('string')
      expect(typeof opinion.pdf).toBe('string')
    })

    it('lists, details and deletes them', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
      for (const resource of [taxStatus(), compliance()]) {
        const unsaved = await resource.retrieve(link.id, { saveData: false })
        expect(unsaved.pdf).toBeNull()
        expect(await resource.list({ filters: { link: link.id } })).toEqual([])
        const stored = await resource.retrieve(link.id)
        expect(withoutStamps(stored)).toEqual(withoutStamps(unsaved))
        const listed = await resource.list({ filters: { link: link.id } })
        expect(listed.map((item: Json) => item.id)).toEqual([stored.id])
        expect(await resource.detail(stored.id)).toEqual(stored)
        await resource.delete(stored.id)
        expect(await resource.list({ filters: { link: link.id } })).toEqual([])
      }
    })

    it('keeps one tax status per taxpayer (a new retrieve updates it) and one opinion per day', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
      const first = await taxStatus().retrieve(link.id)
      const again = await taxStatus().retrieve(link.id)
      expect(again.id).toBe(first.id)
      const today = await compliance().retrieve(link.id)
      expect((await compliance().retrieve(link.id)).id).toBe(today.id)
      h.clock.set('2026-03-11T15:00:00Z')
      const tomorrow = await compliance().retrieve(link.id)
      expect(tomorrow.id).not.toBe(today.id)
      expect(tomorrow.internal_identification).not.toBe(today.internal_identification)
      expect((await compliance().list({ filters: { link: link.id } })).length).toBe(2)
    })
  })

  describe('one taxpayer per link', () => {
    it('is a person with a valid RFC, a CURP of the same letters and birth date, and their name, activities and regimes', async () => {
      const { status, opinion } = await full()
      const info = status.tax_payer_information
      expect(validateRfc(info.rfc).isValid).toBe(true)
      expect(info.curp.slice(0, 10)).toBe(info.rfc.slice(0, 10))
      expect(status.official_name).toBe(`${info.name} ${info.first_last_name} ${info.second_last_name}`)
      expect(info.status_padron).toBe('ACTIVO')
      expect(status.id_cif).toMatch(/^\d{11}$/)
      expect(opinion.rfc).toBe(info.rfc)
      expect(status.economic_activity.reduce((sum: number, a: Json) => sum + Number(a.percentage), 0)).toBe(100)
      expect(status.regimes.map((r: Json) => r.regimen)).toEqual([
        'Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios',
        'Régimen de las Personas Físicas con Actividades Empresariales y Profesionales',
      ])
      // Belvo: "For non-business accounts, this field will return empty."
      expect(status.obligations).toEqual([])
      expect(status.place_and_date_of_issuance).toMatch(/ A 10 DE MARZO DE 2026$/)
      expect(status.digital_stamp).toBe(`||2026/03/10|${info.rfc}|CONSTANCIA DE SITUACIÓN FISCAL|${status.digital_stamp.split('|')[5]}||`)
      expect(Buffer.from(status.digital_stamp_chain, 'base64')).toHaveLength(256)
      expect(opinion.outcome).toBe('POSITIVE')
      expect(opinion.internal_identification).toMatch(/^26N[A-E]\d{7}$/)
    })

    it('is the company of a 12-character RFC login, with its obligations', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'ABC100215KQA/secret' })
      const status: Json = (await call('POST', '/api/tax-status/', { link: link.id, save_data: false })).body
      expectSpec('multiregion', 'TaxStatusSat', status)
      expect(status.tax_payer_information).toMatchObject({ rfc: 'ABC100215KQA', curp: null, name: null })
      expect(status.official_name).toBe(status.tax_payer_information.social_name)
      expect(status.official_name.startsWith(status.tax_payer_information.commercial_name)).toBe(true)
      expect(status.regimes.map((r: Json) => r.regimen)).toEqual(['Régimen General de Ley Personas Morales'])
      expect(status.obligations.length).toBeGreaterThan(0)
      const opinion = (await call('POST', '/api/tax-compliance-status/', { link: link.id, save_data: false })).body
      expect(opinion).toMatchObject({ rfc: 'ABC100215KQA', outcome: 'POSITIVE' })
    })

    it('gives each persona its outcome: POSITIVE when up to date, NEGATIVE with pending returns, NO_OBLIGATIONS without any', async () => {
      const outcomes: Json = {}
      for (const persona of ['fiscal102/low', 'bnk103/negative', 'fiscal101/nodata']) {
        const link = await createLink(h, { institution: SAT, persona })
        const opinion = (await call('POST', '/api/tax-compliance-status/', { link: link.id, save_data: false })).body
        expectSpec('multiregion', 'TaxComplianceStatus', opinion)
        outcomes[persona] = opinion.outcome
        const status = (await call('POST', '/api/tax-status/', { link: link.id, save_data: false })).body
        expectSpec('multiregion', 'TaxStatusSat', status)
        expect(status.tax_payer_information.rfc).toBe(opinion.rfc)
        if (persona === 'fiscal101/nodata') {
          // Registered without obligations: nothing to do, nothing to file.
          expect(status.regimes).toEqual([
            { regimen: 'Sin obligaciones fiscales', initial_date: status.tax_payer_information.start_operations_date, end_date: null },
          ])
          expect(status.economic_activity).toEqual([])
        }
      }
      expect(outcomes).toEqual({ 'fiscal102/low': 'POSITIVE', 'bnk103/negative': 'NEGATIVE', 'fiscal101/nodata': 'NO_OBLIGATIONS' })
    })

    it('answers the same data, to the PDF byte, for the same link on the same day', async () => {
      const { link } = await full()
      for (const path of ['/api/tax-status/', '/api/tax-compliance-status/']) {
        const body = { link: link.id, attach_pdf: true, save_data: false }
        const first = await call('POST', path, body)
        const second = await call('POST', path, body)
        expect(first.status).toBe(200)
        expect(withoutStamps(second.body)).toEqual(withoutStamps(first.body))
        expect(Buffer.from(second.body.pdf, 'base64').equals(Buffer.from(first.body.pdf, 'base64'))).toBe(true)
      }
    })
  })

  describe('the PDFs', () => {
    it('parse, with the certificate’s own issue date inside', async () => {
      const { status, opinion } = await full()
      for (const pdf of [status.pdf, opinion.pdf]) {
        const { bytes, pages } = await parsePdf(pdf)
        expect(pages).toBeGreaterThan(0)
        expect(Buffer.from(bytes).subarray(0, 5).toString()).toBe('%PDF-')
        const doc = await PDFDocument.load(bytes, { updateMetadata: false })
        // Issued that morning in Mexico City (UTC-6), by the sandbox, not at the time of the request.
        expect(doc.getCreationDate()?.toISOString()).toMatch(/^2026-03-10T1[345]:/)
        expect(doc.getProducer()).toBe('Ponte sandbox')
      }
    })

    it.skipIf(!poppler)('render, and the constancia shows the JSON’s RFC, CURP, name, address, activities, regimes and obligations', async () => {
      const { status } = await full()
      const { width, height } = await renderFirstPage((await parsePdf(status.pdf)).bytes)
      expect([width, height]).toEqual([425, 550])
      const shown = await text(status.pdf)
      const info = status.tax_payer_information
      expect(shown).toContain('SERVICIO DE ADMINISTRACIÓN TRIBUTARIA')
      expect(shown).toContain('Constancia de Situación Fiscal')
      for (const value of [info.rfc, info.curp, status.official_name, info.name, info.first_last_name, status.id_cif, status.place_and_date_of_issuance]) {
        expect(shown).toContain(value)
      }
      for (const value of [status.address.postal_code, status.address.street, status.address.suburb, status.address.state, info.email])
        expect(shown).toContain(value)
      for (const activity of status.economic_activity) {
        expect(shown).toContain(activity.economic_activity)
        expect(shown).toContain(`${activity.order} ${activity.economic_activity} ${activity.percentage} ${slash(activity.initial_date)}`)
      }
      for (const regime of status.regimes) expect(shown).toContain(`${regime.regimen} ${slash(regime.initial_date)}`)
      // The certificate lists a person's obligations, which Belvo's JSON leaves out.
      expect(shown).toContain('Pago definitivo mensual de IVA.')
      expect(shown).toContain(status.digital_stamp.trim())
    })

    it.skipIf(!poppler)('render, and the opinion shows its folio, RFC, name, date and outcome', async () => {
      const { status, opinion } = await full()
      await renderFirstPage((await parsePdf(opinion.pdf)).bytes)
      const shown = await text(opinion.pdf)
      expect(shown).toContain('Opinión del cumplimiento de obligaciones fiscales')
      expect(shown).toContain(`Folio: ${opinion.internal_identification}`)
      expect(shown).toContain(opinion.rfc)
      expect(shown).toContain(status.official_name)
      expect(shown).toContain('10 de marzo de 2026')
      expect(shown).toContain('Sentido: POSITIVO')
      expect(shown).toContain('en sentido POSITIVO')
    })

    it.skipIf(!poppler)('show the negative persona’s pending monthly payments, and nodata’s registration without obligations', async () => {
      const negative = await createLink(h, { institution: SAT, persona: 'bnk103/negative' })
      const opinion = (await call('POST', '/api/tax-compliance-status/', { link: negative.id, attach_pdf: true, save_data: false })).body
      const shown = await text(opinion.pdf)
      expect(shown).toContain('Sentido: NEGATIVO')
      expect(shown).toContain('Obligaciones pendientes')
      // On 10 March the February payments are not due yet (17 March): January's are the ones missing.
      expect(shown).toMatch(/Pago definitivo mensual de IVA\. Enero 2026/)
      const nodata = await createLink(h, { institution: SAT, persona: 'fiscal101/nodata' })
      const none = (await call('POST', '/api/tax-compliance-status/', { link: nodata.id, attach_pdf: true, save_data: false })).body
      expect(await text(none.pdf)).toContain('Sentido: INSCRITO SIN OBLIGACIONES')
      const status = (await call('POST', '/api/tax-status/', { link: nodata.id, attach_pdf: true, save_data: false })).body
      expect(await text(status.pdf)).toContain('Sin obligaciones fiscales')
    })
  })

  describe('bad input', () => {
    it('refuses the bad bodies Belvo refuses, with the field at fault, and stores nothing', async () => {
      const link = await createLink(h, { institution: SAT, persona: 'fiscal100/full' })
      for (const path of ['/api/tax-status/', '/api/tax-compliance-status/']) {
        expectError(await call('POST', path, {}), 400, 'required', 'link')
        expectError(await call('POST', path, { link: null }), 400, undefined, 'link')
        expectError(await call('POST', path, { link: link.id, attach_pdf: 'yes' }), 400, undefined, 'attach_pdf')
        expectError(await call('POST', path, { link: link.id, save_data: null }), 400, 'null', 'save_data')
        expectError(await call('POST', path, { link: '00000000-0000-4000-8000-000000000000' }), 400, 'does_not_exist', 'link')
        expectError(await call('POST', path, { link: link.id }, { auth: h.otherAuth }), 400, 'does_not_exist', 'link')
        expect((await call('GET', `${path}?link=${link.id}`)).body.count).toBe(0)
        expectError(await call('GET', `${path}00000000-0000-4000-8000-000000000000/`), 404, 'not_found')
        expectError(await call('DELETE', `${path}00000000-0000-4000-8000-000000000000/`), 404, 'not_found')
        expectError(await call('GET', `${path}?created_at__gte=yesterday`), 400, undefined, 'created_at__gte')
      }
    })

    it('is unsupported where the institution does not offer it: a bank, Chile’s SII', async () => {
      for (const institution of ['erebor_mx_retail', 'tatooine_cl_fiscal']) {
        const link = await createLink(h, { institution, persona: 'user_valid/pass_valid' })
        for (const path of ['/api/tax-status/', '/api/tax-compliance-status/']) {
          expectError(await call('POST', path, { link: link.id }), 400, 'unsupported_operation')
          expect((await call('GET', `${path}?link=${link.id}`)).body.count).toBe(0)
        }
      }
    })
  })

  describe('in the background', () => {
    let receiver: Receiver
    beforeAll(async () => {
      receiver = await h.receiveWebhooks('Bearer sat')
      await h.startWorker()
    })

    it('fetches both in historical updates of the fetch_resources, one webhook each, without PDFs', async () => {
      const link = (
        await call('POST', '/api/links/', {
          institution: SAT,
          username: 'fiscal100',
          password: 'full',
          fetch_resources: ['TAX_STATUS', 'TAX_COMPLIANCE_STATUS'],
        })
      ).body
      const forLink = () => receiver.received.map((r) => r.body).filter((b) => b.link_id === link.id)
      await receiver.waitFor(() => forLink().length >= 2)
      const hooks = forLink()
      expect(hooks.map((b) => b.webhook_type).sort()).toEqual(['TAX_COMPLIANCE_STATUS', 'TAX_STATUS'])
      for (const hook of hooks) expect(hook).toMatchObject({ webhook_code: 'historical_update', process_type: 'historical_update' })
      expect(hooks.find((b) => b.webhook_type === 'TAX_STATUS')!.data).toEqual({ total_tax_status: 1 })
      expect(hooks.find((b) => b.webhook_type === 'TAX_COMPLIANCE_STATUS')!.data).toEqual({ total_tax_compliance_status: 1 })
      const [status] = (await call('GET', `/api/tax-status/?link=${link.id}`)).body.results
      const [opinion] = (await call('GET', `/api/tax-compliance-status/?link=${link.id}`)).body.results
      expect(status).toMatchObject({ link: link.id, pdf: null })
      expect(opinion).toMatchObject({ rfc: status.tax_payer_information.rfc, outcome: 'POSITIVE', pdf: null })
    })
  })

  it('asks the MFA personas for a token at heimdall_mx_fiscal, and resumes with it', async () => {
    const link = await createLink(h, { institution: 'heimdall_mx_fiscal' })
    for (const path of ['/api/tax-status/', '/api/tax-compliance-status/']) {
      const challenge = expectError(await call('POST', path, { link: link.id, attach_pdf: true }), 428, 'token_required')
      const resumed = await call('PATCH', path, { session: challenge.session, token: '111111', link: link.id })
      expect(resumed.status, JSON.stringify(resumed.body).slice(0, 300)).toBe(201)
      const item = Array.isArray(resumed.body) ? resumed.body[0] : resumed.body
      expectSpec('multiregion', path === '/api/tax-status/' ? 'TaxStatusSat' : 'TaxComplianceStatus', item)
      expect(typeof item.pdf).toBe('string')
    }
  })
})
