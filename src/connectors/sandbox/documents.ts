import { clabe } from 'clabe-validator'
import { sha256Bytes, type Rng } from './random.ts'

/**
 * Identity and account numbers with real check digits, computed from the sandbox's own seeded
 * generator (the libraries' generate* helpers use Math.random, which would break determinism).
 * Tests validate every value with the reference libraries (brazilian-utils, clabe-validator,
 * validate-rfc).
 */

function digits(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, 9))
}

/** Brazilian CPF (11 digits, two mod-11 check digits). */
export function cpf(rng: Rng): string {
  let base = digits(rng, 9)
  // All-equal sequences (000.000.000-00 and so on) pass the arithmetic but are invalid CPFs.
  while (base.every((d) => d === base[0])) base = digits(rng, 9)
  const dv = (ds: number[]) => {
    const sum = ds.reduce((acc, d, i) => acc + d * (ds.length + 1 - i), 0)
    const r = (sum * 10) % 11
    return r === 10 ? 0 : r
  }
  const d1 = dv(base)
  const d2 = dv([...base, d1])
  return [...base, d1, d2].join('')
}

function cnpjCheckDigit(ds: number[]): number {
  const weights = ds.length === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
  const r = ds.reduce((acc, d, i) => acc + d * weights[i], 0) % 11
  return r < 2 ? 0 : 11 - r
}

/** Brazilian CNPJ (14 digits): 8-digit root, branch 0001 (head office), two check digits. */
export function cnpj(rng: Rng, root?: string): string {
  let rootDigits = root ? root.split('').map(Number) : digits(rng, 8)
  while (!root && rootDigits.every((d) => d === rootDigits[0])) rootDigits = digits(rng, 8)
  const base = [...rootDigits, 0, 0, 0, 1]
  const d1 = cnpjCheckDigit(base)
  const d2 = cnpjCheckDigit([...base, d1])
  return [...base, d1, d2].join('')
}

/**
 * Brazilian driver's licence (CNH) registration number: 9 digits and DENATRAN's two modulo-11
 * check digits. The first weighs the digits 9 down to 1; when its remainder is 10 or more it is 0
 * and the second digit is decremented by 2. The second weighs them 1 up to 9. (The rule
 * brazilian-utils' isValidCnh checks.)
 */
export function cnh(base9: string): string {
  const ds = base9.split('').map(Number)
  const r1 = ds.reduce((acc, d, i) => acc + d * (9 - i), 0) % 11
  const d1 = r1 >= 10 ? 0 : r1
  const decrement = r1 >= 10 ? 2 : 0
  const r2 = ((ds.reduce((acc, d, i) => acc + d * (i + 1), 0) % 11) - decrement + 11) % 11
  const d2 = r2 >= 10 ? 0 : r2
  return `${base9}${d1}${d2}`
}

/** Mod-11 (weights 2..9 from the right) check digit used by most Brazilian banks' accounts. */
export function mod11CheckDigit(number: string): string {
  let sum = 0
  let weight = 2
  for (let i = number.length - 1; i >= 0; i--) {
    sum += Number(number[i]) * weight
    weight = weight === 9 ? 2 : weight + 1
  }
  const dv = 11 - (sum % 11)
  return dv >= 10 ? '0' : String(dv)
}

/** Colombian NIT check digit (DIAN prime weights applied from the rightmost digit). */
export function nitCheckDigit(nit: string): string {
  const weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
  let sum = 0
  for (let i = 0; i < nit.length; i++) sum += Number(nit[nit.length - 1 - i]) * weights[i]
  const r = sum % 11
  return String(r > 1 ? 11 - r : r)
}

/** A company NIT as written on Colombian documents: 9 digits, dash, check digit. */
export function nit(rng: Rng): string {
  const base = `${rng.int(800, 901)}${digits(rng, 6).join('')}`
  return `${base}-${nitCheckDigit(base)}`
}

/** Colombian cédula de ciudadanía: 8 to 10 digits, no check digit. */
export function cedula(rng: Rng): string {
  return `${rng.int(1, 9)}${digits(rng, rng.int(7, 9)).join('')}`
}

/** An 18-digit CLABE (Mexican interbank account number) with its weighted mod-10 check digit. */
export function clabeNumber(bankCode: number, cityCode: number, account11: string): string {
  return clabe.calculate(bankCode, cityCode, Number(account11))
}

// ---------------------------------------------------------------------------------------------
// Mexican RFC (SAT): 4 letters (3 for companies) + date + 2-character homoclave + check digit.

const RFC_VALUES: Record<string, number> = Object.fromEntries([
  ...'0123456789ABCDEFGHIJKLMN'.split('').map((ch, i) => [ch, i] as const),
  ['&', 24],
  ['O', 25],
  ['P', 26],
  ['Q', 27],
  ['R', 28],
  ['S', 29],
  ['T', 30],
  ['U', 31],
  ['V', 32],
  ['W', 33],
  ['X', 34],
  ['Y', 35],
  ['Z', 36],
  [' ', 37],
  ['Ñ', 38],
])

/** SAT's check digit: weighted sum mod 11 over the first 12 characters (companies get a leading space). */
export function rfcCheckDigit(rfc12or11: string): string {
  const body = rfc12or11.length === 11 ? ` ${rfc12or11}` : rfc12or11
  let sum = 0
  for (let i = 0; i < body.length; i++) sum += (RFC_VALUES[body[i]] ?? 0) * (13 - i)
  const r = (11000 - sum) % 11
  return r === 11 ? '0' : r === 10 ? 'A' : String(r)
}

// SAT's list of inconvenient words: their last letter is replaced with X (Anexo IV).
const RFC_FORBIDDEN = new Set([
  'BUEI',
  'BUEY',
  'CACA',
  'CACO',
  'CAGA',
  'CAGO',
  'CAKA',
  'CAKO',
  'COGE',
  'COJA',
  'COJE',
  'COJI',
  'COJO',
  'CULO',
  'FETO',
  'GUEY',
  'JOTO',
  'KACA',
  'KACO',
  'KAGA',
  'KAGO',
  'KOGE',
  'KOJO',
  'KAKA',
  'KULO',
  'MAME',
  'MAMO',
  'MEAR',
  'MEAS',
  'MEON',
  'MION',
  'MOCO',
  'MULA',
  'PEDA',
  'PEDO',
  'PENE',
  'PUTA',
  'PUTO',
  'QULO',
  'RATA',
  'RUIN',
])

export function plainUpper(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z ]/g, '')
}

function yymmdd(date: string): string {
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10)
}

function homoclave(rng: Rng): string {
  const chars = 'ABCDEFGHIJKLMNPQRSTUVWXYZ123456789'
  return rng.pick(chars.split('')) + rng.pick(chars.split(''))
}

/** RFC of a person from given names, both surnames and birth date (YYYY-MM-DD). */
export function rfcPerson(rng: Rng, firstName: string, lastName: string, secondLastName: string, birthDate: string): string {
  const paternal = plainUpper(lastName).replace(/ /g, '')
  const maternal = plainUpper(secondLastName).replace(/ /g, '')
  const given = plainUpper(firstName).split(' ')[0]
  const vowel = paternal.slice(1).match(/[AEIOU]/)?.[0] ?? 'X'
  let letters = `${paternal[0] ?? 'X'}${vowel}${maternal[0] ?? 'X'}${given[0] ?? 'X'}`
  if (RFC_FORBIDDEN.has(letters)) letters = `${letters.slice(0, 3)}X`
  const body = `${letters}${yymmdd(birthDate)}${homoclave(rng)}`
  return body + rfcCheckDigit(body)
}

/** RFC of a company (12 characters) from its name and incorporation date. */
export function rfcCompany(rng: Rng, name: string, incorporationDate: string): string {
  const words = plainUpper(name)
    .split(' ')
    .filter((w) => w.length > 2 && !['SAB', 'CV', 'SA', 'DE', 'DEL', 'LAS', 'LOS'].includes(w))
  const letters = (words.map((w) => w[0]).join('') + 'XXX').slice(0, 3)
  const body = `${letters}${yymmdd(incorporationDate)}${homoclave(rng)}`
  return body + rfcCheckDigit(body)
}

/**
 * Belvo's `institution_user_id`: 44 characters, base64-like. A base64 SHA-256 of institution and
 * normalized username has exactly that form and identifies the same end user across links.
 */
export function institutionUserId(institution: string, username: string): string {
  // base64url: Belvo's institution_user_id alphabet is [A-Za-z0-9-=_] (44 characters).
  return sha256Bytes(`${institution}:${username}`).toString('base64url').padEnd(44, '=')
}
