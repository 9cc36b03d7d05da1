import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestHash } from '../../src/domain/payments/idempotency.ts'
import { loadConfig } from '../../src/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { openDb, type Db, type Queryable } from '../../src/store/db.ts'
import { backend, createTestDatabase } from '../helpers/db.ts'
import { basic, createHarness, type Harness } from '../helpers/harness.ts'
import { processTestTimeout } from '../helpers/processes.ts'
import { accountIntentBody, RETAIL, receivingAccountBody } from '../helpers/payments.ts'

type Json = Record<string, any>

/**
 * A request with the same Belvo-Idempotency-Key that commits while this one runs (another API
 * process): this one writes nothing of its own and answers as the other's stored row says.
 */
describe('Payments Brazil: a key stored by another request while this one runs', () => {
  let h: Harness
  let customer: Json
  let account: Json
  const call: Harness['call'] = (...args) => h.call(...args)

  beforeAll(async () => {
    h = await createHarness()
    customer = (await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Maria Corrida' })).body
    account = (await call('POST', '/payments/br/bank-accounts/', receivingAccountBody('Loja Corrida Ltda'))).body
  })
  afterAll(async () => h.close())

  /** The row the other request commits: its answer, for the same request. */
  async function otherRequestStores(db: Queryable, key: string, path: string, body: unknown, answer: Json): Promise<void> {
    await db.query(
      `INSERT INTO payment_idempotency_keys (organization_id, key, request_hash, state, response_status, response_body, created_at, completed_at)
       VALUES ($1, $2, $3, 'completed', 201, $4, now(), now())`,
      [h.key.organizationId, key, requestHash('POST', path, body), JSON.stringify(answer)],
    )
  }

  /** Runs `before` once, right before the first statement of `db` (or of its transactions) whose text matches `pattern`. */
  function interceptOnce(db: Db, pattern: RegExp, before: () => Promise<void>): () => void {
    const { query, tx } = db
    let armed = true
    const intercepted =
      (run: Queryable['query'], self: Queryable): Queryable['query'] =>
      async (text, params, options) => {
        if (armed && pattern.test(text)) {
          armed = false
          await before()
        }
        return run.call(self, text, params, options) as never
      }
    db.query = intercepted(query, db)
    db.tx = <T>(fn: (inner: Queryable) => Promise<T>) =>
      tx.call(db, (inner: Queryable) => fn({ ...inner, query: intercepted(inner.query, inner) })) as Promise<T>
    return () => {
      db.query = query
      db.tx = tx
    }
  }

  /**
   * POSTs `body` with a new key while the other request stores that key's answer `theirs`, right
   * before this request's first statement matching `statement`: the answer is theirs, replayed.
   */
  async function expectTheirAnswer(path: string, body: Json, statement: RegExp, theirs: Json): Promise<void> {
    const key = randomUUID()
    const restore = interceptOnce(h.db, statement, () => otherRequestStores(h.db, key, path, body, theirs))
    try {
      const res = await call('POST', path, body, { headers: { 'belvo-idempotency-key': key } })
      expect(res.status).toBe(201)
      expect(res.headers['belvo-idempotency-status']).toBe('REPLAYED')
      expect(res.body).toEqual(theirs)
    } finally {
      restore()
    }
  }

  it('replays the answer of an intent request that stored its key between this one’s read and its write, creating nothing', async () => {
    const description = `corrida ${randomUUID()}`
    const body = accountIntentBody(customer.id, account.id, '12.34', description)
    const theirs = { id: randomUUID(), status: 'REQUIRES_ACTION', description: 'the other request’s intent' }
    // The intent's one write: it inserts the intent only with the key's answer.
    await expectTheirAnswer('/payments/br/payment-intents/', body, /INSERT INTO payment_intents/, theirs)
    const mine = await h.db.query<{ n: string | number }>('SELECT count(*) AS n FROM payment_intents WHERE description = $1', [description])
    expect(Number(mine[0].n)).toBe(0)
    const ledger = await h.db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM payment_ledger WHERE object_type = 'payment_intent' AND object_id NOT IN (SELECT id FROM payment_intents)`,
    )
    expect(Number(ledger[0].n)).toBe(0)
  })

  // The other request commits from another connection while this request's transaction is open:
  // PGlite has one connection, and its transaction holds every other statement back.
  it.skipIf(backend === 'pglite')('rolls back a customer created in a transaction when the key was stored meanwhile, and replays that answer', async () => {
    const identifier = generateCpf()
    const body = { identifier, name: 'Cliente Corrida' }
    const theirs = { id: randomUUID(), identifier, name: 'the other request’s customer' }
    await expectTheirAnswer('/payments/br/customers/', body, /^INSERT INTO payment_idempotency_keys/, theirs)
    const mine = await h.db.query<{ n: string | number }>('SELECT count(*) AS n FROM payment_customers WHERE identifier = $1', [identifier])
    expect(Number(mine[0].n)).toBe(0)
  })

  it('takes over a stale claim of the same request in a transaction too (a customer), then replays', async () => {
    const key = randomUUID()
    const body = { identifier: generateCpf(), name: 'Cliente Retomado' }
    await h.db.query(`INSERT INTO payment_idempotency_keys (organization_id, key, request_hash, state, created_at) VALUES ($1, $2, $3, 'processing', $4)`, [
      h.key.organizationId,
      key,
      requestHash('POST', '/payments/br/customers/', body),
      new Date(h.clock.now().getTime() - 10 * 60_000).toISOString(),
    ])
    const first = await call('POST', '/payments/br/customers/', body, { headers: { 'belvo-idempotency-key': key } })
    expect(first.status).toBe(201)
    expect(first.headers['belvo-idempotency-status']).toBe('AVAILABLE')
    const again = await call('POST', '/payments/br/customers/', body, { headers: { 'belvo-idempotency-key': key } })
    expect(again.headers['belvo-idempotency-status']).toBe('REPLAYED')
    expect(again.body).toEqual(first.body)
  })

  it('looks at the key before the body: a used key with another, malformed body is a 422, on either way of writing', async () => {
    const intentKey = randomUUID()
    const first = await call('POST', '/payments/br/payment-intents/', accountIntentBody(customer.id, account.id, '3.00', `chave ${intentKey}`), {
      headers: { 'belvo-idempotency-key': intentKey },
    })
    expect(first.status).toBe(201)
    const malformed = await call('POST', '/payments/br/payment-intents/', accountIntentBody(customer.id, account.id, '3.001', `chave ${intentKey}`), {
      headers: { 'belvo-idempotency-key': intentKey },
    })
    expect(malformed.status).toBe(422)
    expect(malformed.body[0]).toMatchObject({ code: 'idempotency_payload_mismatch' })

    const customerKey = randomUUID()
    expect(
      (await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Chave' }, { headers: { 'belvo-idempotency-key': customerKey } }))
        .status,
    ).toBe(201)
    const bad = await call('POST', '/payments/br/customers/', { identifier: '123', name: 'Chave' }, { headers: { 'belvo-idempotency-key': customerKey } })
    expect(bad.status).toBe(422)
    // A malformed body with a key never used is the body's 400, and uses nothing up.
    const fresh = await call('POST', '/payments/br/payment-intents/', accountIntentBody(customer.id, account.id, '3.001', 'nova chave'), {
      headers: { 'belvo-idempotency-key': randomUUID() },
    })
    expect(fresh.status).toBe(400)
    expect(fresh.body[0]).toMatchObject({ code: 'invalid', field: 'amount' })
  })

  it('answers 409 for a fresh claim of the same request, and 422 for a stale claim of another request', async () => {
    const body = { identifier: generateCpf(), name: 'Cliente Reivindicado' }
    const claim = async (key: string, claimed: unknown, at: Date) =>
      h.db.query(`INSERT INTO payment_idempotency_keys (organization_id, key, request_hash, state, created_at) VALUES ($1, $2, $3, 'processing', $4)`, [
        h.key.organizationId,
        key,
        requestHash('POST', '/payments/br/customers/', claimed),
        at.toISOString(),
      ])
    const fresh = randomUUID()
    await claim(fresh, body, h.clock.now())
    const running = await call('POST', '/payments/br/customers/', body, { headers: { 'belvo-idempotency-key': fresh } })
    expect(running.status).toBe(409)
    expect(running.body[0]).toMatchObject({ code: 'idempotency_key_conflict' })
    const stale = randomUUID()
    await claim(stale, { ...body, name: 'outro' }, new Date(h.clock.now().getTime() - 10 * 60_000))
    const other = await call('POST', '/payments/br/customers/', body, { headers: { 'belvo-idempotency-key': stale } })
    expect(other.status).toBe(422)
    expect(other.body[0]).toMatchObject({ code: 'idempotency_payload_mismatch' })
  })
})

/**
 * An intent that names its customer and beneficiary account by id is first written as if they were
 * as named, in one statement that checks them (domain/payments/intents.ts): when they are not, it
 * writes nothing and the careful way answers, with the same errors in the same order.
 */
describe('Payments Brazil: an intent whose parties its one write checks', () => {
  let h: Harness
  let person: Json
  let company: Json
  let account: Json
  const call: Harness['call'] = (...args) => h.call(...args)
  const intents = async (description: string) =>
    Number((await h.db.query<{ n: string | number }>('SELECT count(*) AS n FROM payment_intents WHERE description = $1', [description]))[0].n)

  beforeAll(async () => {
    h = await createHarness()
    person = (await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Pessoa Física' })).body
    company = (await call('POST', '/payments/br/customers/', { identifier: generateCnpj(), name: 'Empresa Ltda' })).body
    expect(company.customer_type).toBe('BUSINESS')
    account = (await call('POST', '/payments/br/bank-accounts/', receivingAccountBody('Loja Recebedora Ltda'))).body
  })
  afterAll(async () => h.close())

  it("asks a business customer's payment for the payer's CPF, and the same key then creates it once it has one", async () => {
    const key = randomUUID()
    const description = `empresa ${key}`
    const withoutCpf = await call('POST', '/payments/br/payment-intents/', accountIntentBody(company.id, account.id, '20.00', description), {
      headers: { 'belvo-idempotency-key': key },
    })
    expect(withoutCpf.status).toBe(400)
    expect(withoutCpf.body[0]).toMatchObject({ code: 'required', field: 'payment_method_details.open_finance.cpf' })
    expect(await intents(description)).toBe(0)

    const body = accountIntentBody(company.id, account.id, '20.00', description, { cpf: generateCpf() })
    const created = await call('POST', '/payments/br/payment-intents/', body, { headers: { 'belvo-idempotency-key': key } })
    expect(created.status).toBe(201)
    expect(created.headers['belvo-idempotency-status']).toBe('AVAILABLE')
    expect(created.body).toMatchObject({ customer: company.id, status: 'REQUIRES_ACTION' })
    expect((await call('GET', `/payments/br/payment-intents/${created.body.id}/`)).body).toEqual(created.body)
    const ledger = await h.db.query<{ to_status: string }>('SELECT to_status FROM payment_ledger WHERE object_id = $1', [created.body.id])
    expect(ledger.map((row) => row.to_status)).toEqual(['REQUIRES_ACTION'])
  })

  it('answers the customer first when both the customer and a later field are wrong', async () => {
    const res = await call('POST', '/payments/br/payment-intents/', {
      ...accountIntentBody(randomUUID(), account.id, '5.00', 'ordem dos erros'),
      payment_method_details: { open_finance: { pix_key: 'not a key', payer_institution: RETAIL, callback_url: 'https://merchant.example/cb' } },
    })
    expect(res.status).toBe(400)
    expect(res.body[0]).toMatchObject({ code: 'does_not_exist', field: 'customer' })
  })

  it("refuses another organization's customer and beneficiary account, writing nothing, with a key or without", async () => {
    const theirCustomer = (await call('POST', '/payments/br/customers/', { identifier: generateCpf(), name: 'Outra Org' }, { auth: h.otherAuth })).body
    const theirAccount = (await call('POST', '/payments/br/bank-accounts/', receivingAccountBody('Outra Loja Ltda'), { auth: h.otherAuth })).body
    for (const headers of [{}, { 'belvo-idempotency-key': randomUUID() }] as Record<string, string>[]) {
      const description = `alheio ${randomUUID()}`
      const customer = await call('POST', '/payments/br/payment-intents/', accountIntentBody(theirCustomer.id, account.id, '7.00', description), { headers })
      expect(customer.status).toBe(400)
      expect(customer.body[0]).toMatchObject({ code: 'does_not_exist', field: 'customer' })
      const beneficiary = await call('POST', '/payments/br/payment-intents/', accountIntentBody(person.id, theirAccount.id, '7.00', description), { headers })
      expect(beneficiary.status).toBe(400)
      expect(beneficiary.body[0]).toMatchObject({ code: 'does_not_exist', field: 'payment_method_details.open_finance.beneficiary_bank_account' })
      expect(await intents(description)).toBe(0)
    }
    const mine = await call('POST', '/payments/br/payment-intents/', accountIntentBody(person.id, account.id, '7.00', `meu ${randomUUID()}`))
    expect(mine.status).toBe(201)
    expect(mine.headers['belvo-idempotency-status']).toBeUndefined()
  })
})

/**
 * Two API servers on one PostgreSQL database (each its own pool of connections, as two processes
 * have), the same request with the same key sent to both at once: one intent, whichever way it is
 * written. PGlite is one process's database.
 */
describe.skipIf(backend === 'pglite')('Payments Brazil: the same key on two API servers at once', () => {
  const key = { id: 'two-servers', password: 'two-servers-password' }
  const auth = basic(key)
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let servers: RunningServer[] = []
  let dir: string

  beforeAll(async () => {
    database = await createTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'ponte-two-servers-'))
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      PONTE_DATA_DIR: dir,
      DATABASE_URL: database.url!,
      PONTE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PONTE_SECRET_KEY_ID: key.id,
      PONTE_SECRET_KEY_PASSWORD: key.password,
    })
    // One after the other: the first migrates the database.
    servers.push(await startServer(config, { print: () => {} }))
    servers.push(await startServer(config, { print: () => {} }))
  }, processTestTimeout(2))
  afterAll(async () => {
    for (const server of servers) await server.close()
    servers = []
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = async (server: RunningServer, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: res.status, replayed: res.headers.get('belvo-idempotency-status') === 'REPLAYED', body: (await res.json()) as Json }
  }

  it('creates one intent from eight identical requests split between the two, with its parties by id or created with it', async () => {
    const [a, b] = servers
    const customer = (await post(a, '/payments/br/customers/', { identifier: generateCpf(), name: 'Duas Instâncias' })).body
    const account = (await post(b, '/payments/br/bank-accounts/', receivingAccountBody('Loja Duas Ltda'))).body
    const bodies = [
      // One statement, no transaction.
      accountIntentBody(customer.id, account.id, '9.99', `duas ${randomUUID()}`),
      // A transaction: the customer is created with the intent.
      { ...accountIntentBody(customer.id, account.id, '9.99', `duas ${randomUUID()}`), customer: { identifier: generateCpf(), name: 'Nova Cliente' } },
    ]
    for (const body of bodies) {
      const idempotencyKey = randomUUID()
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(i % 2 === 0 ? a : b, '/payments/br/payment-intents/', body, { 'belvo-idempotency-key': idempotencyKey })),
      )
      expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true)
      const created = answers.filter((answer) => answer.status === 201)
      expect(created.filter((answer) => !answer.replayed)).toHaveLength(1)
      expect(new Set(created.map((answer) => answer.body.id)).size).toBe(1)
      const db = await openDb({ databaseUrl: database.url!, poolSize: 1 })
      try {
        const rows = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM payment_intents WHERE description = $1', [body.description])
        expect(Number(rows[0].n)).toBe(1)
      } finally {
        await db.close()
      }
    }
  })
})
