import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import { webhookSettings, type Config } from './config.ts'
import type { Api, AppDeps } from './http/api.ts'
import { SecretKeyVerifier } from './domain/keys.ts'
import { authenticate } from './http/plugins/auth.ts'
import { widgetAuth } from './http/plugins/widget-auth.ts'
import { widgetApiRoutes } from './http/routes/widget-api.ts'
import { clientErrorHandler, installErrorHandling, sendErrors } from './http/plugins/errors.ts'
import { registerDocs } from './http/plugins/docs.ts'
import { AccessLog } from './http/plugins/access-log.ts'
import { installMetrics } from './http/plugins/metrics.ts'
import { asciiJsonText } from './http/plugins/json-body.ts'
import { unstorableTextInBody, unstorableTextInUrl } from './http/plugins/unstorable-text.ts'
import { RequestDeadlines } from './http/plugins/deadlines.ts'
import { project, projector } from './http/plugins/pagination.ts'
import { healthRoutes } from './http/routes/health.ts'
import { widgetRoutes } from './http/routes/widget.ts'
import { institutionRoutes } from './http/routes/institutions.ts'
import { rootRoutes } from './http/routes/root.ts'
import { withBelvoComponents } from './http/schemas/belvo.ts'
import { ErrorItem } from './http/schemas/common.ts'
import { Link } from './http/schemas/link.ts'
import { linkRoutes } from './http/routes/links.ts'
import { webhookRoutes } from './http/routes/webhooks.ts'
import { tokenRoutes } from './http/routes/tokens.ts'
import { resourceRoutes } from './http/routes/resources.ts'
import { resourceSyncRoutes } from './http/routes/resource-sync.ts'
import { incomeVerificationRoutes } from './http/routes/enrich-incomes.ts'
import { enrichRecurringRoutes } from './http/routes/enrich-recurring.ts'
import { consentRoutes } from './http/routes/consents.ts'
import { widgetConsentRoutes } from './http/routes/widget-consents.ts'
import { mockBankRoutes } from './http/routes/mock-bank.ts'
import { enrollmentBankRoutes } from './http/routes/enrollment-bank.ts'
import { paymentAuthorizationBankRoutes } from './http/routes/payment-authorization-bank.ts'
import { paymentsTokenRoutes } from './http/routes/payments-token.ts'
import { widgetPaymentsRoutes } from './http/routes/widget-payments.ts'
import { RESOURCES } from './domain/registry.ts'
import type { DomainContext } from './domain/context.ts'
import { ConnectorRegistry } from './connectors/registry.ts'
import type { Cipher } from './lib/crypto.ts'
import { backgroundMetrics } from './jobs/metrics.ts'
import { QUEUES, type JobQueue } from './jobs/queue.ts'
import { sandboxRoutes } from './http/routes/sandbox.ts'
import { inboxReceiverRoutes, inboxRoutes } from './http/routes/inbox.ts'
import { requestFaults } from './http/plugins/faults.ts'
import { sandboxFaultRoutes } from './http/routes/sandbox-faults.ts'
import { sandboxPaymentRoutes } from './http/routes/sandbox-payments.ts'
import { paymentRoutes } from './http/routes/payments.ts'
import { paymentAuthorizationRoutes } from './http/routes/payment-authorizations.ts'
import { paymentLegacyRoutes } from './http/routes/payments-legacy.ts'
import { paymentLegacyPages } from './http/routes/payments-legacy-pages.ts'
import { categorizationRoutes } from './http/routes/enrichment.ts'
import { contextualClock, systemClock, type Clock } from './lib/clock.ts'
import { organizationTime, widgetOrganizationTime } from './http/plugins/sandbox-clock.ts'
import { sandboxClockRoutes } from './http/routes/sandbox-clock.ts'
import { organizationIds } from './http/plugins/sandbox-seed.ts'
import { sandboxSeedRoutes } from './http/routes/sandbox-seed.ts'
import { PonteError } from './lib/errors.ts'
import { hex32 } from './lib/ids.ts'
import { createLogger, type Logger } from './lib/logger.ts'
import type { Db } from './store/db.ts'

/** Answers at least this long (in UTF-16 code units) are sent as bytes: see the serializer below. */
const LARGE_ANSWER_CHARS = 64 * 1024
/** `\u`, which starts every JSON escape of a character. */
const ESCAPE = Buffer.from('\\u')
const encoder = new TextEncoder()
const utf8 = (text: string): Buffer => {
  const bytes = encoder.encode(text)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export interface BuildOptions {
  db: Db
  config: Config
  clock?: Clock
  /** Encrypts institution credentials at rest (main.ts loads or creates its key). */
  cipher: Cipher
  /** The job queue (jobs/queue.ts); workers are started separately (main.ts). */
  jobs: JobQueue
  connectors?: ConnectorRegistry
  /** The process's logger (lib/logger.ts createLogger); by default one at LOG_LEVEL; false silences logs (tests). */
  logger?: Logger | false
  /** Where the built connect widget is (dist/widget/ by default; tests point elsewhere). */
  widgetDir?: string
}

/** Builds the whole HTTP application. Used by `ponte serve`, by tests (inject or listen) and benchmarks. */
export async function buildApp(options: BuildOptions): Promise<Api> {
  const { config, db } = options
  // An organization with a sandbox clock sees its own time (domain/sandbox-clock.ts).
  const clock = contextualClock(options.clock ?? systemClock)
  const deps: AppDeps = {
    config,
    clock,
    verifier: new SecretKeyVerifier(db, config.PONTE_KEY_CACHE_TTL_SECONDS * 1000),
    domain: {
      db,
      clock,
      cipher: options.cipher,
      jobs: options.jobs,
      connectors: options.connectors ?? new ConnectorRegistry(),
      webhooks: webhookSettings(config),
    },
  }
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger(config.LOG_LEVEL))
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    genReqId: () => hex32(),
    logController: new AccessLog(logger),
    bodyLimit: config.PONTE_BODY_LIMIT_BYTES,
    // We answer 503 ourselves while closing, in Belvo's error format.
    return503OnClosing: false,
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The router's own refusals (a malformed percent-encoding, a path parameter over
    // maxParamLength) name nothing that exists: 404 in Belvo's format, like any unknown path.
    frameworkErrors: (_error, request, reply) => {
      reply.header('X-Request-Id', request.id)
      return sendErrors(request, reply, [new PonteError('not_found')])
    },
    ajv: {
      // Bodies are validated as sent: coercion would turn `null` into "" and hide Belvo's `null` error.
      customOptions: { coerceTypes: false, allErrors: true, verbose: true, removeAdditional: false, useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api
  app.decorate('deps', deps)

  // Responses are plain JSON.stringify: measured faster than compiled serializers on large pages
  // (PERF.md C4), and `fields`/`omit` make list output dynamic anyway. Response schemas still
  // document the contract (OpenAPI) and are checked by the test suite.
  // A large answer leaves as UTF-8 bytes, encoded once by TextEncoder (simdutf): handed a string,
  // Node measures its UTF-8 length for Content-Length and then encodes it again on write, each
  // pass slow on text with accents (about 70 ms apiece for a 10 MB categorization answer).
  app.setSerializerCompiler(() => (data): string => {
    const json = JSON.stringify(data)
    // Fastify writes a Buffer payload as it is; the compiler's type only names strings.
    return json.length < LARGE_ANSWER_CHARS ? json : (utf8(json) as unknown as string)
  })

  // Bodies are JSON, as Belvo's: Fastify's own text/plain parser would hand a route a string.
  app.removeContentTypeParser('text/plain')
  // Belvo's SDK sends `Content-Type: application/json` with an empty body on GET and DELETE.
  const defaultJson = app.getDefaultJsonParser('error', 'remove')
  app.removeContentTypeParser('application/json')
  // Read as bytes and parsed from ASCII text (asciiJsonText): a large body with accents is then
  // never held as a two-byte string of twice its size.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    const text = asciiJsonText(bytes) ?? bytes.toString('utf8')
    if (text.trim() === '') return done(null, undefined)
    defaultJson(request, text, (error, parsed) => {
      // A syntax error's message names no position or excerpt of the text: the same either way.
      if (error) return done(error)
      // The escapes to look at are the sender's: those asciiJsonText wrote are of characters
      // beyond ASCII, never a NUL, and a lone surrogate it never writes.
      const nul = bytes.includes(ESCAPE) ? unstorableTextInBody(text, parsed) : undefined
      return nul ? done(nul) : done(null, parsed)
    })
  })

  installErrorHandling(app as unknown as FastifyInstance, config.PONTE_BODY_LIMIT_BYTES)
  app.addSchema(ErrorItem)
  app.addSchema(Link)

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  const deadlines = new RequestDeadlines(config.PONTE_REQUEST_TIMEOUT_MS, (request, reply) => {
    if (!reply.sent) sendErrors(request, reply, [new PonteError('request_timeout')])
  })
  app.addHook('onClose', async () => deadlines.stop())
  // Hooks on every request are callback-style: cheaper than async ones on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id)
    if (closing) return done(new PonteError('service_unavailable', { headers: { Connection: 'close' } }))
    const nul = unstorableTextInUrl(request.url)
    if (nul) return done(nul)
    deadlines.track(request, reply)
    done()
  })
  // Responses finished while closing end their keep-alive connection, so shutdown is not held
  // open by idle sockets until their keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('Connection', 'close')
    done(null, payload)
  })
  // A body-less POST/PATCH/PUT is validated as `{}`, so each missing field gets its `required`
  // error. Attached only to routes with a body schema: every hook costs on the hot path.
  const emptyBodyAsObject = (request: { body: unknown }, _reply: unknown, done: () => void) => {
    if (request.body === undefined || request.body === null) request.body = {}
    done()
  }
  app.addHook('onRoute', (route) => {
    if (!route.schema?.body) return
    const existing = route.preValidation ? (Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation]) : []
    route.preValidation = [emptyBodyAsObject as never, ...existing]
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Ponte API',
        version: '1.0.0',
        description:
          'Open-finance platform for Latin America, compatible with the Belvo API. Every error is an array of `{request_id, code, message, field}`. ' +
          'Every secret-key request accepts the sandbox header `X-Ponte-Fault` (parameter PonteFault).',
        license: { name: 'MIT' },
      },
      components: {
        parameters: {
          PonteFault: {
            name: 'X-Ponte-Fault',
            in: 'header',
            required: false,
            schema: { type: 'string', example: 'latency=1500, institution_down' },
            description:
              "Ponte sandbox addition: faults for this request only. Comma-separated: `latency=<ms>` (up to 10000), `status=<408|429|500|503>` (Belvo's error, nothing done), or an institution error met at the login of a sandbox institution (`institution_down`, `institution_unavailable`, `institution_inactive`, `too_many_sessions`, `login_error`, `request_timeout`, `token_required`).",
          },
        },
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic', description: 'Secret key id and password' },
          widgetAccessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token of POST /api/token/ (connect widget API)' },
        },
      },
      security: [{ basicAuth: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // Response schemas refer to Belvo's item schemas by name: the document carries those it uses.
    transformObject: (documents) => withBelvoComponents('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject),
  })
  await registerDocs(app as unknown as FastifyInstance)
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  installMetrics(app as unknown as FastifyInstance, (request) => deadlines.untrack(request), backgroundMetrics(db, Object.values(QUEUES)))
  healthRoutes(app)
  // The connect widget's page, files and SDK script are public, as Belvo's widget is: its API calls
  // carry the widget access token.
  widgetRoutes(app, options.widgetDir)

  // Everything Belvo-shaped requires a secret key.
  await app.register(async (api) => {
    const scoped = api as unknown as Api
    scoped.addHook('onRequest', authenticate(deps.verifier))
    // Ids from the organization's sandbox seed, if it has one (domain/sandbox-seed.ts).
    const ids = organizationIds(deps.domain)
    scoped.addHook('onRequest', ids.onRequest)
    scoped.addHook('preHandler', organizationTime(deps.domain))
    scoped.addHook('preHandler', requestFaults(deps.domain))
    scoped.addHook('preHandler', ids.preHandler)
    scoped.addHook('preSerialization', (request, reply, payload, done) => {
      const apply = reply.statusCode < 300 ? projector(request.query as Record<string, unknown>) : undefined
      done(null, apply ? project(payload, apply) : payload)
    })
    rootRoutes(scoped)
    institutionRoutes(scoped)
    linkRoutes(scoped)
    tokenRoutes(scoped)
    webhookRoutes(scoped)
    sandboxRoutes(scoped)
    inboxRoutes(scoped)
    sandboxFaultRoutes(scoped)
    sandboxPaymentRoutes(scoped)
    sandboxClockRoutes(scoped)
    sandboxSeedRoutes(scoped)
    categorizationRoutes(scoped)
    for (const spec of RESOURCES) resourceRoutes(scoped, spec)
    for (const spec of RESOURCES) resourceSyncRoutes(scoped, spec)
    incomeVerificationRoutes(scoped)
    enrichRecurringRoutes(scoped)
    consentRoutes(scoped)
    paymentRoutes(scoped)
    paymentAuthorizationRoutes(scoped)
    paymentLegacyRoutes(scoped)
    paymentsTokenRoutes(scoped)
  })

  // The connect widget's JSON API: the widget access token (Bearer), never a secret key.
  await app.register(async (widget) => {
    const scoped = widget as unknown as Api
    const time = widgetOrganizationTime(deps.domain)
    scoped.addHook('onRequest', time.onRequest)
    scoped.addHook('onRequest', widgetAuth(scoped))
    const ids = organizationIds(deps.domain)
    scoped.addHook('onRequest', ids.onRequest)
    scoped.addHook('preHandler', time.preHandler)
    scoped.addHook('preHandler', ids.preHandler)
    widgetApiRoutes(scoped)
    widgetConsentRoutes(scoped)
    widgetPaymentsRoutes(scoped)
  })
  // The sandbox's Open Finance Brasil authorization page (HTML, for the person's browser).
  await app.register(async (bank) => {
    mockBankRoutes(bank as unknown as Api)
    // The biometric Pix enrollment page of the same sandbox institution.
    enrollmentBankRoutes(bank as unknown as Api)
    // The Pix Automático payment authorization page of the same sandbox institution.
    paymentAuthorizationBankRoutes(bank as unknown as Api)
  })
  // The sandbox's webhook inbox receiver: no secret key, any body read as text (its signature covers the bytes).
  await app.register(async (inbox) => inboxReceiverRoutes(inbox as unknown as Api))
  // The payer's pages of the earlier payments API: the sandbox PSE bank and payment links (HTML).
  await app.register(async (pages) => paymentLegacyPages(pages as unknown as Api))

  return app
}
