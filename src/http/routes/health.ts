import { Type } from 'typebox'
import { health } from '../../domain/health.ts'
import type { Api } from '../api.ts'

/** Liveness and readiness in one: 200 when the database answers, 503 otherwise. */
export function healthRoutes(app: Api): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['Operations'],
        summary: 'Health check',
        operationId: 'HealthCheck',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }),
          503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      const { ok, database } = await health(app.deps.domain.db)
      return ok ? { status: 'ok' as const, database } : reply.code(503).send({ status: 'unavailable' as const, database })
    },
  )
}
