import { execFileSync } from 'node:child_process'
import { prunePgliteTemplates, prunePostgresTemplates } from './helpers/template.ts'

/**
 * Tests that spawn `node bin/ponte.js` run what users run after `npm ci`: src/ compiled once to
 * dist/ (scripts/build.js). Built here so that an edited tree is tested as it is now; without it
 * bin/ponte.js would fall back to tsx, still correct but seconds slower per process.
 *
 * The template every test database is copied from (test/helpers/template.ts) is built here too,
 * once, before the workers start and would each find it missing.
 */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [new URL('../scripts/build.js', import.meta.url).pathname], { stdio: 'inherit' })
  const serverUrl = process.env.PONTE_TEST_DATABASE_URL
  if (serverUrl) await prunePostgresTemplates(serverUrl)
  else await prunePgliteTemplates()
}
