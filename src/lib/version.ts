import { readFileSync } from 'node:fs'

/** Ponte's version, from package.json (read once; src/ and a compiled tree sit at the same depth). */
export const PONTE_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version
