import { describe, expect, it } from 'vitest'
import { requestHash } from '../../src/domain/payments/idempotency.ts'

describe('the request hash of an idempotency key', () => {
  // Keys stored by earlier Ponte versions must still match their replays: these values were made by
  // the version before 2026-12-07's rewrite of the canonical form.
  const body = { z: [1, { b: 'é', a: null, u: undefined }, 'x'], a: { é: true, A: 1.5, b: [] }, '10': 'ten', '9': 'nine', s: 'quote " and \\ and \n' }

  it('is the same as stored keys hold', () => {
    expect(requestHash('post', '/payments/br/payment-intents/', body, 'V2')).toBe('d794c8ae3f86fcbe4ba561e21f8442b93b95f48e48ccf563af9861130854f847')
    expect(requestHash('POST', '/p/', undefined)).toBe('56675a2919915a0d91d260e1f67f4b2ab79971238dbfaa584d42cbcae8560c55')
  })

  it('ignores the order of keys at every level and keys whose value is undefined, not array order or values', () => {
    const reordered = { s: body.s, '9': 'nine', a: { b: [], A: 1.5, é: true }, z: [1, { a: null, b: 'é' }, 'x'], '10': 'ten' }
    const hashOf = (b: unknown) => requestHash('POST', '/payments/br/payment-intents/', b, 'V2')
    expect(hashOf(reordered)).toBe(hashOf(body))
    expect(hashOf({ ...reordered, z: ['x', { a: null, b: 'é' }, 1] })).not.toBe(hashOf(body))
    expect(hashOf({ ...reordered, '9': 'nove' })).not.toBe(hashOf(body))
    expect(requestHash('POST', '/payments/br/payment-intents/', body, 'V1')).not.toBe(hashOf(body))
  })
})
