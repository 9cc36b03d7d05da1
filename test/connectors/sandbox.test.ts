import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { isValidCnh, isValidCnpj, isValidCpf } from '@brazilian-utils/brazilian-utils'
import { clabe } from 'clabe-validator'
import validateRfcImport from 'validate-rfc'
import { describe, expect, it } from 'vitest'
import { CATALOG, wireShape } from '../../src/connectors/catalog.ts'
import { addMonths, civil, formatDay, parseDay } from '../../src/connectors/sandbox/calendar.ts'
import { Ledger } from '../../src/connectors/sandbox/ledger.ts'
import { buildWorld, DENSE_PER_DAY } from '../../src/connectors/sandbox/world.ts'
import {
  BALANCES_BR,
  BALANCES_LEGACY,
  BILLS,
  EXCHANGE_HISTORY,
  EXCHANGES_BR,
  INVESTMENT_TRANSACTIONS_BR,
  INVESTMENTS_BR,
  PORTFOLIOS,
  TRANSACTIONS,
} from '../../src/domain/banking.ts'
import type { AccountScopedRecord, ConnectorContext, InstitutionRecord, LoginOutcome, Period, WireShape } from '../../src/connectors/types.ts'
import { sandboxResources } from '../helpers/sandbox-connector.ts'
import { missingFields, schemaErrors, schemaOf, specsAvailable, type SpecName } from '../helpers/spec.ts'
import { PROCESS_MS, processTestTimeout } from '../helpers/processes.ts'

// validate-rfc is a UMD bundle: depending on the loader its function is the default export or its `default`.
type ValidateRfc = (rfc: string) => { isValid: boolean }
const validateRfc = ((validateRfcImport as unknown as { default?: ValidateRfc }).default ?? validateRfcImport) as unknown as ValidateRfc

const TODAY = '2025-06-18'
const YEAR: Period = { dateFrom: '2024-06-18', dateTo: TODAY }

interface Inst {
  id: number
  name: string
  country: string
  shape: WireShape
}
const MX: Inst = { id: 1004, name: 'erebor_mx_retail', country: 'MX', shape: 'multiregion' }
const CO: Inst = { id: 1005, name: 'erebor_co_retail', country: 'CO', shape: 'multiregion' }
const BR: Inst = { id: 1006, name: 'erebor_br_retail', country: 'BR', shape: 'ofda' }
const MX_BUSINESS: Inst = { id: 1007, name: 'gotham_mx_business', country: 'MX', shape: 'multiregion' }
const BR_BUSINESS: Inst = { id: 1012, name: 'gotham_br_business', country: 'BR', shape: 'ofda' }
const OFMOCK: Inst = { id: 9256, name: 'ofmockbank_br_retail', country: 'BR', shape: 'ofda' }
const HEIMDALL: Inst = { id: 1014, name: 'heimdall_mx_retail', country: 'MX', shape: 'multiregion' }
const IRONBANK: Inst = { id: 1016, name: 'ironbank_br_retail', country: 'BR', shape: 'ofda' }
const GOONIES_MX: Inst = { id: 1041, name: 'goonies_mx_gig', country: 'MX', shape: 'multiregion' }
const GOONIES_CO: Inst = { id: 1043, name: 'goonies_co_gig', country: 'CO', shape: 'multiregion' }
const PLANET_BR: Inst = { id: 1046, name: 'planet_br_gig', country: 'BR', shape: 'ofda' }

function ctx(inst: Inst, profile = 'full', linkSeed = 'link-1', username = 'bnk100', today = TODAY): ConnectorContext {
  return { institution: inst, credentials: { username, password: profile }, linkSeed, profile, today, accessedAt: `${today}T12:00:00.000Z` }
}

async function collect(stream: AsyncIterable<AccountScopedRecord[]>): Promise<AccountScopedRecord[]> {
  const out: AccountScopedRecord[] = []
  for await (const batch of stream) out.push(...batch)
  return out
}

interface Everything {
  accounts: InstitutionRecord[]
  transactions: AccountScopedRecord[]
  owners: InstitutionRecord[]
  balances: AccountScopedRecord[]
  bills: AccountScopedRecord[]
  investments: InstitutionRecord[]
  investmentTransactions: InstitutionRecord[]
  exchanges: InstitutionRecord[]
  statements: AccountScopedRecord[]
  portfolios: InstitutionRecord[]
  exchangeHistory: InstitutionRecord[]
}

async function everything(inst: Inst, c: ConnectorContext, period: Period = YEAR): Promise<Everything> {
  const conn = sandboxResources(inst)
  const accounts = await conn.accounts(c)
  const statements: AccountScopedRecord[] = []
  for (const a of accounts) statements.push(...(await conn.statements(c, a.internal_identification, 2025, 5)))
  const exchanges = await conn.exchanges(c, { dateFrom: '2023-01-01', dateTo: TODAY })
  return {
    accounts,
    transactions: await collect(conn.transactions(c, period)),
    owners: await conn.owners(c),
    balances: await conn.balances(c, inst.shape === 'multiregion' ? { dateFrom: '2025-05-01', dateTo: TODAY } : undefined),
    bills: await conn.bills(c),
    investments: await conn.investments(c),
    investmentTransactions: await conn.investmentTransactions(c, period),
    exchanges,
    statements,
    portfolios: await conn.portfolios(c),
    exchangeHistory: await conn.exchangeHistory(
      c,
      exchanges.map((e) => e.internal_identification),
    ),
  }
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')
const cents = (n: unknown) => Math.round((n as number) * 100)

// -------------------------------------------------------------------------------------------------

describe('sandbox personas (login)', () => {
  const login = (inst: Inst, username: string, password?: string, extra: object = {}, token?: string): Promise<LoginOutcome> =>
    sandboxResources(inst).login({ username, password, ...extra }, token)

  it('logs in the standard valid user with the full profile and a 44-character institution_user_id', async () => {
    const outcome = await login(MX, 'user_valid', 'pass_valid')
    expect(outcome).toMatchObject({ status: 'ok', profile: 'full' })
    if (outcome.status !== 'ok') throw new Error('unreachable')
    expect(outcome.institutionUserId).toMatch(/^[A-Za-z0-9_-]{43}=$/)
    expect(await login(MX, 'user_valid', 'pass_valid')).toEqual(outcome)
    expect(await login(CO, 'user_valid', 'pass_valid')).not.toEqual(outcome)
  })

  it('maps the data personas to their profiles', async () => {
    expect(await login(MX, 'bnk100', 'full')).toMatchObject({ status: 'ok', profile: 'full' })
    expect(await login(MX, 'bnk101', 'nodata')).toMatchObject({ status: 'ok', profile: 'nodata' })
    expect(await login(MX, 'bnk102', 'low')).toMatchObject({ status: 'ok', profile: 'low' })
    expect(await login(MX, 'bnk103', 'negative')).toMatchObject({ status: 'ok', profile: 'negative' })
    expect(await login(MX, 'scale_1y_2a', 'full')).toMatchObject({ status: 'ok', profile: 'scale_1y_2a' })
  })

  it('rejects invalid users and reserved usernames with a wrong password', async () => {
    for (const [u, p] of [
      ['user_invalid', 'pass_invalid'],
      ['user_invalid', 'pass_valid'],
      ['bnk100', 'nodata'],
      ['user_valid', 'x'],
      ['mfa_qr', 'pass_valid'],
      ['scale_1y_2a', 'nope'],
      ['adv_invalid', 'pass_invalid'],
    ]) {
      expect(await login(MX, u, p)).toMatchObject({ status: 'error', code: 'login_error' })
    }
  })

  it('lets any other credentials in with the full data (unlimited links)', async () => {
    expect(await login(MX, 'anybody_42', 'whatever')).toMatchObject({ status: 'ok', profile: 'full' })
    expect(await login(MX, 'bnk1002', 'full')).toMatchObject({ status: 'ok', profile: 'full' })
  })

  it('reproduces every connector error on demand', async () => {
    const cases: [string, string][] = [
      ['err_sessions', 'too_many_sessions'],
      ['error_too_many_sessions', 'too_many_sessions'],
      ['err_down', 'institution_down'],
      ['error_institution_down', 'institution_down'],
      ['err_unavailable', 'institution_unavailable'],
      ['error_institution_unavailable', 'institution_unavailable'],
      ['err_inactive', 'institution_inactive'],
      ['error_institution_inactive', 'institution_inactive'],
      ['err_timeout', 'request_timeout'],
      ['error_timeout', 'request_timeout'],
      ['err_unsupported', 'unsupported_operation'],
    ]
    for (const [username, code] of cases) {
      const outcome = await login(MX, username, 'pass_valid')
      expect(outcome).toMatchObject({ status: 'error', code })
      if (outcome.status === 'error') expect(outcome.message).toBeTruthy()
    }
  })

  it('runs the MFA flow on heimdall_/gotham_ institutions: 428, then 111111 succeeds and 999999 asks again', async () => {
    const device = await login(HEIMDALL, 'mfa_default', 'pass_valid')
    expect(device).toEqual({
      status: 'token_required',
      tokenGenerationData: expect.objectContaining({ type: 'numeric', value: expect.stringMatching(/^\+\*\* \*\*\* \*\*\* \d{4}$/), expects_user_input: true }),
    })
    const qr = await login(HEIMDALL, 'mfa_qr', 'qr_code')
    expect(qr).toMatchObject({ status: 'token_required', tokenGenerationData: { type: 'qr' } })
    if (qr.status === 'token_required') expect(qr.tokenGenerationData.value).toMatch(/^belvo-sandbox:\/\/mfa\//)
    const numeric = await login(HEIMDALL, 'mfa_numeric', 'numeric_code')
    expect(numeric).toMatchObject({ status: 'token_required', tokenGenerationData: { type: 'numeric', value: expect.stringMatching(/^\d{8}$/) } })

    for (const [u, p] of [
      ['mfa_default', 'pass_valid'],
      ['mfa_qr', 'qr_code'],
      ['mfa_numeric', 'numeric_code'],
    ]) {
      expect(await login(HEIMDALL, u, p, {}, '111111')).toMatchObject({ status: 'ok', profile: 'full' })
      expect(await login(HEIMDALL, u, p, {}, '999999')).toMatchObject({ status: 'token_required' })
      expect(await login({ ...HEIMDALL, name: 'gotham_br_retail' }, u, p)).toMatchObject({ status: 'token_required' })
    }
    // A wrong token gets a fresh challenge.
    const again = await login(HEIMDALL, 'mfa_numeric', 'numeric_code', {}, '999999')
    expect(again).not.toEqual(numeric)
    // MFA personas log in directly where the institution has no second factor.
    expect(await login(MX, 'mfa_default', 'pass_valid')).toMatchObject({ status: 'ok' })
  })

  it("implements Iron Bank's advanced login", async () => {
    const valid = { usernameType: '003', username2: 'valid', password2: 'valid' }
    expect(await login(IRONBANK, 'adv_valid', 'pass_valid', valid)).toMatchObject({ status: 'ok', profile: 'full' })
    expect(await login(IRONBANK, 'adv_valid', 'pass_valid', { ...valid, usernameType: '999' })).toMatchObject({ status: 'error', code: 'login_error' })
    expect(await login(IRONBANK, 'adv_valid', 'pass_valid', { ...valid, password2: 'invalid' })).toMatchObject({ status: 'error', code: 'login_error' })
    expect(await login(IRONBANK, 'adv_invalid', 'pass_invalid', { usernameType: '999', username2: 'invalid', password2: 'invalid' })).toMatchObject({
      status: 'error',
      code: 'login_error',
    })
  })

  it("logs in OF Mock Bank's test user (Ralph Bragg) with either CPF spelling", async () => {
    const plain = await login(OFMOCK, '76109277673')
    const formatted = await login(OFMOCK, '761.092.776-73')
    expect(plain).toMatchObject({ status: 'ok', profile: 'full' })
    expect(formatted).toEqual(plain)
    const owners = await sandboxResources(OFMOCK).owners(ctx(OFMOCK, 'full', 'ralph', '761.092.776-73'))
    expect(owners[0]).toMatchObject({ display_name: 'Ralph Bragg', document_id: { document_type: 'CPF', document_number: '76109277673' } })
  })
})

// -------------------------------------------------------------------------------------------------

describe('sandbox data: determinism', () => {
  it('gives deep-equal data for the same inputs and different data for another link seed', async () => {
    const a = await everything(MX, ctx(MX))
    const b = await everything(MX, ctx(MX))
    expect(b).toEqual(a)
    const other = await everything(MX, ctx(MX, 'full', 'link-2'))
    expect(other.accounts).not.toEqual(a.accounts)
    expect(other.transactions.slice(0, 50)).not.toEqual(a.transactions.slice(0, 50))
  })

  it(
    'is byte-identical in another process and another time zone',
    async () => {
      const inst = BR
      const here = sha(await everything(inst, ctx(inst)))
      const script = `
      import { createHash } from 'node:crypto'
      import { sandboxResources } from './test/helpers/sandbox-connector.ts'
      const inst = ${JSON.stringify(inst)}
      const c = ${JSON.stringify(ctx(inst))}
      const conn = sandboxResources(inst)
      const tx = []
      for await (const b of conn.transactions(c, ${JSON.stringify(YEAR)})) tx.push(...b)
      const accounts = await conn.accounts(c)
      const statements = []
      for (const a of accounts) statements.push(...await conn.statements(c, a.internal_identification, 2025, 5))
      const all = { accounts, transactions: tx, owners: await conn.owners(c), balances: await conn.balances(c, undefined),
        bills: await conn.bills(c), investments: await conn.investments(c), investmentTransactions: await conn.investmentTransactions(c, ${JSON.stringify(YEAR)}),
        exchanges: await conn.exchanges(c, { dateFrom: '2023-01-01', dateTo: '${TODAY}' }), statements, portfolios: await conn.portfolios(c) }
      all.exchangeHistory = await conn.exchangeHistory(c, all.exchanges.map((e) => e.internal_identification))
      console.log(createHash('sha256').update(JSON.stringify(all)).digest('hex'))`
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { ...process.env, TZ: 'Pacific/Kiritimati' },
        encoding: 'utf8',
        timeout: PROCESS_MS,
      })
      expect(child.stderr.replace(/npm warn.*\n?/g, '')).toBe('')
      expect(child.stdout.trim()).toBe(here)
    },
    processTestTimeout(1),
  )

  it('keeps internal ids and values of the same transactions across overlapping periods', async () => {
    const conn = sandboxResources(BR)
    const c = ctx(BR)
    const first = await collect(conn.transactions(c, { dateFrom: '2025-01-01', dateTo: '2025-04-30' }))
    const second = await collect(conn.transactions(c, { dateFrom: '2025-03-01', dateTo: '2025-06-30' }))
    const overlap = (r: AccountScopedRecord) => (r.value_date as string) >= '2025-03-01' && (r.value_date as string) <= '2025-04-30'
    expect(first.filter(overlap).length).toBeGreaterThan(50)
    expect(second.filter(overlap)).toEqual(first.filter(overlap))
  })

  it('gives a narrow window exactly the records of a wide window that fall inside it (exchanges, investment transactions, daily balances)', async () => {
    // A generator that drew random values after its window test would give the same operation
    // other values, or drop it, depending on the window asked for.
    const windows: Period[] = [
      { dateFrom: '2023-06-01', dateTo: '2023-12-31' },
      { dateFrom: '2024-01-01', dateTo: '2024-06-30' },
      { dateFrom: '2024-07-01', dateTo: '2024-12-31' },
      { dateFrom: '2025-01-01', dateTo: TODAY },
      { dateFrom: '2024-03-01', dateTo: '2024-03-31' },
    ]
    const inside = (date: unknown, w: Period) => String(date).slice(0, 10) >= w.dateFrom && String(date).slice(0, 10) <= w.dateTo
    for (const inst of [BR, BR_BUSINESS, OFMOCK]) {
      const conn = sandboxResources(inst)
      for (const seed of ['link-1', 'link-2', 'link-3']) {
        const c = ctx(inst, 'full', seed)
        const wide = await conn.exchanges(c, { dateFrom: '2023-01-01', dateTo: TODAY })
        expect(wide.length, `${inst.name} ${seed}`).toBe(6)
        for (const w of windows) expect(await conn.exchanges(c, w)).toEqual(wide.filter((e) => inside(e.operation_requested_at, w)))
        // The narrowest window: the operation's own day.
        for (const e of wide) {
          const day = String(e.operation_requested_at).slice(0, 10)
          expect(await conn.exchanges(c, { dateFrom: day, dateTo: day })).toEqual([e])
        }
        const wideTx = await conn.investmentTransactions(c, { dateFrom: '2020-01-01', dateTo: TODAY })
        expect(wideTx.length).toBeGreaterThan(10)
        for (const w of windows) expect(await conn.investmentTransactions(c, w)).toEqual(wideTx.filter((t) => inside(t.value_date, w)))
      }
    }
    const conn = sandboxResources(MX)
    const wideBalances = await conn.balances(ctx(MX), { dateFrom: '2024-01-01', dateTo: TODAY })
    expect(wideBalances.length).toBeGreaterThan(500)
    for (const w of windows.slice(1)) expect(await conn.balances(ctx(MX), w)).toEqual(wideBalances.filter((b) => inside(b.value_date, w)))
  })

  it('gives unique internal ids within a link and resource', async () => {
    for (const inst of [MX, BR]) {
      const all = await everything(inst, ctx(inst))
      for (const [name, records] of Object.entries(all)) {
        const ids = (records as InstitutionRecord[]).map((r) => r.internal_identification)
        expect(new Set(ids).size, name).toBe(ids.length)
        for (const id of ids) expect(id, name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,99}$/)
      }
    }
  })
})

// -------------------------------------------------------------------------------------------------

describe('sandbox data: personas', () => {
  it('returns zero records of every resource for bnk101/nodata', async () => {
    for (const inst of [MX, BR]) {
      const all = await everything(inst, ctx(inst, 'nodata'))
      for (const [name, records] of Object.entries(all)) expect(records, name).toEqual([])
    }
  })

  it('gives bnk102/low one account and few transactions', async () => {
    const all = await everything(MX, ctx(MX, 'low'))
    expect(all.accounts).toHaveLength(1)
    expect(all.transactions.length).toBeGreaterThan(10)
    expect(all.transactions.length).toBeLessThan(120)
    expect(all.investments).toEqual([])
  })

  it('gives bnk103/negative an overdrawn account and a revolving card near its limit', async () => {
    for (const inst of [MX, BR]) {
      const { accounts } = await everything(inst, ctx(inst, 'negative'))
      const checking = accounts.find((a) => a.category === 'CHECKING_ACCOUNT')!
      expect((checking.balance as { current: number }).current).toBeLessThan(0)
      const card = accounts.find((a) => a.category === 'CREDIT_CARD')!
      const limit = (card.credit_data as { credit_limit: number }).credit_limit
      expect((card.balance as { current: number }).current).toBeGreaterThan(limit * 0.6)
    }
  })

  it('gives bnk100/full more than 13 months of history on checking, savings, card and loan accounts', async () => {
    for (const inst of [MX, CO, BR]) {
      const conn = sandboxResources(inst)
      const c = ctx(inst)
      const accounts = await conn.accounts(c)
      expect(new Set(accounts.map((a) => a.category))).toEqual(new Set(['CHECKING_ACCOUNT', 'SAVINGS_ACCOUNT', 'CREDIT_CARD', 'LOAN_ACCOUNT']))
      const from = '2024-04-01'
      const tx = await collect(conn.transactions(c, { dateFrom: from, dateTo: TODAY }))
      for (const a of accounts.filter((x) => x.category !== 'LOAN_ACCOUNT')) {
        const own = tx.filter((t) => t.account_internal_identification === a.internal_identification)
        expect(String(own[0].value_date) < '2024-05-18', String(a.name)).toBe(true)
      }
      const loan = tx.filter((t) => t.account_internal_identification === accounts.find((x) => x.category === 'LOAN_ACCOUNT')!.internal_identification)
      expect(loan.length).toBeGreaterThan(10)
    }
  })

  it('builds business owners for _business institutions', async () => {
    const [br] = await sandboxResources(BR_BUSINESS).owners(ctx(BR_BUSINESS))
    expect(br).toHaveProperty('company_name')
    expect(isValidCnpj((br.document_id as { document_number: string }).document_number)).toBe(true)
    const [mx] = await sandboxResources(MX_BUSINESS).owners(ctx(MX_BUSINESS))
    expect(mx.business_name).toBeTruthy()
    expect(validateRfc((mx.document_id as { document_number: string }).document_number).isValid).toBe(true)
  })
})

// -------------------------------------------------------------------------------------------------

describe('sandbox data: coherence', () => {
  it('reconciles running balances with amounts, and the last balance with the account balance', async () => {
    for (const inst of [MX, CO, BR, BR_BUSINESS]) {
      for (const profile of ['full', 'negative', 'low']) {
        const conn = sandboxResources(inst)
        const c = ctx(inst, profile)
        const accounts = await conn.accounts(c)
        const from = '2024-01-01'
        const tx = await collect(conn.transactions(c, { dateFrom: from, dateTo: TODAY }))
        const world = buildWorld(c)
        const ledger = new Ledger(world)
        for (const account of accounts) {
          const liability = account.balance_type === 'LIABILITY'
          const own = tx.filter((t) => t.account_internal_identification === account.internal_identification)
          expect(own.length).toBeGreaterThan(0)
          const current = cents((account.balance as { current: number }).current)
          const signed = (t: AccountScopedRecord) => ((t.type === 'INFLOW') !== liability ? 1 : -1) * cents(t.amount)
          if (inst.shape === 'ofda') {
            // Open Finance Brasil has no running balance: the amounts alone lead from the balance
            // before the period to the account's current balance.
            for (const t of own) expect(t.balance, t.internal_identification).toBeNull()
            const plan = world.accounts.find((a) => a.internalId === account.internal_identification)!
            const opening = ledger.balanceAt(plan, Math.max(parseDay(from), plan.historyStart) - 1)
            expect(
              own.reduce((sum, t) => sum + signed(t), opening),
              `${inst.name} ${profile} ${account.internal_identification}`,
            ).toBe(current)
            continue
          }
          for (let i = 1; i < own.length; i++) {
            expect(cents(own[i].balance), `${inst.name} ${profile} ${own[i].internal_identification}`).toBe(cents(own[i - 1].balance) + signed(own[i]))
          }
          expect(cents(own[own.length - 1].balance)).toBe(current)
        }
      }
    }
  })

  it('ends the daily balances (multi-region) on the account balance', async () => {
    const conn = sandboxResources(MX)
    const c = ctx(MX)
    const accounts = await conn.accounts(c)
    const balances = await conn.balances(c, { dateFrom: '2025-06-01', dateTo: TODAY })
    for (const a of accounts) {
      const own = balances.filter((b) => b.account_internal_identification === a.internal_identification)
      expect(own).toHaveLength(18)
      expect(own.at(-1)!.value_date).toBe(TODAY)
      expect(cents(own.at(-1)!.balance)).toBe(cents((a.balance as { current: number }).current))
    }
  })

  it('respects the period, today and the account filter, sorted by value date', async () => {
    const conn = sandboxResources(BR)
    const c = ctx(BR)
    const tx = await collect(conn.transactions(c, { dateFrom: '2025-05-10', dateTo: '2025-12-31' }))
    expect(tx.length).toBeGreaterThan(0)
    for (const t of tx) expect(String(t.value_date) >= '2025-05-10' && String(t.value_date) <= TODAY).toBe(true)
    const dates = tx.map((t) => t.value_date as string)
    expect([...dates].sort()).toEqual(dates)
    const [first] = await conn.accounts(c)
    const one = await collect(conn.transactions(c, YEAR, first.internal_identification))
    expect(one.length).toBeGreaterThan(0)
    expect(new Set(one.map((t) => t.account_internal_identification))).toEqual(new Set([first.internal_identification]))
    expect(await collect(conn.transactions(c, { dateFrom: '2025-07-01', dateTo: '2025-08-01' }))).toEqual([])
    expect(await collect(conn.transactions(c, YEAR, 'NOPE'))).toEqual([])
  })

  it('pays salaries on pay days: quincenas in Mexico, the 5th business day in Brazil', async () => {
    const salaries = async (inst: Inst) =>
      (await collect(sandboxResources(inst).transactions(ctx(inst), { dateFrom: '2024-07-01', dateTo: '2025-05-31' }))).filter(
        (t) => t.subcategory === 'Salary' && !String(t.description).includes('AGUINALDO') && !String(t.description).includes('13'),
      )
    const mx = await salaries(MX)
    expect(mx).toHaveLength(22)
    for (const t of mx) expect([13, 14, 15, 26, 27, 28, 29, 30, 31]).toContain(Number(String(t.value_date).slice(8)))
    const br = await salaries(BR)
    expect(br).toHaveLength(11)
    for (const t of br) expect(Number(String(t.value_date).slice(8))).toBeGreaterThanOrEqual(5)
    for (const t of br) expect(Number(String(t.value_date).slice(8))).toBeLessThanOrEqual(11)
  })

  it('charges subscriptions every month at a fixed price and pays card statements from checking', async () => {
    const conn = sandboxResources(MX)
    const c = ctx(MX)
    const tx = await collect(conn.transactions(c, { dateFrom: '2024-07-01', dateTo: '2025-05-31' }))
    const byMerchant = new Map<string, Set<number>>()
    for (const t of tx.filter((x) => x.category === 'Online Platforms & Leisure' && x.subcategory === 'Movie & Audio')) {
      const name = (t.merchant as { merchant_name: string }).merchant_name
      if (!byMerchant.has(name)) byMerchant.set(name, new Set())
      byMerchant.get(name)!.add(t.amount as number)
    }
    expect(byMerchant.size).toBeGreaterThan(0)
    for (const amounts of byMerchant.values()) expect(amounts.size).toBe(1)
    const accounts = await conn.accounts(c)
    const checking = accounts.find((a) => a.category === 'CHECKING_ACCOUNT')!.internal_identification
    const card = accounts.find((a) => a.category === 'CREDIT_CARD')!.internal_identification
    const paid = tx.filter((t) => t.account_internal_identification === checking && t.subcategory === 'Credit Card' && t.type === 'OUTFLOW')
    const received = tx.filter((t) => t.account_internal_identification === card && t.type === 'INFLOW')
    expect(paid.length).toBe(11)
    expect(paid.map((t) => [t.value_date, t.amount])).toEqual(received.map((t) => [t.value_date, t.amount]))
  })

  it('gives some exchange operations a history consistent with the operation, after it and oldest first', async () => {
    let withHistory = 0
    let without = 0
    const types = new Set<unknown>()
    for (const inst of [BR, BR_BUSINESS, OFMOCK]) {
      for (const seed of ['link-1', 'link-2', 'link-3', 'link-4']) {
        const conn = sandboxResources(inst)
        const c = ctx(inst, 'full', seed)
        const exchanges = await conn.exchanges(c, { dateFrom: '2023-01-01', dateTo: TODAY })
        const history = await conn.exchangeHistory(
          c,
          exchanges.map((e) => e.internal_identification),
        )
        expect(new Set(history.map((h) => h.event_sequence_number)).size).toBe(history.length)
        for (const e of exchanges) {
          const events = history.filter((h) => h.exchange_internal_identification === e.internal_identification)
          if (events.length === 0) without++
          else withHistory++
          // Each operation's history on its own is the same as in the batch.
          expect(await conn.exchangeHistory(c, [e.internal_identification])).toEqual(events)
          let previous = String(e.operation_requested_at)
          for (const h of events) {
            types.add(h.event_type)
            expect(h.operation_identifier).toBe(e.operation_identifier)
            expect(h.event_sequence_number).toMatch(/^\d{12}$/)
            expect(String(h.event_created_at) > previous, `${h.event_created_at} after ${previous}`).toBe(true)
            expect(String(h.event_created_at) < TODAY).toBe(true)
            previous = String(h.event_created_at)
            expect(h.operation_due_date! >= e.operation_due_date!).toBe(true)
            expect(h.local_operation_tax_amount).toBe(e.local_operation_tax_amount)
            expect(cents(h.local_operation_value_amount)).toBe(Math.round(cents(h.foreign_operation_value_amount) * (h.local_operation_tax_amount as number)))
            for (const field of [
              'foreign_operation_value_currency',
              'local_operation_value_currency',
              'settlement_method',
              'operation_category_code',
              'tev_amount_amount',
            ]) {
              expect(h[field], field).toBe(e[field])
            }
            expect(h.operation_outstanding_balance_currency).toBe(e.foreign_operation_value_currency)
            if (h.event_type === 3 || h.event_type === 4) expect(h.operation_outstanding_balance_amount).toBe(0)
            if (h.event_type === 2 || h.event_type === 9) expect(h.operation_outstanding_balance_amount).toBe(h.foreign_operation_value_amount)
            // The foreign party is reported on the settlement of a wire.
            expect(h.foreign_partie_name !== null).toBe(h.event_type === 4 && e.settlement_method === 'TELETRANSMISSAO')
          }
          // A nullification undoes the cancellation before it; nothing follows a settlement.
          const sequence = events.map((h) => h.event_type).join(',')
          expect(['', '4', '2,4', '3', '3,9,4']).toContain(sequence)
        }
      }
    }
    expect(withHistory).toBeGreaterThan(0)
    expect(without).toBeGreaterThan(0)
    expect([...types].sort()).toEqual([2, 3, 4, 9])
    expect(await sandboxResources(BR).exchangeHistory(ctx(BR), ['FX-unknown'])).toEqual([])
  })

  it("keeps card transactions' bills consistent with the bills resource", async () => {
    const conn = sandboxResources(BR)
    const c = ctx(BR)
    const bills = await conn.bills(c)
    expect(bills.length).toBeGreaterThanOrEqual(12)
    const tx = await collect(conn.transactions(c, YEAR))
    for (const bill of bills) {
      const linked = tx.filter(
        (t) => (t.credit_card_data as { bill_internal_identification?: string } | null)?.bill_internal_identification === bill.internal_identification,
      )
      for (const t of linked) expect((t.credit_card_data as { bill_amount: number }).bill_amount).toBe(bill.total_amount)
      const payments = bill.payments as { amount: number }[]
      if (payments.length) expect(cents(payments[0].amount)).toBe(cents(bill.total_amount))
    }
  })
})

// -------------------------------------------------------------------------------------------------

describe('sandbox data: documents', () => {
  it('produces valid CPFs, CNPJs, CLABEs and RFCs', async () => {
    const br = await everything(BR, ctx(BR))
    const owner = br.owners[0]
    expect(isValidCpf((owner.document_id as { document_number: string }).document_number)).toBe(true)
    const counterparties = br.transactions
      .map((t) => t.counterparty as { type: string; document_number: string | null } | null)
      .filter((x) => x?.document_number)
    expect(counterparties.length).toBeGreaterThan(10)
    for (const cp of counterparties) expect(isValidCpf(cp!.document_number!)).toBe(true)
    for (const inv of br.investments.filter((i) => i.issuer_id_number)) expect(isValidCnpj(inv.issuer_id_number as string)).toBe(true)
    expect(isValidCnpj((owner.financial_profile as { company_id: string }).company_id)).toBe(true)

    const mx = await everything(MX, ctx(MX))
    const clabes = mx.accounts.filter((a) => a.public_identification_name === 'CLABE').map((a) => a.public_identification_value as string)
    expect(clabes.length).toBe(2)
    for (const value of clabes) expect(clabe.validate(value).ok).toBe(true)
    const rfc = mx.owners[0].document_id as { document_type: string; document_number: string }
    expect(rfc.document_type).toBe('RFC')
    expect(validateRfc(rfc.document_number).isValid).toBe(true)
    for (const st of mx.statements.filter((s) => s.CLABE)) expect(clabe.validate(st.CLABE as string).ok).toBe(true)
  })
})

/** Modulo 11 check digit, weights 2..9 from the right, 10 and 11 -> 0 (Bradesco-style account digits). */
function mod11(digits: string): string {
  let sum = 0
  ;[...digits].reverse().forEach((d, i) => {
    sum += Number(d) * (2 + (i % 8))
  })
  const dv = 11 - (sum % 11)
  return dv >= 10 ? '0' : String(dv)
}

describe('sandbox data: public identification of accounts', () => {
  it('names Brazilian deposit accounts AGENCY/ACCOUNT, agency/number-check digit; cards by card numbers; loans by NUMBER', async () => {
    for (const inst of [BR, BR_BUSINESS, OFMOCK]) {
      const all = await everything(inst, ctx(inst))
      const deposits = all.accounts.filter((a) => a.category === 'CHECKING_ACCOUNT' || a.category === 'SAVINGS_ACCOUNT')
      expect(deposits.length, inst.name).toBeGreaterThan(0)
      for (const a of deposits) {
        expect(a.public_identification_name).toBe('AGENCY/ACCOUNT')
        expect(a.public_identification_value).toMatch(/^\d{4}\/\d{8}-\d$/)
        expect(a.check_digit).toBe(mod11(a.number as string))
        expect(a.public_identification_value).toBe(`${a.agency}/${a.number}-${a.check_digit}`)
      }
      // The owner's products name the same accounts.
      const products = (all.owners[0].financial_relation as { products: { agency: string; number: string; check_digit: string }[] }).products
      expect(products.map((p) => `${p.agency}/${p.number}-${p.check_digit}`).sort()).toEqual(deposits.map((a) => a.public_identification_value).sort())
      for (const card of all.accounts.filter((a) => a.category === 'CREDIT_CARD')) {
        const cards = (card.credit_data as { cards: { identification_number: string }[] }).cards
        expect(card.public_identification_name).toBe('CREDIT_CARD_NUMBER')
        expect(card.public_identification_value).toBe(cards.map((c) => c.identification_number).join(','))
      }
      for (const loan of all.accounts.filter((a) => a.category === 'LOAN_ACCOUNT')) {
        expect([loan.public_identification_name, loan.public_identification_value]).toEqual(['NUMBER', loan.number])
      }
      const counterparties = all.transactions.map((t) => t.counterparty as { number: string | null; check_digit: string | null } | null)
      for (const cp of counterparties) if (cp?.number) expect(cp.check_digit).toBe(mod11(cp.number))
    }
  })

  it('names Mexican deposit accounts by the CLABE that embeds their number, Colombian and loan accounts by ACCOUNT_NUMBER', async () => {
    const mx = await sandboxResources(MX).accounts(ctx(MX))
    for (const a of mx.filter((x) => x.category === 'CHECKING_ACCOUNT' || x.category === 'SAVINGS_ACCOUNT')) {
      expect(a.public_identification_name).toBe('CLABE')
      const value = a.public_identification_value as string
      expect(clabe.validate(value).ok).toBe(true)
      // CLABE = bank (3) + plaza (3) + account number (11) + control digit (1).
      expect(value.slice(6, 17)).toBe(a.number)
    }
    for (const accounts of [mx, await sandboxResources(CO).accounts(ctx(CO))]) {
      for (const a of accounts.filter((x) => x.category === 'LOAN_ACCOUNT' || (x.category !== 'CREDIT_CARD' && accounts !== mx))) {
        expect([a.public_identification_name, a.public_identification_value]).toEqual(['ACCOUNT_NUMBER', a.number])
      }
    }
  })
})

// -------------------------------------------------------------------------------------------------

describe('sandbox data: scale persona', () => {
  it('streams scale_1y_2a in batches with exactly five transactions per account and day', async () => {
    const inst = MX
    const c = ctx(inst, 'scale_1y_2a', 'scale', 'scale_1y_2a')
    const conn = sandboxResources(inst)
    const sizes: number[] = []
    const perDay = new Map<string, number>()
    for await (const batch of conn.transactions(c, { dateFrom: '2000-01-01', dateTo: TODAY })) {
      sizes.push(batch.length)
      for (const t of batch)
        perDay.set(`${t.account_internal_identification} ${t.value_date}`, (perDay.get(`${t.account_internal_identification} ${t.value_date}`) ?? 0) + 1)
    }
    // Every day up to the day before yesterday is complete; yesterday's local evening is posted
    // after 00:00 UTC of today (format.ts postingCutoff), today has nothing yet.
    const yesterday = formatDay(parseDay(TODAY) - 1)
    const complete = [...perDay].filter(([key]) => !key.endsWith(yesterday))
    expect(complete).toHaveLength(2 * (parseDay(TODAY) - 1 - addMonths(parseDay(TODAY), -12)))
    for (const [key, n] of complete) expect(n, key).toBe(DENSE_PER_DAY)
    const partial = [...perDay].filter(([key]) => key.endsWith(yesterday)).map(([, n]) => n)
    expect(partial).toHaveLength(2)
    for (const n of partial) expect(n).toBeGreaterThan(0)
    for (const n of partial) expect(n).toBeLessThanOrEqual(DENSE_PER_DAY)
    expect(sizes.slice(0, -1).every((s) => s === 5_000)).toBe(true)
    expect(sizes.at(-1)!).toBeLessThanOrEqual(5_000)
    expect(await conn.accounts(c)).toHaveLength(2)
  })

  // How fast this goes is measured by bench/sandbox.ts, not asserted here: a loaded machine must
  // not fail a functional test.
  it('generates two years of dense history for 20 accounts, and the full persona year for a fresh seed', async () => {
    const c = ctx(BR, 'scale_2y_20a', 'scale', 'scale_2y_20a')
    let count = 0
    for await (const batch of sandboxResources(BR).transactions(c, { dateFrom: '2000-01-01', dateTo: TODAY })) count += batch.length
    // Complete days up to the day before yesterday, part of yesterday (its evening posts tomorrow).
    const completeDays = parseDay(TODAY) - 1 - addMonths(parseDay(TODAY), -24)
    expect(count).toBeGreaterThan(20 * completeDays * DENSE_PER_DAY)
    expect(count).toBeLessThanOrEqual(20 * (completeDays + 1) * DENSE_PER_DAY)

    const year = await collect(sandboxResources(MX).transactions(ctx(MX, 'full', 'fresh-seed'), YEAR))
    expect(year.length).toBeGreaterThan(100)
    for (const t of year) expect(String(t.value_date) >= YEAR.dateFrom && String(t.value_date) < TODAY, String(t.value_date)).toBe(true)
  }, 60_000)
})

// -------------------------------------------------------------------------------------------------
// Every record of every resource, both shapes, against Belvo's published schemas.

const SERVER_OWNED = ['id', 'link', 'created_at', 'collected_at']
const STAMP = '2025-06-18T10:11:12.000Z'
const UUID = '0d3ffb69-f83b-456e-ad8e-208d0998d71d'
const LINK = '30cb4806-6e00-48a4-91c9-ca55968576c8'

function serverFields(record: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: UUID, link: LINK, created_at: STAMP, collected_at: STAMP, ...record, ...extra }
}

function withoutKeys(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)))
}

interface Check {
  spec: SpecName
  schema: string
  records: Record<string, unknown>[]
  raw: InstitutionRecord[]
  except: string[]
}

function checksFor(inst: Inst, all: Everything): Check[] {
  const ofda = inst.shape === 'ofda'
  const accountById = new Map(all.accounts.map((a) => [a.internal_identification, serverFields(a)]))
  const embed = (r: AccountScopedRecord) => accountById.get(r.account_internal_identification)
  // What the server leaves out of each resource's wire bodies: the spec's linking fields.
  const strip = (spec: { linkingFields: readonly string[] }, r: InstitutionRecord) => withoutKeys(r, spec.linkingFields)
  const checks: Check[] = [
    {
      spec: ofda ? 'current' : 'multiregion',
      schema: ofda ? 'AccountOpenFinanceBrazil' : 'Account',
      raw: all.accounts,
      except: SERVER_OWNED,
      records: all.accounts.map((a) => serverFields(a)),
    },
    {
      spec: ofda ? 'current' : 'multiregion',
      schema: ofda ? 'TransactionOpenFinanceBrazil' : 'Transaction',
      raw: all.transactions,
      except: [...SERVER_OWNED, 'account', 'credit_card_data.credit_card_bill.id'],
      records: all.transactions.map((t) => serverFields(strip(TRANSACTIONS, t), { account: embed(t) })),
    },
    ofda
      ? {
          spec: 'current',
          schema: 'BalanceOFDA',
          raw: all.balances,
          except: [...SERVER_OWNED, 'account_id'],
          records: all.balances.map((b) => serverFields(strip(ofda ? BALANCES_BR : BALANCES_LEGACY, b), { account_id: UUID })),
        }
      : {
          spec: 'multiregion',
          schema: 'Balance',
          raw: all.balances,
          except: [...SERVER_OWNED, 'account'],
          records: all.balances.map((b) => serverFields(strip(ofda ? BALANCES_BR : BALANCES_LEGACY, b), { account: embed(b) })),
        },
    {
      spec: 'current',
      schema: 'Bill',
      raw: all.bills,
      except: [...SERVER_OWNED, 'account'],
      records: all.bills.map((b) => serverFields(strip(BILLS, b), { account: embed(b) })),
    },
    {
      spec: 'current',
      schema: 'InvestmentBrazil',
      raw: all.investments,
      except: SERVER_OWNED,
      records: all.investments.map((i) => ({ id: UUID, ...strip(INVESTMENTS_BR, i) })),
    },
    {
      spec: 'current',
      schema: 'InvestmentTransactionBrazil',
      raw: all.investmentTransactions,
      // subtype_additional_info: its spec pattern is wrapped in typographic quotes and matches no text.
      except: [...SERVER_OWNED, 'investment.id', 'subtype_additional_info'],
      records: all.investmentTransactions.map((t) =>
        serverFields(strip(INVESTMENT_TRANSACTIONS_BR, t), { investment: { id: UUID, ...(t.investment as object) } }),
      ),
    },
    { spec: 'current', schema: 'Exchange', raw: all.exchanges, except: SERVER_OWNED, records: all.exchanges.map((e) => serverFields(strip(EXCHANGES_BR, e))) },
    {
      spec: 'current',
      schema: 'ExchangeHistory',
      raw: all.exchangeHistory,
      except: [...SERVER_OWNED, 'exchange_id'],
      records: all.exchangeHistory.map((h) => serverFields(strip(EXCHANGE_HISTORY, h), { exchange_id: UUID })),
    },
    {
      spec: 'multiregion',
      schema: 'InvestmentsPortfolio',
      raw: all.portfolios,
      except: SERVER_OWNED,
      records: all.portfolios.map((p) => ({ id: UUID, ...strip(PORTFOLIOS, p) })),
    },
    {
      spec: 'multiregion',
      schema: 'Transaction',
      raw: all.statements.flatMap((s) => s.transactions as AccountScopedRecord[]),
      except: [...SERVER_OWNED, 'account'],
      records: all.statements.flatMap((s) => (s.transactions as AccountScopedRecord[]).map((t) => serverFields(strip(TRANSACTIONS, t), { account: embed(t) }))),
    },
  ]
  if (ofda) {
    const business = inst.name.includes('_business')
    checks.push({
      spec: 'current',
      schema: business ? 'OwnerBusinessOpenFinanceBrazil' : 'OwnerIndividualOpenFinanceBrazil',
      raw: all.owners,
      except: SERVER_OWNED,
      records: all.owners.map((o) => serverFields(o)),
    })
  } else {
    checks.push({ spec: 'multiregion', schema: 'Owner', raw: all.owners, except: SERVER_OWNED, records: all.owners.map((o) => serverFields(o)) })
    checks.push({ spec: 'current', schema: 'Owner', raw: all.owners, except: SERVER_OWNED, records: all.owners.map((o) => serverFields(o)) })
  }
  return checks
}

/**
 * Fields the spec says Open Finance Brazil leaves empty ("This field is not applicable for OF
 * Brazil and will return null", "... for Business ID documents ...") that carry a value in
 * `value`, as paths. Walks nested objects and arrays of objects like missingFields.
 */
const NOT_APPLICABLE = /not applicable for (OF|OFDA|Open Finance) Brazil|not applicable for Business ID documents/i

function notApplicableButFilled(schema: Record<string, unknown>, value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) {
    const items = schema.items as Record<string, unknown> | undefined
    return items ? value.flatMap((v) => notApplicableButFilled(items, v, path)) : []
  }
  const props = propertiesOf(schema)
  const record = value as Record<string, unknown>
  const out: string[] = []
  for (const [key, sub] of Object.entries(props)) {
    const p = path ? `${path}.${key}` : key
    if (!(key in record)) continue
    if (NOT_APPLICABLE.test(describe_(sub)) && record[key] !== null) out.push(`${p}=${JSON.stringify(record[key])}`)
    else out.push(...notApplicableButFilled(sub, record[key], p))
  }
  return [...new Set(out)]
}

function propertiesOf(schema: Record<string, unknown>): Record<string, Record<string, unknown>> {
  if (schema.properties) return schema.properties as Record<string, Record<string, unknown>>
  const merged: Record<string, Record<string, unknown>> = {}
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (schema[key] as Record<string, unknown>[] | undefined) ?? []) Object.assign(merged, propertiesOf(branch))
  }
  return merged
}

/** A property's description, including those of its anyOf/allOf branches (nullable $refs). */
function describe_(schema: Record<string, unknown>): string {
  const own = typeof schema.description === 'string' ? schema.description : ''
  const branches = ['anyOf', 'oneOf', 'allOf'].flatMap((k) => (schema[k] as Record<string, unknown>[] | undefined) ?? [])
  return [own, ...branches.map(describe_)].join(' ')
}

describe.skipIf(!specsAvailable())('sandbox data: wire schemas', () => {
  const institutions = [MX, CO, BR, MX_BUSINESS, BR_BUSINESS, OFMOCK, GOONIES_MX, GOONIES_CO, PLANET_BR]
  const profiles = ['full', 'low', 'negative', 'scale_1y_2a']
  for (const inst of institutions) {
    it(`validates every record of ${inst.name} (${inst.shape}) against the official schemas`, async () => {
      const seen = new Set<string>()
      for (const profile of profiles) {
        const all = await everything(
          inst,
          ctx(inst, profile, `schema-${profile}`, profile === 'scale_1y_2a' ? profile : 'bnk100'),
          profile === 'scale_1y_2a' ? { dateFrom: '2025-05-01', dateTo: TODAY } : YEAR,
        )
        for (const check of checksFor(inst, all)) {
          if (check.records.length) seen.add(check.schema)
          for (const record of check.records) expect(schemaErrors(check.spec, check.schema, record), `${profile} ${check.schema}`).toEqual([])
          const schema = schemaOf(check.spec, check.schema)
          if (inst.shape === 'ofda') {
            for (const record of check.records)
              expect(notApplicableButFilled(schema, record), `${profile} ${check.schema} not applicable for OF Brazil`).toEqual([])
          }
          const except = new Set(check.except)
          for (const raw of check.raw) {
            const stripped = check.schema === 'Exchange' ? withoutKeys(raw, EXCHANGES_BR.linkingFields) : raw
            expect(missingFields(schema, stripped, except), `${profile} ${check.schema} missing fields`).toEqual([])
          }
        }
      }
      // Every resource produced data for at least one profile.
      const expected =
        inst.shape === 'ofda'
          ? [
              'AccountOpenFinanceBrazil',
              'TransactionOpenFinanceBrazil',
              'BalanceOFDA',
              'Bill',
              'InvestmentBrazil',
              'InvestmentTransactionBrazil',
              'Exchange',
              'ExchangeHistory',
              inst.name.includes('_business') ? 'OwnerBusinessOpenFinanceBrazil' : 'OwnerIndividualOpenFinanceBrazil',
            ]
          : ['Account', 'Transaction', 'Balance', 'Owner', 'InvestmentsPortfolio']
      // A gig platform offers the basic banking resources only (its worker has no card to bill).
      const offered = inst.name.endsWith('_gig') ? expected.filter((name) => !['Bill', 'InvestmentsPortfolio'].includes(name)) : expected
      for (const name of offered) expect(seen, name).toContain(name)
    }, 60_000)
  }
})

// -------------------------------------------------------------------------------------------------
// Coherence across the catalog: every sandbox bank, its personas and several sandbox dates.

const CATALOG_BANKS: Inst[] = CATALOG.filter((i) => i.type === 'bank').map((i) => ({ id: i.id, name: i.name, country: i.country, shape: wireShape(i) }))
const DATES = ['2025-06-18', '2025-07-01', '2026-12-05']

/** Every resource of a link on `today`, recent windows only (what the audit looks at is the end of the data). */
async function snapshot(inst: Inst, c: ConnectorContext): Promise<Everything> {
  const conn = sandboxResources(inst)
  const today = parseDay(c.today)
  const recent: Period = { dateFrom: formatDay(today - 62), dateTo: c.today }
  const accounts = await conn.accounts(c)
  const statements: AccountScopedRecord[] = []
  const { year, month } = civil(today)
  for (const a of accounts) {
    for (const [y, m] of [[year, month], month === 1 ? [year - 1, 12] : [year, month - 1]])
      statements.push(...(await conn.statements(c, a.internal_identification, y, m)))
  }
  const exchanges = await conn.exchanges(c, { dateFrom: '2020-01-01', dateTo: c.today })
  return {
    accounts,
    transactions: await collect(conn.transactions(c, recent)),
    owners: await conn.owners(c),
    balances: await conn.balances(c, inst.shape === 'multiregion' ? recent : undefined),
    bills: await conn.bills(c),
    investments: await conn.investments(c),
    investmentTransactions: await conn.investmentTransactions(c, { dateFrom: '2020-01-01', dateTo: c.today }),
    exchanges,
    statements,
    portfolios: await conn.portfolios(c),
    exchangeHistory: await conn.exchangeHistory(
      c,
      exchanges.map((e) => e.internal_identification),
    ),
  }
}

/** Every number in a JSON value, with its path. */
function numbersIn(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]]
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => numbersIn(v, path ? `${path}.${k}` : k))
}

/** Every string in a JSON value that looks like an ISO date-time, with its path. */
function timestampsIn(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? [[path, value]] : []
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => timestampsIn(v, path ? `${path}.${k}` : k))
}

/** The access stamps the server overwrites with the time of the access (format.ts asOf). */
const ACCESS_STAMPS = /(^|\.)(collected_at|last_accessed_at)$/

describe('sandbox data: coherence across the catalog', () => {
  it('posts movements overnight: no transaction, balance update or event at or after 00:00 UTC of today, and the data reaches yesterday', async () => {
    for (const today of DATES) {
      const cutoff = Date.parse(`${today}T00:00:00.000Z`)
      const yesterday = formatDay(parseDay(today) - 1)
      let reachesYesterday = 0
      for (const inst of CATALOG_BANKS) {
        for (const profile of ['full', 'negative', 'low']) {
          const all = await snapshot(inst, ctx(inst, profile, `cutoff-${profile}`, 'bnk100', today))
          for (const [name, records] of Object.entries(all)) {
            for (const r of records as InstitutionRecord[]) {
              for (const [path, ts] of timestampsIn(r)) {
                if (ACCESS_STAMPS.test(path)) continue
                expect(Date.parse(ts) < cutoff, `${inst.name} ${profile} ${today} ${name} ${r.internal_identification} ${path}=${ts}`).toBe(true)
              }
            }
          }
          for (const t of [...all.transactions, ...all.statements.flatMap((s) => s.transactions as AccountScopedRecord[])]) {
            expect(String(t.value_date) < today, `${inst.name} ${profile} ${today} value_date ${t.value_date}`).toBe(true)
          }
          for (const t of all.investmentTransactions) expect(String(t.value_date) < today, `${inst.name} ${t.value_date}`).toBe(true)
          for (const s of all.statements) expect(String(s.period_end_date) < today).toBe(true)
          if (all.transactions.some((t) => t.value_date === yesterday)) reachesYesterday++
          // A balance was last updated by the account's latest posted movement.
          for (const b of inst.shape === 'ofda' ? all.balances : []) {
            const own = all.transactions.filter((t) => t.account_internal_identification === b.account_internal_identification)
            if (own.length)
              expect(b.last_updated_at, `${inst.name} ${profile} ${today}`).toBe(
                own
                  .map((t) => String(t.transacted_at))
                  .sort()
                  .at(-1),
              )
          }
        }
      }
      expect(reachesYesterday, today).toBeGreaterThan(CATALOG_BANKS.length)
    }
  }, 120_000)

  it('posts a day once it is over: the next sandbox day brings the movements of the day before', async () => {
    for (const inst of [MX, CO, BR, BR_BUSINESS]) {
      const conn = sandboxResources(inst)
      const period: Period = { dateFrom: '2025-06-01', dateTo: '2025-06-20' }
      const before = await collect(conn.transactions(ctx(inst, 'full', 'link-1', 'bnk100', '2025-06-18'), period))
      const after = await collect(conn.transactions(ctx(inst, 'full', 'link-1', 'bnk100', '2025-06-19'), period))
      expect(
        before.filter((t) => t.value_date === '2025-06-18'),
        inst.name,
      ).toEqual([])
      expect(after.filter((t) => t.value_date === '2025-06-18').length, inst.name).toBeGreaterThan(0)
      expect(
        after.filter((t) => t.value_date === '2025-06-19'),
        inst.name,
      ).toEqual([])
    }
  })

  it('gives Brazilian owners a driving licence (CNH) with valid check digits, issued in the past after 18 and valid today', async () => {
    const individuals = CATALOG_BANKS.filter((i) => i.shape === 'ofda' && !i.name.includes('_business'))
    expect(individuals.length).toBeGreaterThan(3)
    const numbers = new Set<string>()
    for (const today of [...DATES, '2031-02-28', '2040-01-15']) {
      for (const inst of individuals) {
        for (const seed of ['cnh-1', 'cnh-2', 'cnh-3', 'cnh-4', 'cnh-5', 'cnh-6']) {
          const [owner] = await sandboxResources(inst).owners(ctx(inst, 'full', seed, 'bnk100', today))
          const docs = owner.additional_documents as { type: string; number: string; check_digit: string; issue_date: string; expiration_date: string }[]
          const cnh = docs.find((d) => d.type === 'DRIVERS_LICENSE')!
          const label = `${inst.name} ${seed} ${today} ${JSON.stringify(cnh)} born ${owner.birth_date}`
          expect(cnh.number, label).toMatch(/^\d{9}$/)
          expect(cnh.check_digit, label).toMatch(/^\d{2}$/)
          expect(isValidCnh(cnh.number + cnh.check_digit), label).toBe(true)
          numbers.add(cnh.number)
          const birth = parseDay(String(owner.birth_date))
          const issue = parseDay(cnh.issue_date)
          const expiry = parseDay(cnh.expiration_date)
          expect(issue < parseDay(today), label).toBe(true)
          expect(issue >= addMonths(birth, 18 * 12), label).toBe(true)
          expect(expiry > parseDay(today), label).toBe(true)
          // CTB art. 147 (Lei 14.071/2020): 10 years under 50, 5 years from 50 to 69, 3 years from 70.
          const age = civil(issue).year - civil(birth).year - (formatDay(issue).slice(5) < formatDay(birth).slice(5) ? 1 : 0)
          expect(expiry, label).toBe(addMonths(issue, 12 * (age < 50 ? 10 : age < 70 ? 5 : 3)))
        }
      }
    }
    expect(numbers.size).toBeGreaterThan(20)
  }, 60_000)

  it('holds only live instruments in Mexican and Colombian portfolios: opened in the past, due after today', async () => {
    const banks = CATALOG_BANKS.filter((i) => i.shape === 'multiregion')
    let termed = 0
    // Every day of two months: a 28-day instrument rolls over in between.
    for (let day = parseDay('2025-08-20'); day <= parseDay('2025-10-20'); day++) {
      const today = formatDay(day)
      for (const inst of banks.filter((_, i) => (day + i) % 3 === 0)) {
        for (const seed of ['pf-1', 'pf-2']) {
          for (const portfolio of await sandboxResources(inst).portfolios(ctx(inst, 'full', seed, 'bnk100', today))) {
            const instruments = portfolio.instruments as { name: string; open_date: string; redemption_conditions: { type: string; value: string }[] | null }[]
            expect(instruments.length, `${inst.name} ${today} ${portfolio.name}`).toBeGreaterThan(0)
            for (const i of instruments) {
              const label = `${inst.name} ${seed} ${today} ${i.name} opened ${i.open_date} ${JSON.stringify(i.redemption_conditions)}`
              expect(i.open_date < today, label).toBe(true)
              for (const rc of i.redemption_conditions ?? []) {
                expect(rc.type).toBe('due_date')
                const due = rc.value.split('-').reverse().join('-')
                expect(due > today, label).toBe(true)
                termed++
              }
            }
          }
        }
      }
    }
    expect(termed).toBeGreaterThan(100)
  }, 60_000)

  it('redeems fixed income only after its grace period, and never more than is held', async () => {
    const banks = CATALOG_BANKS.filter((i) => i.shape === 'ofda')
    let redemptions = 0
    for (const today of [...DATES, '2026-03-20']) {
      for (const inst of banks) {
        for (let s = 0; s < 12; s++) {
          const c = ctx(inst, 'full', `grace-${s}`, 'bnk100', today)
          const tx = await sandboxResources(inst).investmentTransactions(c, { dateFrom: '2015-01-01', dateTo: today })
          const held = new Map<string, number>()
          for (const t of tx) {
            const inv = t.investment as { grace_period_date: string | null; type: string }
            const id = String(t.investment_internal_identification)
            const q = (held.get(id) ?? 0) + (t.subtype === 'DIVIDENDOS' ? 0 : t.type === 'INFLOW' ? (t.quantity as number) : -(t.quantity as number))
            held.set(id, q)
            expect(q, `${inst.name} grace-${s} ${today} ${id} holds ${q} after ${t.value_date}`).toBeGreaterThanOrEqual(0)
            if (t.subtype === 'RESGATE' || t.subtype === 'VENDA') {
              redemptions++
              if (inv.grace_period_date)
                expect(
                  String(t.value_date) > inv.grace_period_date,
                  `${inst.name} grace-${s} ${today} ${inv.type} ${t.value_date} grace ${inv.grace_period_date}`,
                ).toBe(true)
            }
          }
        }
      }
    }
    expect(redemptions).toBeGreaterThan(10)
  }, 60_000)

  it('rounds every generated number to its decimals: no floating-point noise in any record of any resource', async () => {
    for (const inst of CATALOG_BANKS) {
      for (const profile of ['full', 'negative', 'low']) {
        const all = await snapshot(inst, ctx(inst, profile, `noise-${profile}`, 'bnk100', '2026-12-05'))
        for (const [name, records] of Object.entries(all)) {
          for (const r of records as InstitutionRecord[]) {
            for (const [path, n] of numbersIn(r)) expect(Number(n.toFixed(8)), `${inst.name} ${profile} ${name} ${path}=${n}`).toBe(n)
          }
        }
      }
    }
  }, 60_000)

  it('names companies without stray punctuation (trade and registered names)', async () => {
    const businesses = CATALOG_BANKS.filter((i) => i.name.includes('_business'))
    const clean = /^[\p{L}\p{N}](.*[\p{L}\p{N}.])?$/u
    for (const inst of businesses) {
      for (let s = 0; s < 40; s++) {
        const [owner] = await sandboxResources(inst).owners(ctx(inst, 'full', `company-${s}`))
        for (const field of ['company_name', 'trade_name', 'business_name', 'display_name']) {
          if (typeof owner[field] !== 'string') continue
          expect(owner[field], `${inst.name} company-${s} ${field}`).toMatch(clean)
          expect(owner[field], `${inst.name} company-${s} ${field}`).not.toMatch(/[,;:&-]$|\s{2}/)
        }
        if (inst.shape === 'ofda')
          expect(
            String(owner.company_name).startsWith(
              String(owner.trade_name)
                .toUpperCase()
                .normalize('NFD')
                .replace(/[\u0300-\u036f]/g, ''),
            ),
          ).toBe(true)
      }
    }
  })
})

// -------------------------------------------------------------------------------------------------
// Stability across sandbox dates: a day already posted reads the same when the clock advances.

/**
 * What legitimately evolves once posted, removed before comparing: `credit_card_data.collected_at`
 * (when the data was read); the status and accounting date of a movement that was still PENDING
 * (it gets accounted); the bill fields of a card movement whose bill was still open (it closes,
 * OFDA then names it) and the status of a closed bill not yet PAID (it gets paid); and an
 * investment transaction's `investment.balance` (the position valued at the previous close).
 * Everything else, internal ids included, must be identical.
 */
function settled(record: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record }
  if (before.status === 'PENDING') {
    delete out.status
    delete out.accounting_date
  }
  const card = out.credit_card_data as Record<string, unknown> | null | undefined
  if (card) {
    const copy: Record<string, unknown> = { ...card }
    delete copy.collected_at
    const beforeCard = before.credit_card_data as Record<string, unknown>
    const open = beforeCard.bill_status === 'OPEN' || ('credit_card_bill' in beforeCard && beforeCard.credit_card_bill === null)
    if (open) {
      for (const key of Object.keys(copy)) if (key.startsWith('bill_') || key === 'previous_bill_total' || key === 'credit_card_bill') delete copy[key]
    } else if (beforeCard.bill_status !== 'PAID') {
      delete copy.bill_status
    }
    out.credit_card_data = copy
  }
  if (out.investment && typeof out.investment === 'object') {
    const investment: Record<string, unknown> = { ...(out.investment as Record<string, unknown>) }
    delete investment.balance
    out.investment = investment
  }
  return out
}

describe('sandbox data: stability across sandbox dates', () => {
  const institutions = [MX, CO, BR, MX_BUSINESS, BR_BUSINESS]
  async function window(inst: Inst, profile: string, seed: string, today: string, period: Period) {
    const conn = sandboxResources(inst)
    const c = ctx(inst, profile, seed, 'bnk100', today)
    const byId = <T extends { internal_identification?: unknown }>(records: T[]) =>
      new Map(records.map((r) => [String(r.internal_identification), r as unknown as Record<string, unknown>]))
    return {
      transactions: byId(await collect(conn.transactions(c, period))),
      investmentTransactions: byId(await conn.investmentTransactions(c, period)),
      exchanges: byId(await conn.exchanges(c, period)),
      // Multiregion balances are daily (past days only); OFDA's are "as of today" and not compared.
      balances: byId(inst.shape === 'multiregion' ? await conn.balances(c, period) : []),
    }
  }

  for (const base of ['2025-06-18', '2026-12-05']) {
    it(`reports the same past records (ids and values) on ${base} and 1, 7, 30 and 40 days later`, async () => {
      const T = parseDay(base)
      for (const inst of institutions) {
        for (const profile of ['full', 'negative', 'low']) {
          // "low" keeps three months of history: its window starts inside what T+40 still returns.
          const period: Period = { dateFrom: formatDay(profile === 'low' ? T - 45 : T - 400), dateTo: formatDay(T - 2) }
          const seed = `stable-${profile}`
          const first = await window(inst, profile, seed, base, period)
          expect(first.transactions.size, `${inst.name} ${profile}`).toBeGreaterThan(10)
          if (inst.shape === 'ofda' && profile === 'full') {
            expect(first.investmentTransactions.size, inst.name).toBeGreaterThan(0)
            expect(first.exchanges.size, inst.name).toBeGreaterThan(0)
          }
          if (inst.shape === 'multiregion') expect(first.balances.size, inst.name).toBeGreaterThan(30)
          for (const later of [1, 7, 30, 40]) {
            const next = await window(inst, profile, seed, formatDay(T + later), period)
            for (const resource of ['transactions', 'investmentTransactions', 'exchanges', 'balances'] as const) {
              const label = `${inst.name} ${profile} ${resource} ${base}+${later}`
              expect([...next[resource].keys()].sort(), label).toEqual([...first[resource].keys()].sort())
              for (const [id, record] of first[resource]) {
                expect(settled(next[resource].get(id)!, record), `${label} ${id}`).toEqual(settled(record, record))
              }
            }
          }
        }
      }
    }, 120_000)
  }
})

// -------------------------------------------------------------------------------------------------
// Years after REFERENCE_DAY: fixed terms mature and are renewed, loans end.

describe('sandbox data: years after the reference day', () => {
  const FUTURE = ['2027-06-15', '2028-03-01', '2030-01-10']
  it('lists only live investments, pays fixed terms out at maturity into a renewal, and ends loans without debt', async () => {
    let payouts = 0
    let endedLoans = 0
    for (const today of FUTURE) {
      for (const inst of [BR, BR_BUSINESS, IRONBANK, MX, MX_BUSINESS, HEIMDALL]) {
        for (const profile of ['full', 'negative']) {
          for (let s = 0; s < 4; s++) {
            const c = ctx(inst, profile, `future-${s}`, 'bnk100', today)
            const conn = sandboxResources(inst)
            const investments = await conn.investments(c)
            const tx = await conn.investmentTransactions(c, { dateFrom: '2015-01-01', dateTo: today })
            for (const inv of investments) {
              const label = `${inst.name} future-${s} ${today} ${inv.product_name} due ${inv.due_date}`
              if (inv.due_date !== null) {
                expect(String(inv.due_date) > today, label).toBe(true)
                expect(String(inv.purchase_date) < today, label).toBe(true)
                expect(
                  tx.some((t) => t.investment_internal_identification === inv.internal_identification),
                  label,
                ).toBe(true)
              }
            }
            // A payout and its renewal, once posted, read the same two months later.
            const later = await conn.investmentTransactions(ctx(inst, profile, `future-${s}`, 'bnk100', formatDay(parseDay(today) + 60)), {
              dateFrom: '2015-01-01',
              dateTo: formatDay(parseDay(today) - 1),
            })
            expect(
              later.map((t) => t.internal_identification),
              `${inst.name} ${today}`,
            ).toEqual(tx.map((t) => t.internal_identification))
            later.forEach((t, i) => expect(settled(t, tx[i]), `${inst.name} ${today} ${t.internal_identification}`).toEqual(settled(tx[i], tx[i])))
            const held = new Map<string, number>()
            for (const t of tx) {
              const inv = t.investment as { grace_period_date: string | null; due_date: string | null; type: string }
              const id = String(t.investment_internal_identification)
              const q = (held.get(id) ?? 0) + (t.subtype === 'DIVIDENDOS' ? 0 : t.type === 'INFLOW' ? (t.quantity as number) : -(t.quantity as number))
              held.set(id, q)
              const label = `${inst.name} future-${s} ${today} ${id} ${t.subtype} ${t.value_date} holds ${q}`
              expect(q, label).toBeGreaterThan(-1e-6)
              expect(String(t.value_date) < today, label).toBe(true)
              if (['RESGATE', 'VENDA', 'VENCIMENTO'].includes(String(t.subtype)) && inv.grace_period_date) {
                expect(String(t.value_date) > inv.grace_period_date, label).toBe(true)
              }
              if (inv.due_date !== null && t.subtype !== 'VENCIMENTO') expect(String(t.value_date) < inv.due_date, label).toBe(true)
              if (t.subtype === 'VENCIMENTO') {
                payouts++
                // The whole position, on (or the business day after) the due date, reinvested that day.
                expect(Math.abs(q), label).toBeLessThan(1e-6)
                expect(String(t.value_date) >= String(inv.due_date), label).toBe(true)
                expect(parseDay(String(t.value_date)) - parseDay(String(inv.due_date)), label).toBeLessThan(5)
                const renewal = tx.filter(
                  (r) =>
                    r.value_date === t.value_date &&
                    r.type === 'INFLOW' &&
                    r.investment_internal_identification !== id &&
                    (r.investment as { type: string }).type === inv.type,
                )
                expect(
                  renewal.map((r) => r.gross_value),
                  label,
                ).toEqual([t.net_value])
              }
            }
            for (const a of await conn.accounts(c)) {
              const loan = a.loan_data as Record<string, unknown> | null
              if (!loan) continue
              const label = `${inst.name} ${profile} future-${s} ${today} ${JSON.stringify(loan)}`
              if (String(loan.contract_end_date) < today) {
                endedLoans++
                expect(loan.outstanding_balance, label).toBe(0)
                expect(loan.number_of_installments_outstanding, label).toBe(0)
              }
              if (loan.next_payment_date) expect(String(loan.next_payment_date) >= today, label).toBe(true)
              if (Number(loan.outstanding_balance) > 0) expect(String(loan.contract_end_date) >= today, label).toBe(true)
            }
          }
        }
      }
    }
    expect(payouts).toBeGreaterThan(10)
    expect(endedLoans).toBeGreaterThan(10)
  }, 120_000)
})
