import { getPixKeyInfo, isValidCnpj, isValidCpf, type PixKeyType } from '@brazilian-utils/brazilian-utils'
import { PonteError } from '../../lib/errors.ts'

/**
 * Brazilian documents and Pix keys, validated with @brazilian-utils/brazilian-utils (check digits,
 * not only lengths). Belvo takes CPF and CNPJ as digits; masks ("123.456.789-09") are accepted
 * and stored as digits.
 */
export type DocumentType = 'CPF' | 'CNPJ'

export function digitsOf(value: string): string {
  return value.replace(/[.\-/\s]/g, '')
}

/** A CPF or CNPJ as digits, with its type; Belvo's 400 on `field` otherwise. */
export function parseDocument(value: unknown, field: string, expected?: DocumentType): { type: DocumentType; digits: string } {
  const variant = expected === 'CPF' ? 'cpf' : expected === 'CNPJ' ? 'cnpj' : 'document'
  if (typeof value !== 'string') throw new PonteError('invalid', { field, variant })
  const digits = digitsOf(value)
  if (/^\d{11}$/.test(digits) && isValidCpf(digits) && expected !== 'CNPJ') return { type: 'CPF', digits }
  if (/^\d{14}$/.test(digits) && isValidCnpj(digits) && expected !== 'CPF') return { type: 'CNPJ', digits }
  throw new PonteError('invalid', { field, variant })
}

/**
 * A Pix key of any kind the DICT registers (CPF, CNPJ, e-mail, mobile phone in E.164, random
 * key), in its canonical form; Belvo's 400 on `field` otherwise.
 */
export function parsePixKey(value: unknown, field: string): { type: PixKeyType; value: string } {
  const info = typeof value === 'string' ? getPixKeyInfo(value) : null
  if (!info) throw new PonteError('invalid', { field, variant: 'pix_key' })
  return info
}

/** How Belvo shows a document it was given: only the middle digits ("***.456.789-**", "**.345.678/0001-**"). */
export function maskDocument(digits: string): string {
  if (digits.length === 11) return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`
  if (digits.length === 14) return `**.${digits.slice(2, 5)}.${digits.slice(5, 8)}/${digits.slice(8, 12)}-**`
  return '***'
}
