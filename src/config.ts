import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'

/**
 * Every environment variable Ponte reads, with its default. Nothing else in the code reads
 * `process.env`; the README's table of variables is this schema.
 */
const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000, description: 'HTTP port' }),
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on' }),
  DATABASE_URL: Type.Optional(Type.String({ description: 'PostgreSQL URL; unset = embedded PGlite' })),
  PONTE_DATA_DIR: Type.String({ default: './.ponte', description: 'Embedded database and generated keys' }),
  PONTE_DB_POOL_SIZE: Type.Integer({ minimum: 1, default: 10, description: 'PostgreSQL connections per process' }),
  PONTE_SECRET_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  PONTE_SECRET_KEY_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  PONTE_ENCRYPTION_KEY: Type.Optional(
    Type.String({ description: '32 bytes, base64 or hex: encrypts credentials at rest; required with DATABASE_URL (generated into PONTE_DATA_DIR otherwise)' }),
  ),
  PONTE_PUBLIC_URL: Type.Optional(Type.String({ description: 'Base of absolute URLs (next/previous) behind a proxy' })),
  PONTE_DEFAULT_PAGE_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  PONTE_KEY_CACHE_TTL_SECONDS: Type.Integer({ minimum: 0, default: 30, description: 'How long a verified secret key is trusted without a database check' }),
  PONTE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1048576 }),
  PONTE_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30000, description: 'Longest a request may take before 408' }),
  PONTE_WORKER: Type.Union([Type.Literal('inline'), Type.Literal('off')], {
    default: 'inline',
    description: 'Run background jobs and webhook deliveries in the API process (off: API only, run `ponte worker` processes)',
  }),
  PONTE_JOB_TIMEOUT_SECONDS: Type.Integer({
    minimum: 1,
    default: 900,
    description: 'A job still running after this long is presumed dead (its worker crashed) and retried',
  }),
  PONTE_JOB_MAINTENANCE_SECONDS: Type.Integer({ minimum: 1, default: 60, description: 'How often expired jobs are looked for' }),
  PONTE_SANDBOX_SCENARIO: Type.Optional(
    Type.String({ description: 'A JSON file of sandbox fault rules loaded at start (README: the sandbox); each organization it names gets exactly its rules' }),
  ),
  PONTE_WEBHOOK_ALLOW_PRIVATE: Type.Boolean({
    default: false,
    description: 'With DATABASE_URL, also send webhooks to loopback, private, link-local and metadata addresses (the embedded sandbox always does)',
  }),
  PONTE_WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, default: 50, description: 'Webhook attempts in flight per process' }),
  PONTE_WEBHOOK_ENDPOINT_CONCURRENCY: Type.Integer({ minimum: 1, default: 5, description: 'Webhook attempts in flight per endpoint, across all processes' }),
  PONTE_WORKER_HEARTBEAT_SECONDS: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'How often a process running jobs beats its heartbeat and looks for dead ones',
  }),
  PONTE_WORKER_DEAD_AFTER_SECONDS: Type.Integer({
    minimum: 2,
    default: 15,
    description: 'A process silent this long is presumed dead: its running jobs go to other workers at once',
  }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
})

export type Config = Readonly<Static<typeof Env>>

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const known = Object.fromEntries(
    Object.keys(Env.properties)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  )
  const value = Value.Convert(Env, Value.Default(Env, { ...known }))
  const merged = { ...(value as object), ...overrides }
  if (!Value.Check(Env, merged)) {
    const problems = [...Value.Errors(Env, merged)].map((e) => `${e.instancePath.slice(1) || 'env'} ${e.message}`)
    throw new Error(`Invalid configuration: ${problems.join('; ')}`)
  }
  if (Boolean(merged.PONTE_SECRET_KEY_ID) !== Boolean(merged.PONTE_SECRET_KEY_PASSWORD)) {
    throw new Error('Invalid configuration: set both PONTE_SECRET_KEY_ID and PONTE_SECRET_KEY_PASSWORD, or neither')
  }
  // A live process must not be presumed dead for one late heartbeat (its jobs would then run twice).
  if (merged.PONTE_WORKER_DEAD_AFTER_SECONDS < 2 * merged.PONTE_WORKER_HEARTBEAT_SECONDS) {
    throw new Error('Invalid configuration: PONTE_WORKER_DEAD_AFTER_SECONDS must be at least twice PONTE_WORKER_HEARTBEAT_SECONDS')
  }
  return Object.freeze(merged as Config)
}

export const envSchema = Env

/**
 * How webhooks are sent. Production (DATABASE_URL) is a shared server: its webhooks go to public
 * addresses only, unless the operator opts out; the embedded sandbox sends anywhere, since
 * integrators' receivers live on loopback and private networks.
 */
export function webhookSettings(config: Config) {
  return {
    allowPrivateDestinations: !config.DATABASE_URL || config.PONTE_WEBHOOK_ALLOW_PRIVATE,
    concurrency: config.PONTE_WEBHOOK_CONCURRENCY,
    endpointConcurrency: config.PONTE_WEBHOOK_ENDPOINT_CONCURRENCY,
  }
}
