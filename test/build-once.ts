import { execFileSync } from 'node:child_process'

/**
 * Tests that spawn `node bin/ponte.js` run what users run after `npm ci`: src/ compiled once to
 * dist/ (scripts/build.js). Built here so that an edited tree is tested as it is now; without it
 * bin/ponte.js would fall back to tsx, still correct but seconds slower per process.
 */
export default function setup(): void {
  execFileSync(process.execPath, [new URL('../scripts/build.js', import.meta.url).pathname], { stdio: 'inherit' })
}
