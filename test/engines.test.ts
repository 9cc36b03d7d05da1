import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The README promises the Node version of package.json's `engines`; `npm ci` warns (EBADENGINE)
 * about every installed package that asks for a newer one. content-disposition 3 and cookie 2
 * (pulled by @fastify/static and light-my-request) asked for Node 22: package.json's `overrides`
 * pin versions with the same API that accept Node 20.
 */
type Version = [number, number, number]

function parse(text: string): { version: Version; given: number } {
  const parts = text
    .replace(/^v/, '')
    .split('.')
    .filter((p) => p !== '' && p !== 'x' && p !== '*' && p !== 'X')
  if (parts.some((p) => !/^\d+$/.test(p))) throw new Error(`unsupported version "${text}"`)
  const n = parts.map(Number)
  return { version: [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0], given: n.length }
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** The first version past a partial one: 20 -> 21.0.0, 13.7 -> 13.8.0. */
function after({ version, given }: { version: Version; given: number }): Version {
  if (given <= 1) return [version[0] + 1, 0, 0]
  if (given === 2) return [version[0], version[1] + 1, 0]
  return [version[0], version[1], version[2] + 1]
}

/** Whether `version` satisfies an npm range of the forms package-lock.json's engines use. */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    const comparators = alternative
      .trim()
      .replace(/([<>=^~]+)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
    return comparators.every((comparator) => {
      if (comparator === '*') return true
      const [, op, rest] = /^(>=|<=|>|<|\^|~|=)?(.*)$/.exec(comparator)!
      const bound = parse(rest)
      const c = compare(version, bound.version)
      switch (op) {
        case '>=':
          return c >= 0
        case '>':
          return compare(version, after(bound)) >= 0
        case '<=':
          return compare(version, after(bound)) < 0
        case '<':
          return c < 0
        case '^':
          return c >= 0 && compare(version, bound.version[0] > 0 ? [bound.version[0] + 1, 0, 0] : after({ version: bound.version, given: 2 })) < 0
        case '~':
          return c >= 0 && compare(version, after({ version: bound.version, given: Math.min(bound.given, 2) })) < 0
        default:
          return c >= 0 && compare(version, after(bound)) < 0
      }
    })
  })
}

describe('Node version', () => {
  const root = new URL('../', import.meta.url)
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'))

  it('reads npm ranges as npm does', () => {
    expect(satisfies([20, 19, 0], '>=22')).toBe(false)
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true)
    expect(satisfies([20, 18, 9], '^20.19.0 || >=22.12.0')).toBe(false)
    expect(satisfies([20, 19, 0], '18 || 20 || >=22')).toBe(true)
    expect(satisfies([21, 0, 0], '18 || 20 || >=22')).toBe(false)
    expect(satisfies([20, 19, 0], '>=16 || 14 >=14.17')).toBe(true)
    expect(satisfies([14, 16, 0], '>=16 || 14 >=14.17')).toBe(false)
    expect(satisfies([20, 19, 0], '10.* || >= 12.*')).toBe(true)
    expect(satisfies([20, 19, 0], '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(true)
    expect(satisfies([13, 6, 0], '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(false)
  })

  it('installs no package that asks for a newer Node than package.json promises', () => {
    const promised = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines.node)
    expect(promised, 'package.json engines.node is ">=X.Y"').not.toBeNull()
    const oldest = parse(promised![1]).version
    const tooNew = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } }>)
      .filter(([path, entry]) => path !== '' && entry.engines?.node && !satisfies(oldest, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} wants node ${entry.engines!.node}`)
    expect(tooNew).toEqual([])
  })
})

describe('Node options of the server', () => {
  const root = new URL('../', import.meta.url)

  it('are the same for npm start and npx ponte (bin/ponte.js first line), and raise the young generation', () => {
    const start = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start as string
    const shebang = readFileSync(new URL('bin/ponte.js', root), 'utf8').split('\n')[0]
    const fromStart = /^node (.*) bin\/ponte\.js serve$/.exec(start)?.[1]
    const fromShebang = /^#!\/usr\/bin\/env -S node (.*)$/.exec(shebang)?.[1]
    expect(fromStart).toBeDefined()
    expect(fromShebang).toBe(fromStart)
    expect(fromStart).toMatch(/--max-semi-space-size=64\b/)
  })
})
