import { describe, expect, it } from 'vitest'
import { seededIdSource, uuidv7, withIdSource } from '../../src/lib/ids.ts'

describe('uuidv7', () => {
  it('sorts the ids of one millisecond in the order they were made, and keeps them unique and well formed', () => {
    const at = Date.parse('2026-03-01T12:00:00Z')
    const ids = Array.from({ length: 1500 }, () => uuidv7(at))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^019ca945-0a00-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    // Another millisecond starts its own count; time still orders first.
    const next = uuidv7(at + 1)
    expect(next > ids[ids.length - 1]).toBe(true)
  })

  it('keeps counting a millisecond while ids of other milliseconds are made in between (a pinned sandbox clock)', () => {
    const pinned = Date.parse('2026-03-01T12:00:00Z')
    const ids: string[] = []
    for (let i = 0; i < 50; i++) {
      ids.push(uuidv7(pinned))
      // The rest of the process, at the real time and at another organization's pinned instant.
      for (let j = 0; j < 3; j++) uuidv7(Date.now() + j)
      uuidv7(pinned - 86_400_000)
    }
    expect([...ids].sort()).toEqual(ids)
  })

  it('goes on in order past the 4,096 ids one millisecond can count, into the next millisecond', () => {
    const at = Date.parse('2026-03-02T12:00:00Z')
    const ids = Array.from({ length: 5000 }, () => uuidv7(at))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids[0].slice(0, 13)).toBe('019cae6b-6600')
    expect(ids[ids.length - 1].slice(0, 13)).toBe('019cae6b-6601')
  })

  it('draws the ids of a seeded unit from its seed alone, whatever this process made before', () => {
    const unit = () => seededIdSource({ seed: 's', organizationId: 'o', stream: 'request', counter: 1, now: () => 0 })
    const first = withIdSource(unit(), () => [uuidv7(5), uuidv7(5)])
    uuidv7(5)
    expect(withIdSource(unit(), () => [uuidv7(5), uuidv7(5)])).toEqual(first)
  })
})
