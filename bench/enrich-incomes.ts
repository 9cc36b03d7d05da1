import { fmt, report, startPonte } from './lib.ts'

/**
 * `POST /api/enrich/incomes/` with 20,000 transactions over 12 months (issue 14's target: under
 * 200 ms on this machine): one account holder, three accounts, a monthly salary, a fortnightly
 * pay, a pension and rent among thousands of transfers from hundreds of people. Prints the median
 * and best of `BENCH_ROUNDS` sequential requests (default 15, after 3 warm-up ones), as the client
 * sees them (validation, the method and the JSON both ways included).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const HOLDER = 'a61bc801-9fa5-457b-88ad-850c96eaca30'
const TODAY = new Date().toISOString().slice(0, 10)

function body(): unknown {
  const end = Date.parse(`${TODAY}T00:00:00Z`)
  const day = (back: number) => new Date(end - back * 86_400_000).toISOString().slice(0, 10)
  const transactions: Record<string, unknown>[] = []
  const add = (date: string, amount: number, description: string, account = 'ACC-1') =>
    transactions.push({
      transaction_id: `T${transactions.length}`,
      account_holder_type: 'INDIVIDUAL',
      account_holder_id: HOLDER,
      account_id: account,
      account_category: 'CHECKING_ACCOUNT',
      value_date: date,
      description,
      type: 'INFLOW',
      amount,
      currency: 'BRL',
      institution: 'Banco Bench',
    })
  for (let m = 0; m < 12; m++) {
    add(day(m * 30 + 5), 8_500, 'SALARIO EMPRESA BENCH LTDA')
    add(day(m * 30 + 2), 2_824, 'CREDITO INSS APOSENTADORIA', 'ACC-2')
    add(day(m * 30 + 10), 1_900, 'PIX RECEBIDO ALUGUEL APTO', 'ACC-3')
    add(day(m * 30 + 15), 3_100, 'QUINCENA OUTRA EMPRESA')
    add(day(m * 30), 3_100, 'QUINCENA OUTRA EMPRESA')
  }
  // Deterministic noise: transfers from 400 people, any day, any amount.
  for (let i = 0; transactions.length < 20_000; i++)
    add(day((i * 7919) % 360), 20 + ((i * 104_729) % 5_000) / 10, `PIX RECEBIDO PESSOA ${i % 400}`, `ACC-${(i % 3) + 1}`)
  return { language: 'pt', transactions }
}

const ponte = await startPonte({ PONTE_REQUEST_TIMEOUT_MS: '60000' })
try {
  const payload = JSON.stringify(body())
  const post = async () => {
    const started = performance.now()
    const res = await fetch(`${ponte.url}/api/enrich/incomes/`, {
      method: 'POST',
      headers: { authorization: ponte.auth, 'content-type': 'application/json' },
      body: payload,
    })
    const answer = (await res.json()) as { income_streams: unknown[] }[]
    if (res.status !== 200) throw new Error(`POST /api/enrich/incomes/ answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`)
    return { ms: performance.now() - started, streams: answer[0].income_streams.length }
  }
  for (let i = 0; i < 3; i++) await post()
  const runs = []
  for (let i = 0; i < ROUNDS; i++) runs.push(await post())
  const times = runs.map((r) => r.ms).sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  report('POST /api/enrich/incomes/, 20,000 transactions (12 months), sequential', [
    {
      case: `${fmt(payload.length / 1024 / 1024, 1)} MB body, ${runs[0].streams} streams`,
      'median ms': fmt(median, 1),
      'best ms': fmt(times[0], 1),
      'worst ms': fmt(times[times.length - 1], 1),
    },
  ])
  console.log(`median ${fmt(median, 1)} ms (target < 200 ms) ${median < 200 ? 'OK' : 'ABOVE TARGET'}`)
} finally {
  await ponte.stop()
}
