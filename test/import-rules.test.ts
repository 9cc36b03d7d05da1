import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise')

/**
 * `npm run lint` checks src/ against .dependency-cruiser.cjs. Here the same configuration checks
 * a small source tree with one file per case, so it is known to refuse what it must refuse (and
 * to let the rest through): if a rule were mistyped, the real src/ would pass for nothing.
 */
const TREE: Record<string, string> = {
  'src/lib/ids.ts': 'export const id = 1\n',
  // A circle of types only is still a circle.
  'src/lib/left.ts': "import type { Right } from './right.ts'\nexport type Left = { right?: Right }\n",
  'src/lib/right.ts': "import type { Left } from './left.ts'\nexport type Right = { left?: Left }\n",
  'src/store/db.ts': "import { id } from '../lib/ids.ts'\nexport const db = id\n",
  'src/store/catalog-user.ts': "import { catalog } from '../connectors/catalog.ts'\nexport const n = catalog\n",
  'src/connectors/catalog.ts': "import { id } from '../lib/ids.ts'\nexport const catalog = id\n",
  'src/jobs/queue.ts': "import { db } from '../store/db.ts'\nexport const queue = db\n",
  'src/jobs/runner.ts': "import { domain } from '../domain/links.ts'\nexport const runner = domain\n",
  'src/domain/links.ts': "import { db } from '../store/db.ts'\nimport { queue } from '../jobs/queue.ts'\nexport const domain = db + queue\n",
  'src/domain/uses-http.ts': "import type { Api } from '../http/api.ts'\nexport type Routes = Api\n",
  'src/http/api.ts': "import { domain } from '../domain/links.ts'\nexport type Api = { n: typeof domain }\n",
  'src/http/routes/links.ts': "import { db } from '../../store/db.ts'\nimport { domain } from '../../domain/links.ts'\nexport const routes = db + domain\n",
  'src/app.ts': "import { routes } from './http/routes/links.ts'\nimport { db } from './store/db.ts'\nexport const app = routes + db\n",
  'src/helpers.ts': "import { id } from './lib/ids.ts'\nexport const helper = id\n",
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true, strict: true },
  }),
}

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  let dir: string
  let found: string[]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-import-rules-'))
    for (const [path, text] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    // Exit status 1 (or more) means violations: the JSON on stdout lists them.
    const run = await promisify(execFile)(DEPCRUISE, ['--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'src'], { cwd: dir }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    )
    const violations: Violation[] = JSON.parse(run.stdout).summary.violations
    found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()
  }, 60_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('refuses each import that goes against the layers, and no other', () => {
    expect(found.filter((v) => !v.startsWith('no-circular'))).toEqual([
      'domain: src/domain/uses-http.ts -> src/http/api.ts',
      'http: src/http/routes/links.ts -> src/store/db.ts',
      'jobs: src/jobs/runner.ts -> src/domain/links.ts',
      'nothing-imports-http: src/domain/uses-http.ts -> src/http/api.ts',
      'only-roots-at-top: src/helpers.ts -> src/lib/ids.ts',
      'store: src/store/catalog-user.ts -> src/connectors/catalog.ts',
    ])
  })

  it('refuses an import circle made of type-only imports', () => {
    // Reported once, from the first module of the circle.
    expect(found.filter((v) => v.startsWith('no-circular'))).toEqual(['no-circular: src/lib/left.ts -> src/lib/right.ts'])
  })
})
