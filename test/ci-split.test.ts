import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

/** What reaches a database in a test: the harness, the test database, a server or worker process. */
const DATABASE_HELPERS = /from '(\.\.\/)+(helpers\/(harness|db|template)|src\/(store\/db|main|app|worker))\.ts'/

/**
 * CI runs the suite on PGlite, then again on PostgreSQL without the folders that .ci/run excludes
 * from that second run. Those folders must hold no test that opens a database, or a PostgreSQL
 * defect there would go unseen. (test/widget/ is excluded for another reason, said in .ci/run.)
 */
describe('the PostgreSQL run of .ci/run', () => {
  it('leaves out only folders whose tests never open a database', () => {
    const script = readFileSync(`${ROOT}.ci/run`, 'utf8')
    const excluded = [...script.matchAll(/--exclude '(test\/[a-z-]+)\/\*\*'/g)].map((m) => m[1]).filter((folder) => folder !== 'test/widget')
    expect(excluded).toEqual(['test/connectors', 'test/domain', 'test/lib', 'test/eval'])
    for (const folder of excluded) {
      for (const entry of readdirSync(`${ROOT}${folder}`, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.test.ts')) continue
        const text = readFileSync(`${entry.parentPath}/${entry.name}`, 'utf8')
        expect(text, `${entry.parentPath}/${entry.name}`).not.toMatch(DATABASE_HELPERS)
      }
    }
  })
})
