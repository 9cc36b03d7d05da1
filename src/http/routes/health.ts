import { Type } from 'typebox'
import type { Api } from '../../app.ts'

/** Liveness and readiness in one: 200 when the database answers, 503 otherwise. */
export function healthRoutes(app: Api): void {
  app.get('/health', {
    schema: {
      tags: ['Operations'], summary: 'Health check', operationId: 'HealthCheck', security: [],
      response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }), 503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() }) },
    },
  }, async (_request, reply) => {
    try {
      await app.deps.db.query('SELECT 1')
      return { status: 'ok' as const, database: app.deps.db.kind }
    } catch {
      return reply.code(503).send({ status: 'unavailable' as const, database: app.deps.db.kind })
    }
  })
}
