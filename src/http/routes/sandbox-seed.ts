import { Type } from 'typebox'
import type { Api } from '../api.ts'
import { getSeed, MAX_SEED_LENGTH, resetSeed, setSeed } from '../../domain/sandbox-seed.ts'
import { errorResponses } from '../schemas/common.ts'

const tags = ['Sandbox']

const Seed = Type.Object({
  seed: Type.Union([Type.String(), Type.Null()], { description: "The organization's seed; null: ids are random." }),
  updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the seed was set.' }),
})

const WHAT =
  'Ponte addition. While an organization has a seed, every id its requests and jobs make (links, accounts, transactions and other resources, request ids, MFA sessions, webhook ids) is drawn from HMAC-SHA256 of the seed and the organization id instead of randomness; with the sandbox clock pinned too (/sandbox/clock/), the same requests in the same order give byte-identical responses on a fresh database. Secrets (secret keys, webhook signing secrets, tokens, credentials) stay random. See docs/determinism.md.'

/** The organization's sandbox seed (issue 18, domain/sandbox-seed.ts): read it, set it, clear it. */
export function sandboxSeedRoutes(api: Api): void {
  const ctx = api.deps.domain

  api.get(
    '/sandbox/seed/',
    {
      schema: {
        tags,
        summary: "The organization's sandbox seed",
        operationId: 'DetailSandboxSeed',
        description: WHAT,
        response: { 200: Seed, ...errorResponses() },
      },
    },
    async (request) => getSeed(ctx, request.principal.organizationId),
  )

  api.put(
    '/sandbox/seed/',
    {
      schema: {
        tags,
        summary: "Set the organization's sandbox seed",
        operationId: 'UpdateSandboxSeed',
        description: `${WHAT} Takes effect from the next request.`,
        body: Type.Object({ seed: Type.String({ description: `Any text of 1 to ${MAX_SEED_LENGTH} characters, such as ci-42.` }) }),
        response: { 200: Seed, ...errorResponses(400) },
      },
    },
    async (request) => setSeed(ctx, request.principal.organizationId, request.body.seed),
  )

  api.delete(
    '/sandbox/seed/',
    {
      schema: {
        tags,
        summary: "Clear the organization's sandbox seed",
        operationId: 'DestroySandboxSeed',
        description:
          'Ponte addition. Ids are random again from the next request. Setting a seed again goes on where the counters stopped: ids are never handed out twice.',
        response: { 200: Seed, ...errorResponses() },
      },
    },
    async (request) => resetSeed(ctx, request.principal.organizationId),
  )
}
