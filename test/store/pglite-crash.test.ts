import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPglite } from '../../src/store/pglite.ts'
import { backend } from '../helpers/db.ts'
import { PROCESS_MS, processTestTimeout } from '../helpers/processes.ts'

const PGLITE = new URL('../../src/store/pglite.ts', import.meta.url).pathname

/**
 * A process killed in the middle of a transaction (`kill -9`, the machine's OOM killer) on the
 * embedded database on disk: what it committed is there on the next start, nothing of the open
 * transaction is (its plain statements, prepared ones and COPY alike), and the directory opens and
 * takes writes again.
 */
describe.skipIf(backend !== 'pglite')('PGlite on disk, its process killed inside a transaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-crash-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps every committed row and none of the open transaction', { timeout: processTestTimeout(2) }, async () => {
    const script = `
      import { openPglite } from ${JSON.stringify(PGLITE)}
      const db = await openPglite(${JSON.stringify(dir)})
      await db.exec('CREATE TABLE w (id int PRIMARY KEY, label text)')
      await db.query("INSERT INTO w VALUES (1, 'committed alone')")
      await db.tx(async (tx) => {
        await tx.query("INSERT INTO w VALUES (2, 'committed in a transaction')")
        await tx.copyIn('w (id, label)', '3\\tcopied and committed\\n')
      })
      await db.tx(async (tx) => {
        await tx.query("INSERT INTO w VALUES (10, 'open')")
        await tx.query('INSERT INTO w (id, label) VALUES ($1::int, $2::text)', ['11', 'open, prepared'], { prepared: true })
        await tx.copyIn('w (id, label)', '12\\topen, copied\\n')
        await tx.query("UPDATE w SET label = 'changed by the open transaction' WHERE id = 1")
        process.stdout.write('IN TRANSACTION\\n')
        await new Promise(() => {})
      })
    `
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no transaction opened within ${PROCESS_MS} ms: ${stderr}`)), PROCESS_MS)
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('IN TRANSACTION')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on('exit', (code) => reject(new Error(`the child exited (${code}) before its transaction: ${stderr}`)))
    })
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const db = await openPglite(dir)
    try {
      expect(await db.query('SELECT id, label FROM w ORDER BY id')).toEqual([
        { id: 1, label: 'committed alone' },
        { id: 2, label: 'committed in a transaction' },
        { id: 3, label: 'copied and committed' },
      ])
      await db.tx((tx) => tx.query("INSERT INTO w VALUES (10, 'after the crash')"))
      expect(await db.query('SELECT label FROM w WHERE id = 10')).toEqual([{ label: 'after the crash' }])
    } finally {
      await db.close()
    }
  })
})
