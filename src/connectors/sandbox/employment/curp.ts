import { plainUpper } from '../documents.ts'
import { Rng, seedKey, withFaker } from '../random.ts'

/**
 * What a CURP says of its holder, and names that agree with it. A CURP starts with the first
 * letter and first inner vowel of the paternal surname, the initial of the maternal surname and
 * of the given name (RENAPO), then the birth date (YYMMDD) and the sex; characters 14 to 16 are
 * the first inner consonants of the same three names. A sandbox worker who logs in with a CURP
 * gets names chosen to fit those letters, so the names, the CURP and the RFC derived from the
 * names agree as they would at the IMSS and the SAT. Kept apart from worker.ts, which builds on
 * the world: the world itself (world.ts) takes the login's names from here.
 */

/** Belvo's sandbox CURP format (the institution's form field): four letters, birth date, six letters, two characters. */
export const CURP_FORMAT = /^([A-Z]{4})([0-9]{6})([A-Z]{6})([A-Z0-9]{2})$/

/** The birth date a CURP encodes: YYMMDD, the century told by the 17th character (a digit before 2000, a letter from 2000). */
export function curpBirthDate(curp: string): string | null {
  const match = CURP_FORMAT.exec(curp)
  if (!match) return null
  const [yy, mm, dd] = [match[2].slice(0, 2), match[2].slice(2, 4), match[2].slice(4, 6)]
  const century = /[0-9]/.test(curp[16]) ? '19' : '20'
  const date = `${century}${yy}-${mm}-${dd}`
  const parsed = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : null
}

/** Whether `curp` has Belvo's format and a real birth date: what the sandbox accepts as a login. */
export function isCurp(curp: string): boolean {
  return curpBirthDate(curp) !== null
}

/** A word as RENAPO reads it: capitals without accents or spaces. */
const letters = (name: string) => plainUpper(name).replace(/ /g, '')

/** The first vowel after the first letter ('X' when there is none, as RENAPO writes it). */
export function innerVowel(name: string): string {
  return (
    letters(name)
      .slice(1)
      .match(/[AEIOU]/)?.[0] ?? 'X'
  )
}

/** The first consonant after the first letter ('X' when there is none). */
export function innerConsonant(name: string): string {
  return (
    letters(name)
      .slice(1)
      .match(/[B-DF-HJ-NP-TV-Z]/)?.[0] ?? 'X'
  )
}

/** The four letters RENAPO (and the SAT, for the RFC) take from a person's names. */
export function nameLetters(first: string, last: string, second: string): string {
  return `${letters(last)[0] ?? 'X'}${innerVowel(last)}${letters(second)[0] ?? 'X'}${letters(first)[0] ?? 'X'}`
}

export interface CurpNames {
  firstName: string
  lastName: string
  secondLastName: string
  gender: 'FEMALE' | 'MALE'
}

/**
 * The best fits among `names`: those that pass every test, else the first tests but the last, and
 * so on down to the first test alone; empty when none passes even that one.
 */
function bestFits(names: readonly string[], tests: ((name: string) => boolean)[]): string[] {
  for (let count = tests.length; count >= 1; count--) {
    const found = names.filter((name) => tests.slice(0, count).every((test) => test(name)))
    if (found.length > 0) return found
  }
  return []
}

/** Single-word names only: a compound given name ("Ana María") or surname would follow other RENAPO rules. */
const simple = (names: readonly string[]) => names.filter((name) => /^\p{L}+$/u.test(name))

/**
 * Names that fit `curp`'s letters, chosen deterministically for `key` from Mexican name lists;
 * null when `curp` is not one. A letter no listed name fits keeps `fallback`'s name for that part
 * (an `X` for the maternal surname means none: RENAPO writes X for a missing second surname).
 */
export function namesFittingCurp(curp: string, key: string, fallback: Omit<CurpNames, 'gender'>): CurpNames | null {
  if (!isCurp(curp)) return null
  const gender = curp[10] === 'M' ? 'FEMALE' : curp[10] === 'H' ? 'MALE' : undefined
  const [surnames, givenNames] = withFaker('MX', seedKey(key, 'curp-names'), (faker) => {
    const person = faker.definitions.person
    const last = person.last_name as { generic?: string[] } | string[]
    const first = person.first_name as { female?: string[]; male?: string[] }
    const lastNames = Array.isArray(last) ? last : (last.generic ?? [])
    const firstNames = gender === 'FEMALE' ? (first.female ?? []) : gender === 'MALE' ? (first.male ?? []) : [...(first.female ?? []), ...(first.male ?? [])]
    return [simple(lastNames), simple(firstNames)] as const
  })
  const rng = new Rng(seedKey(key, 'curp-names', curp))
  const choose = (names: string[], otherwise: string) => (names.length > 0 ? rng.pick(names) : otherwise)
  const initial = (letter: string) => (name: string) => letters(name)[0] === letter
  const consonant = (letter: string) => (name: string) => innerConsonant(name) === letter

  const paternal = choose(bestFits(surnames, [initial(curp[0]), (name) => innerVowel(name) === curp[1], consonant(curp[13])]), fallback.lastName)
  // The maternal surname differs from the paternal one where the letters allow it.
  const maternalFits = bestFits(
    surnames.filter((name) => name !== paternal),
    [initial(curp[2]), consonant(curp[14])],
  )
  const maternal = maternalFits.length > 0 ? rng.pick(maternalFits) : curp[2] === 'X' ? '' : fallback.secondLastName
  const given = choose(bestFits(givenNames, [initial(curp[3]), consonant(curp[15])]), fallback.firstName)
  return { firstName: given, lastName: paternal, secondLastName: maternal, gender: gender ?? (rng.chance(0.5) ? 'FEMALE' : 'MALE') }
}
