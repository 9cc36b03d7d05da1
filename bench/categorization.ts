import { fmt, report, startPonte } from './lib.ts'

/**
 * `POST /api/categorization/` with 20,000 transactions over 12 months (issue 14's target: under
 * 200 ms on this machine), measured end to end over HTTP on a running Ponte: body parsing and
 * validation, categorization, the JSON answer. Three warm-up requests, then ROUNDS timed ones,
 * one at a time. Descriptions are varied the way bank statements are: a few hundred
 * counterparts, each printed with its own references, dates and store numbers.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10)
const COUNT = 20_000

const COUNTERPARTS = [
  'OXXO SUC',
  'WAL-MART SUPERCENTER',
  'PAYPAL *NETFLIX.COM',
  'UBER *TRIP',
  'SPEI ENVIADO',
  'SPEI RECIBIDO NOMINA',
  'CFE SUMINISTRADOR',
  'TELCEL PLAN',
  'FARMACIAS GUADALAJARA',
  'PAGO TDC',
  'RETIRO CAJERO',
  'COMISION ANUALIDAD',
  'PIX ENVIADO',
  'PIX RECEBIDO',
  'DROGASIL',
  'PAG*IFOOD',
  'SABESP CONTA',
  'TARIFA PACOTE SERVICOS',
  'PAGO PSE EPM',
  'EDS TERPEL',
  'RAPPI*RESTAURANTES',
  'TAQUERIA EL GUERO',
  'PADARIA PAO QUENTE',
  'LOJA XYZ COMERCIO',
]

function body() {
  let seed = 42
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
  const transactions = Array.from({ length: COUNT }, (_, i) => {
    const counterpart = COUNTERPARTS[next() % COUNTERPARTS.length]
    const inflow = /RECIBIDO|RECEBIDO/.test(counterpart)
    const month = String((i % 12) + 1).padStart(2, '0')
    const day = String((next() % 28) + 1).padStart(2, '0')
    return {
      transaction_id: `tx-${i}`,
      account_holder_type: 'INDIVIDUAL',
      account_holder_id: 'holder-1',
      account_id: `acc-${i % 3}`,
      account_category: 'CHECKING_ACCOUNT',
      value_date: `2025-${month}-${day}`,
      description: `${counterpart} ${next() % 9999} REF ${next()}`,
      type: inflow ? 'INFLOW' : 'OUTFLOW',
      amount: ((next() % 500_000) + 100) / 100,
      currency: 'MXN',
      institution: 'BBVA',
    }
  })
  return JSON.stringify({ language: 'es', transactions })
}

const payload = body()
const ponte = await startPonte()
try {
  const post = async () => {
    const started = performance.now()
    const res = await fetch(`${ponte.url}/api/categorization/`, {
      method: 'POST',
      headers: { authorization: ponte.auth, 'content-type': 'application/json' },
      body: payload,
    })
    const answer = (await res.json()) as { transactions?: unknown[] }
    const ms = performance.now() - started
    if (res.status !== 200 || answer.transactions?.length !== COUNT) throw new Error(`categorization answered ${res.status}`)
    return ms
  }
  for (let i = 0; i < 3; i++) await post()
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) times.push(await post())
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  report(`POST /api/categorization/ with ${fmt(COUNT)} transactions (${fmt(payload.length / 1024 / 1024, 1)} MiB body), ${ROUNDS} rounds`, [
    { case: 'fastest', ms: fmt(times[0], 1) },
    { case: 'median', ms: fmt(median, 1) },
    { case: 'slowest', ms: fmt(times[times.length - 1], 1) },
  ])
  console.log(`median ${fmt(median, 1)} ms (target < 200 ms) ${median < 200 ? 'OK' : 'ABOVE TARGET'}`)
} finally {
  await ponte.stop()
}
