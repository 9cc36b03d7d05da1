import validateRfcImport from 'validate-rfc'
import { describe, expect, it } from 'vitest'
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.ts'
import type { ConnectorContext, InstitutionRecord } from '../../src/connectors/types.ts'

/**
 * A worker who logs in with a CURP is the person it describes: their names have the CURP's letters
 * (paternal surname's initial and first inner vowel, maternal surname's initial, given name's
 * initial), the birth date and sex are the CURP's, and the RFC derived from the names and birth
 * date starts with the CURP's first ten characters. Checked here with RENAPO's rule written anew.
 */

type Json = Record<string, any>

// validate-rfc is a UMD bundle: depending on the loader its function is the default export or its `default`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcImport as unknown as { default?: ValidateRfc }).default ?? validateRfcImport) as unknown as ValidateRfc

const INSTITUTION = { id: 9454, name: 'planet_mx_employment', country: 'MX', shape: 'multiregion' as const }

function ctx(curp: string, linkSeed: string): ConnectorContext {
  return {
    institution: INSTITUTION,
    credentials: { username: curp, password: 'fake-password' },
    linkSeed,
    profile: 'full',
    today: '2026-03-10',
    accessedAt: '2026-03-10T12:00:00.000Z',
  }
}

const plain = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '')

/** RENAPO's four letters, from the names as the report prints them. */
function renapoLetters(first: string, paternal: string, maternal: string): string {
  const p = plain(paternal)
  return `${p[0]}${p.slice(1).match(/[AEIOU]/)?.[0] ?? 'X'}${plain(maternal)[0] ?? 'X'}${plain(first)[0]}`
}

const CURPS = ['GOMA850412HDFRRN09', 'PEGJ900101HDFRRN05', 'LOMM751230MJCPRR08', 'HEAL020315MNLRNSA1', 'RUCE880720HPLZST03', 'SAVB950606MMCNLR02']

async function fetch(curp: string, linkSeed: string, resource: 'EMPLOYMENT_RECORDS' | 'CURRENT_EMPLOYMENTS' | 'OWNERS'): Promise<Json[]> {
  return (await createSandboxConnector(INSTITUTION).fetch(resource, ctx(curp, linkSeed), {})) as InstitutionRecord[]
}

describe("a CURP login's worker", () => {
  for (const curp of CURPS) {
    it(`${curp}: names with the CURP's letters, its birth date, and an RFC that starts as the CURP`, async () => {
      for (const seed of ['link-a', 'link-b']) {
        const [record] = await fetch(curp, seed, 'EMPLOYMENT_RECORDS')
        const personal = record.personal_data
        const [paternal, maternal = ''] = String(personal.last_name).split(' ')
        expect(renapoLetters(personal.first_name, paternal, maternal), JSON.stringify(personal)).toBe(curp.slice(0, 4))
        const documents = Object.fromEntries(personal.document_ids.map((d: Json) => [d.document_type, d.document_number]))
        expect(documents.CURP).toBe(curp)
        expect(personal.birth_date.replace(/-/g, '').slice(2)).toBe(curp.slice(4, 10))

        const [current] = await fetch(curp, seed, 'CURRENT_EMPLOYMENTS')
        const rfc = Object.fromEntries(current.personal_data.document_ids.map((d: Json) => [d.document_type, d.document_number])).RFC
        expect(rfc.slice(0, 10)).toBe(curp.slice(0, 10))
        expect(validateRfc(rfc).isValid).toBe(true)
        expect(current.personal_data.first_name).toBe(personal.first_name)
        expect(current.personal_data.last_name).toBe(personal.last_name)

        // The account owner the institution reports is the same person.
        const [owner] = await fetch(curp, seed, 'OWNERS')
        expect(owner.display_name.toUpperCase()).toContain(plain(personal.first_name).slice(0, 1))
        expect(plain(owner.display_name)).toContain(plain(paternal))
      }
    })
  }

  it('chooses the same names for the same link, and may choose others for another link', async () => {
    const names = async (seed: string) => (await fetch(CURPS[0], seed, 'EMPLOYMENT_RECORDS'))[0].personal_data
    expect(await names('link-a')).toEqual(await names('link-a'))
    const others = await Promise.all(['link-b', 'link-c', 'link-d', 'link-e'].map(names))
    expect(others.some((p) => p.first_name !== others[0].first_name || p.last_name !== others[0].last_name)).toBe(true)
  })
})
