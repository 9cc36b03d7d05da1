import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { baseUrl } from '../plugins/pagination.ts'
import { errorResponses } from '../schemas/common.ts'

/** The resource families listed by `GET /api/`, DRF-router style. */
const RESOURCES = ['institutions', 'links', 'accounts', 'transactions', 'balances', 'owners', 'bills', 'statements', 'token']

/** `GET /api/`: the official SDKs' login probe (`client.connect()`), answering with a root index. */
export function rootRoutes(api: Api): void {
  const indexes = new Map<string, Record<string, string>>()
  api.get(
    '/api/',
    {
      schema: {
        tags: ['Root'],
        summary: 'API root (credentials check)',
        operationId: 'ApiRoot',
        response: { 200: Type.Record(Type.String(), Type.String()), ...errorResponses() },
      },
    },
    async (request) => {
      const base = `${baseUrl(request, api.deps.config.PONTE_PUBLIC_URL)}/api`
      let index = indexes.get(base)
      if (!index) {
        // The SDKs call this on every connect(): built once per base URL (a handful of hosts).
        index = Object.fromEntries(RESOURCES.map((name) => [name, `${base}/${name}/`]))
        if (indexes.size < 100) indexes.set(base, index)
      }
      return index
    },
  )
}
