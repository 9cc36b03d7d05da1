import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Runs every benchmark script of this folder, one after the other (they must not share the CPU).
const dir = fileURLToPath(new URL('.', import.meta.url))
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts', 'ceilings.ts', 'types.d.ts'].includes(f))
  .sort()) {
  console.log(`\n### ${file}`)
  execFileSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' })
}
