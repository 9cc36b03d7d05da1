#!/usr/bin/env -S node --max-semi-space-size=64
// The young generation's semi-spaces may grow to 64 MB (V8's own limit here is 16): a request of
// 20,000 transactions allocates far more than 16 MB, so with the default every large request
// paid several scavenges copying its own live body; with 64 MB it pays about one (a fifth less
// CPU for an EYOD request of 20,000 transactions, docs/enrichment.md "Speed"). `npm start`
// passes the same option.
// Entry of `npx ponte` and `npm start`. It runs dist/, the JavaScript that `npm ci` compiles once
// (scripts/build.js, the `prepare` script), when dist/ is at least as new as every file and folder
// of src/; otherwise (installed with --ignore-scripts, or src/ edited since) the TypeScript sources
// through tsx, which is slower to start but always current. So a fresh clone needs nothing more
// than `npm ci && npm start`, and `npm run build` makes an edited tree fast again.
import { readdirSync, readFileSync, statSync } from 'node:fs'

const root = new URL('..', import.meta.url)

function compiledIsCurrent() {
  let builtAt
  try {
    builtAt = JSON.parse(readFileSync(new URL('dist/build.json', root), 'utf8')).startedAt
  } catch {
    return false
  }
  const src = new URL('src/', root).pathname
  // Folders count too: a file deleted or renamed in src/ changes its folder's mtime.
  if (statSync(src).mtimeMs > builtAt) return false
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > builtAt) return false
  }
  return true
}

let main
if (compiledIsCurrent()) {
  ;({ main } = await import('../dist/cli.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli.ts'))
}
await main(process.argv.slice(2))
