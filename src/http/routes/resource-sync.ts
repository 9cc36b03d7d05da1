import { Type } from 'typebox'
import type { Api } from '../api.ts'
import type { ResourceSpec } from '../../domain/registry.ts'
import { SYNC_PAGE_SIZE, syncPage } from '../../domain/resource-sync.ts'
import { belvoItemSchema, describeBelvoItems } from '../schemas/belvo.ts'
import { errorResponses } from '../schemas/common.ts'

const SyncQuery = Type.Object({
  link: Type.Optional(Type.String({ description: 'The link whose stored rows to follow (required).' })),
  cursor: Type.Optional(Type.String({ description: "The previous page's next_cursor; absent: from the beginning (everything stored)." })),
  page_size: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,4}$',
      description: `At most this many changes in the page: 1 to ${SYNC_PAGE_SIZE.max}, default ${SYNC_PAGE_SIZE.default}.`,
    }),
  ),
})

/**
 * GET <resource path>sync/ for every stored resource (Ponte's addition, issue 18; docs/sync.md):
 * the changes to a link's rows after a cursor, in change order.
 */
export function resourceSyncRoutes(api: Api, spec: ResourceSpec): void {
  const ctx = api.deps.domain
  const item = belvoItemSchema(spec.items)
  api.get(
    `${spec.path}sync/`,
    {
      schema: {
        tags: [spec.tag],
        summary: `Sync ${spec.name}: what changed since a cursor`,
        operationId: `Sync${spec.operationIds.list.replace(/^List/, '')}`,
        description:
          `Ponte's addition: the link's ${describeBelvoItems(spec.items)} created (added) or changed (modified) after the cursor, ` +
          'and the ids removed, in change order, as the list serves them. Keep next_cursor; while has_more, ask again at once.',
        querystring: SyncQuery,
        response: {
          200: Type.Object({
            added: Type.Array(item),
            modified: Type.Array(item),
            removed: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }) })),
            next_cursor: Type.String({ description: 'Where the next sync starts; valid as long as the link.' }),
            has_more: Type.Boolean({ description: 'More changes follow at once from next_cursor.' }),
          }),
          ...errorResponses(400),
        },
      },
    },
    async (request, reply) => reply.type('application/json; charset=utf-8').send((await syncPage(ctx, request.principal, spec, request.query)) as never),
  )
}
