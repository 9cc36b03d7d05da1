import { Type } from 'typebox'
import { bankAccountStatement } from '../../domain/payments/statement.ts'
import type { Api } from '../api.ts'
import { pageEnvelope, pageRequest } from '../plugins/pagination.ts'
import { errorResponses, IdParams } from '../schemas/common.ts'

const Amount = (description: string) => Type.String({ pattern: '^\\d+\\.\\d{2}$', description })

const StatementEntry = Type.Object({
  transaction: Type.String({ format: 'uuid', description: 'The settled payment transaction.' }),
  payment_intent: Type.String({ format: 'uuid' }),
  charge: Type.String({ format: 'uuid' }),
  end_to_end_id: Type.String({ description: "The Pix payment's end-to-end id." }),
  type: Type.Literal('CREDIT'),
  description: Type.String(),
  amount: Amount('The amount credited, in BRL.'),
  balance: Amount("The account's balance after this credit."),
  created_at: Type.String({ format: 'date-time' }),
})

const Statement = Type.Object({
  bank_account: Type.String({ format: 'uuid' }),
  currency: Type.Literal('BRL'),
  balance: Amount("The account's sandbox balance: every settled credit."),
  count: Type.Integer({ description: 'The total number of credits.' }),
  next: Type.Union([Type.String({ format: 'uri' }), Type.Null()]),
  previous: Type.Union([Type.String({ format: 'uri' }), Type.Null()]),
  results: Type.Array(StatementEntry),
})

/** The sandbox payment network's views of Payments Brazil (Ponte additions, beside /sandbox/links/). */
export function sandboxPaymentRoutes(api: Api): void {
  const { config } = api.deps
  api.get(
    '/sandbox/payments/br/bank-accounts/:id/statement/',
    {
      schema: {
        tags: ['Sandbox'],
        summary: "A receiving bank account's sandbox statement",
        operationId: 'GetSandboxBankAccountStatementBrazil',
        description:
          'Ponte addition. One credit per settled payment transaction to this account, oldest first, with its end_to_end_id and the running balance after it, and the balance. Paginated with `page` and `page_size`.',
        params: IdParams,
        querystring: Type.Object({
          page: Type.Optional(Type.String({ description: 'A page number, from 1.' })),
          page_size: Type.Optional(Type.String({ description: 'Credits per page (default 100, at most 1000).' })),
        }),
        response: { 200: Statement, ...errorResponses(400) },
      },
    },
    async (request) => {
      const page = pageRequest(request.query, config.PONTE_DEFAULT_PAGE_SIZE)
      const caller = { organizationId: request.principal.organizationId, keyId: request.principal.keyId, requestId: request.id }
      const statement = await bankAccountStatement(api.deps.domain.db, caller, request.params.id, page)
      const envelope = pageEnvelope(request, config.PONTE_PUBLIC_URL, { count: statement.count, results: statement.entries }, page)
      return { bank_account: statement.account.id, currency: 'BRL' as const, balance: statement.account.balance, ...envelope }
    },
  )
}
