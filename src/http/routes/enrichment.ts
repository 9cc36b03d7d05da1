import { categorizationItem, checkCategorizationBody } from '../../domain/enrichment/categorization.ts'
import type { Api } from '../api.ts'
import { belvoRef } from '../schemas/belvo.ts'
import { errorResponses } from '../schemas/common.ts'
import { CategorizationRequest, EYOD_BODY_LIMIT_BYTES } from '../schemas/enrichment.ts'
import { jsonListStream } from '../plugins/json-stream.ts'

/**
 * The "enrich your own data" endpoints: the customer posts its own transactions, Ponte answers
 * what its enrichment methods make of them (docs/enrichment.md). No link, nothing stored.
 */

/** `POST /api/categorization/`: Belvo's category, subcategory and merchant of each transaction. */
export function categorizationRoutes(api: Api): void {
  api.post(
    '/api/categorization/',
    {
      bodyLimit: EYOD_BODY_LIMIT_BYTES,
      schema: {
        tags: ['Categorization'],
        summary: 'Categorize transactions',
        operationId: 'CategorizeTransactions',
        description:
          'Send your raw transactions and receive each one back with Belvo’s `category`, `subcategory` and `merchant` (name, logo, website), plus Ponte’s `confidence` (0 to 1) and the `rule` that decided. Up to 20,000 transactions per request (Belvo documents 10,000). Method: docs/enrichment.md, "Categorization".',
        body: CategorizationRequest,
        response: { 200: belvoRef('multiregion', 'Categorization'), ...errorResponses(400, 403, 413) },
      },
    },
    async (request, reply) => {
      const { transactions } = request.body
      checkCategorizationBody(request.body)
      // Up to 20,000 transactions echoed back with their categories, categorized as they are
      // written: streamed (see jsonListStream).
      return reply.type('application/json; charset=utf-8').send(jsonListStream('transactions', transactions, 64, categorizationItem))
    },
  )
}
