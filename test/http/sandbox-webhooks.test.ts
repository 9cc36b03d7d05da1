import { generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness.ts'
import type { Receiver } from '../helpers/receiver.ts'

type Json = Record<string, any>

const RETAIL = '0f5f8f8e-0a58-4c5e-9a64-6f1d2b9a1001'

/**
 * POST /sandbox/webhooks/ (issue 18): Belvo's webhooks on demand, for a link or a payments object,
 * delivered to a real receiver exactly as the real ones are, and nothing stored changes.
 */
describe('webhooks on demand', () => {
  let h: Harness
  let receiver: Receiver
  let link: Json
  const fire = (body: Json, auth?: string) => h.call('POST', '/sandbox/webhooks/', body, auth ? { auth } : {})
  const delivered = (webhookId: string) =>
    vi.waitFor(
      () => {
        const hit = receiver.hits.find((x) => x.headers['x-ponte-event-id'] === webhookId)
        expect(hit).toBeDefined()
        return hit!
      },
      { timeout: 20_000, interval: 50 },
    )

  beforeAll(async () => {
    h = await createHarness()
    receiver = await h.receiveWebhooks('Bearer fired')
    const created = await h.call('POST', '/api/links/', {
      institution: 'erebor_mx_retail',
      username: 'bnk100',
      password: 'full',
      access_mode: 'recurrent',
      external_id: 'ext-7',
    })
    expect(created.status).toBe(201)
    link = created.body
    expect((await h.call('POST', '/api/accounts/', { link: link.id })).status).toBe(201)
    await h.startWorker()
  })
  afterAll(async () => h?.close())

  it('sends a link’s webhook with the data the real one would have, to the real receiver, signed', async () => {
    const accounts = (await h.call('GET', `/api/accounts/?link=${link.id}`)).body.count as number
    const res = await fire({ webhook_type: 'ACCOUNTS', webhook_code: 'historical_update', link: link.id })
    expect(res.status).toBe(202)
    expect(res.body.payload).toEqual({
      webhook_id: res.body.webhook_id,
      webhook_type: 'ACCOUNTS',
      process_type: 'historical_update',
      webhook_code: 'historical_update',
      link_id: link.id,
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      external_id: 'ext-7',
      data: { total_accounts: accounts },
    })
    expect(accounts).toBeGreaterThan(0)
    const hit = await delivered(res.body.webhook_id)
    expect(JSON.parse(hit.raw)).toEqual(res.body.payload)
    expect(hit.headers.authorization).toBe('Bearer fired')
    expect(hit.headers['x-ponte-signature']).toMatch(/^v1=[0-9a-f]{64}$/)
  })

  it('sends LINK and change webhooks without changing the link, and takes data to say what changed', async () => {
    const token = await fire({ webhook_type: 'LINK', webhook_code: 'token_required', link: link.id })
    expect(token.body.payload).toMatchObject({ process_type: 'recurrent_update', data: { error_code: 'token_required', status: 428 } })
    expect((await h.call('GET', `/api/links/${link.id}/`)).body.status).toBe('valid')
    const counted = await fire({ webhook_type: 'TRANSACTIONS', webhook_code: 'new_transactions_available', link: link.id, data: { new_transactions: 12 } })
    expect(counted.body.payload.data).toEqual({ new_transactions: 12 })
    await delivered(counted.body.webhook_id)
  })

  it('repeats a payments object’s newest webhook with a new webhook_id', async () => {
    const account = await h.call(
      'POST',
      '/payments/br/bank-accounts/',
      {
        holder: { name: 'João Souza', identifier: generateCpf() },
        details: { institution: RETAIL, account_type: 'SAVINGS', agency: '1234', number: '457221' },
      },
      { headers: { 'x-belvo-api-resource-version': 'Payments-BR.V2' } },
    )
    expect(account.status, JSON.stringify(account.body)).toBe(201)
    const again = await fire({ webhook_type: 'BANK_ACCOUNTS', webhook_code: 'OBJECT_CREATED', object_id: account.body.id })
    expect(again.status).toBe(202)
    expect(again.body.payload).toMatchObject({
      webhook_type: 'BANK_ACCOUNTS',
      webhook_code: 'OBJECT_CREATED',
      object_id: account.body.id,
      data: { status: 'CREATED' },
    })
    const sent = await h.db.query<{ id: string }>(`SELECT id FROM webhook_events WHERE webhook_type = 'BANK_ACCOUNTS' AND strpos(payload, $1) > 0`, [
      account.body.id,
    ])
    expect(sent.map((e) => e.id)).toContain(again.body.webhook_id)
    expect(sent).toHaveLength(2)
    await delivered(again.body.webhook_id)
  })

  it('refuses what Belvo does not send, and another organization’s link, with the field', async () => {
    const cases: [Json, string][] = [
      [{ webhook_type: 'ACCOUNTS', webhook_code: 'historical_update' }, 'link'],
      [{ webhook_type: 'ACCOUNTS', webhook_code: 'historical_update', link: link.id, object_id: randomUUID() }, 'object_id'],
      [{ webhook_type: 'PIZZA', webhook_code: 'historical_update', link: link.id }, 'webhook_type'],
      [{ webhook_type: 'LINK', webhook_code: 'exploded', link: link.id }, 'webhook_code'],
      [{ webhook_type: 'INVOICES', webhook_code: 'historical_update', link: link.id }, 'webhook_type'],
      [{ webhook_type: 'CONSENT', webhook_code: 'openfinance_consent_about_to_expire', link: link.id }, 'link'],
      [{ webhook_type: 'PAYMENT_INTENTS', webhook_code: 'STATUS_UPDATE', object_id: randomUUID() }, 'object_id'],
      [{ webhook_type: 'PAYMENT_INTENTS', webhook_code: 'OBJECT_CREATED', object_id: randomUUID() }, 'webhook_code'],
    ]
    for (const [body, field] of cases) {
      const res = await fire(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body[0].field, JSON.stringify(res.body)).toBe(field)
    }
    const foreign = await fire({ webhook_type: 'ACCOUNTS', webhook_code: 'historical_update', link: link.id }, h.otherAuth)
    expect(foreign.status).toBe(400)
    expect(foreign.body[0]).toMatchObject({ code: 'does_not_exist', field: 'link' })
  })
})
