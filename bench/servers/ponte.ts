import { loadConfig } from '../../src/config.ts'
import { startServer } from '../../src/main.ts'

// Ponte as `npm start` runs it, on the database named by the environment (PGlite by default).
const server = await startServer(loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'silent' }), { print: () => {} })
console.log(`LISTENING ${server.url}`)
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
