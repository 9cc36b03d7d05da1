#!/usr/bin/env node
// Entry of `npx ponte` and `npm start`. The sources are TypeScript run through tsx, so a fresh
// clone needs no build step: `npm ci && npm start` is enough.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli.ts')
await main(process.argv.slice(2))
