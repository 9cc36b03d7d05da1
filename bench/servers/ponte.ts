// Ponte as `npm start` runs it: the compiled dist/ (bench/lib.ts `startPonte` builds it first, as
// `npm ci` does), on the database named by the environment (PGlite by default), logging at the
// environment's LOG_LEVEL (bench/lib.ts: the default, info).
const dist = new URL('../../dist/', import.meta.url)
const { loadConfig } = (await import(new URL('config.js', dist).href)) as typeof import('../../src/config.ts')
const { startServer } = (await import(new URL('main.js', dist).href)) as typeof import('../../src/main.ts')
const server = await startServer(loadConfig({ ...process.env, PORT: '0' }), { print: () => {} })
console.log(`LISTENING ${server.url}`)
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
