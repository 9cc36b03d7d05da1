import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cipher } from '../../src/lib/crypto.ts'
import { commandRunner } from '../helpers/commands.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'

/**
 * `ponte snapshot save|load` (issue 18, docs/snapshots.md): an organization's state built through
 * the API, saved, and loaded into a fresh database, where the API answers byte for byte the same.
 */
describe('ponte snapshot', () => {
  const cipher = new Cipher(randomBytes(32))
  let source: Harness
  let target: Harness
  let dir: string
  let file: string
  let linkId: string
  let cursor: string
  const runner = (h: Harness, key = cipher) =>
    commandRunner({
      db: async () => h.db,
      cipher: async () => key,
      queue: async () => h.app.deps.domain.jobs,
      webhooks: { allowPrivateDestinations: true },
    })

  /** The raw body of a GET as the source organization's key. */
  const raw = async (h: Harness, url: string) => {
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: basic(source.key) } })
    expect(res.statusCode, res.body).toBe(200)
    return res.body
  }
  const urls = () => [
    `/api/accounts/?link=${linkId}`,
    `/api/transactions/?link=${linkId}&page_size=100&page=2`,
    `/api/links/${linkId}/`,
    `/api/transactions/sync/?link=${linkId}&cursor=${cursor}&page_size=20`,
    `/api/webhooks/`,
  ]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-snapshot-'))
    file = join(dir, 'org.ponte.gz')
    source = await createHarness({ cipher })
    target = await createHarness({ cipher })
    // A link with data retrieved in the request and its historical update run by the worker (a
    // queued job is not part of a snapshot), a webhook endpoint, a sync cursor the client keeps
    // across the snapshot, and a deletion after it (a sync tombstone).
    const created = await source.call('POST', '/api/links/', { institution: 'erebor_mx_retail', username: 'bnk100', password: 'full', access_mode: 'single' })
    expect(created.status).toBe(201)
    linkId = created.body.id
    expect((await source.call('POST', '/api/accounts/', { link: linkId })).status).toBe(201)
    const transactions = await source.call('POST', '/api/transactions/', { link: linkId, date_from: '2025-07-15', date_to: '2026-01-15' })
    expect(transactions.status).toBe(201)
    await source.startWorker()
    const end = Date.now() + 90_000
    while ((await source.call('GET', `/api/links/${linkId}/`)).body.background_work !== null) {
      if (Date.now() > end) throw new Error("the link's historical update did not finish")
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await source.call('POST', '/api/webhooks/', { url: 'https://93.184.215.14/hook', authorization: 'Bearer snapshot' })).status).toBe(201)
    const first = await source.call('GET', `/api/transactions/sync/?link=${linkId}&page_size=30`)
    expect(first.body.has_more).toBe(true)
    cursor = first.body.next_cursor
    expect((await source.call('DELETE', `/api/transactions/${transactions.body[0].id}/`)).status).toBe(204)
  })

  afterAll(async () => {
    await source?.close()
    await target?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('loads into a fresh database, where the API answers byte for byte the same and later writes take new numbers', async () => {
    const saved = await runner(source)('snapshot', 'save', file, '--organization-id', source.key.organizationId)
    expect(saved.stderr).toBe('')
    expect(saved.stdout).toMatch(new RegExp(`^Saved organization ${source.key.organizationId}: \\d+ rows of \\d+ tables to `))
    const header = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8').split('\n')[0])
    // Found from the catalog: tables with the column, and those reached by a foreign key.
    expect(header.tables.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['organizations', 'secret_keys', 'links', 'accounts', 'transactions', 'webhook_endpoints', 'webhook_attempts', 'sync_tombstones']),
    )
    expect(header.tables.map((t: { name: string }) => t.name)).not.toContain('institutions')

    const loaded = await runner(target)('snapshot', 'load', file)
    expect(loaded).toMatchObject({ code: 0, stderr: '' })
    for (const url of urls()) expect(await raw(target, url), url).toBe(await raw(source, url))
    // The other organizations of the target database are untouched and still apart.
    expect((await target.call('GET', '/api/links/')).body.count).toBe(0)

    // Every sequence is past the loaded rows: the next values collide with none.
    const next = async (h: Harness) => BigInt((await h.db.query<{ n: string }>(`SELECT nextval('change_seq')::text AS n`))[0].n)
    const [after, before] = [await next(target), await next(source)]
    expect(after).toBeGreaterThanOrEqual(before)
    const [stored] = await target.db.query<{ max: string }>(
      'SELECT greatest((SELECT max(change_seq) FROM transactions), (SELECT max(change_seq) FROM sync_tombstones))::text AS max',
    )
    expect(after).toBeGreaterThan(BigInt(stored.max))
  })

  it('refuses another encryption key, another migration level and an organization already there; --replace loads over it', async () => {
    const refused = await runner(target, new Cipher(randomBytes(32)))('snapshot', 'load', file, '--replace')
    expect(refused).toMatchObject({ code: 1, stdout: '' })
    expect(refused.stderr).toContain('sealed with another encryption key')

    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n')
    const header = JSON.parse(lines[0])
    const other = join(dir, 'other-level.ponte.gz')
    writeFileSync(other, gzipSync([JSON.stringify({ ...header, migration: header.migration + 1 }), ...lines.slice(1)].join('\n')))
    const level = await runner(target)('snapshot', 'load', other, '--replace')
    expect(level).toMatchObject({ code: 1, stdout: '' })
    expect(level.stderr).toContain(`saved at migration ${header.migration + 1}`)

    const again = await runner(target)('snapshot', 'load', file)
    expect(again).toMatchObject({ code: 1, stdout: '' })
    expect(again.stderr).toContain(`Organization ${source.key.organizationId} already has data in this database`)

    // Changed since the load, then replaced: the snapshot's state again.
    const endpoint = JSON.parse(await raw(target, '/api/webhooks/')).results[0]
    expect((await target.call('DELETE', `/api/webhooks/${endpoint.id}/`, undefined, { auth: basic(source.key) })).status).toBe(204)
    const replaced = await runner(target)('snapshot', 'load', file, '--replace')
    expect(replaced).toMatchObject({ code: 0, stderr: '' })
    for (const url of urls()) expect(await raw(target, url), url).toBe(await raw(source, url))
  })
})
