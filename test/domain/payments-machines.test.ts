import { describe, expect, it } from 'vitest'
import {
  canTransition,
  CHARGE_MACHINE,
  CHARGE_STATUSES,
  isFinal,
  PAYMENT_INTENT_MACHINE,
  PAYMENT_INTENT_STATUSES,
  transition,
} from '../../src/domain/payments/machines.ts'
import { formatAmount, parseAmount, sumAmounts } from '../../src/domain/payments/money.ts'
import { AMOUNT_RULES, endToEndId, END_TO_END_ID, outcomeFor } from '../../src/domain/payments/network.ts'

describe('the payments status machines', () => {
  it('cover every status Belvo names, and nothing leaves a final status', () => {
    expect(Object.keys(PAYMENT_INTENT_MACHINE.transitions).sort()).toEqual([...PAYMENT_INTENT_STATUSES].sort())
    expect(Object.keys(CHARGE_MACHINE.transitions).sort()).toEqual([...CHARGE_STATUSES].sort())
    for (const status of ['SUCCEEDED', 'FAILED'] as const) expect(isFinal(PAYMENT_INTENT_MACHINE, status)).toBe(true)
    for (const status of ['SUCCEEDED', 'FAILED', 'CANCELED'] as const) expect(isFinal(CHARGE_MACHINE, status)).toBe(true)
  })

  it('allow only the documented changes', () => {
    expect(canTransition(PAYMENT_INTENT_MACHINE, 'REQUIRES_ACTION', 'PROCESSING')).toBe(true)
    expect(canTransition(PAYMENT_INTENT_MACHINE, 'REQUIRES_PAYMENT_METHOD', 'PROCESSING')).toBe(false)
    expect(canTransition(PAYMENT_INTENT_MACHINE, 'SUCCEEDED', 'FAILED')).toBe(false)
    expect(canTransition(CHARGE_MACHINE, 'PENDING', 'CANCELED')).toBe(false)
    expect(canTransition(CHARGE_MACHINE, 'SCHEDULED', 'CANCELED')).toBe(true)
    expect(() => transition(PAYMENT_INTENT_MACHINE, 'FAILED', 'SUCCEEDED')).toThrow(expect.objectContaining({ code: 'invalid' }))
  })
})

describe('payments money and the sandbox network', () => {
  it('keeps amounts exact with two decimals', () => {
    expect(formatAmount(parseAmount('0.1').plus(parseAmount('0.2')))).toBe('0.30')
    expect(sumAmounts(['100.10', '0.20', '99999999999.99']).toFixed(2)).toBe('100000000100.29')
    for (const bad of ['1.001', '0', '-1', '1,0', ' 1', '1.', '.5', 'NaN']) expect(() => parseAmount(bad)).toThrow()
  })

  it('has amount rules without gaps or overlaps, decided by whole reais', () => {
    for (let i = 1; i < AMOUNT_RULES.length; i++) expect(AMOUNT_RULES[i].from).toBe(AMOUNT_RULES[i - 1].to + 1)
    expect(outcomeFor(parseAmount('100.99')).stage).toBe('settled')
    expect(outcomeFor(parseAmount('101.00')).failureCode).toBe('insufficient_funds')
    expect(outcomeFor(parseAmount('201.00')).stage).toBe('consent')
  })

  it('writes Pix end-to-end ids in the Banco Central format', () => {
    const id = endToEndId('12345678', new Date('2026-03-04T05:06:07Z'))
    expect(id).toMatch(END_TO_END_ID)
    expect(id.slice(0, 21)).toBe('E12345678202603040506')
    expect(id).toHaveLength(32)
  })
})
