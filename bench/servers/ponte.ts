import { loadConfig } from '../../src/config.ts'
import { startServer } from '../../src/main.ts'

// Ponte as `npm start` runs it, on the database named by the environment (PGlite by default),
// logging at the environment's LOG_LEVEL (bench/lib.ts: the default, info).
const server = await startServer(loadConfig({ ...process.env, PORT: '0' }), { print: () => {} })
console.log(`LISTENING ${server.url}`)
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
