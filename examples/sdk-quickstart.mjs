// The official Belvo Node SDK against Ponte (npm install belvo), as an ES module:
//   ID=... PASSWORD=... node sdk-quickstart.mjs
import belvo from 'belvo'

// belvo is CommonJS and exports its client as `default`: from an ES module that is belvo.default.
const Client = belvo.default
const client = new Client(process.env.ID, process.env.PASSWORD, process.env.URL ?? 'http://127.0.0.1:8000')
await client.connect()

const mexicanBanks = await client.institutions.list({ filters: { country_code: 'MX', type: 'bank' } })
console.log(`${mexicanBanks.length} Mexican banks:`, mexicanBanks.map((i) => i.name).join(', '))
const erebor = await client.institutions.detail(1004)
console.log(`institution 1004: ${erebor.display_name} (${erebor.name})`)

const link = await client.links.register('erebor_mx_retail', 'bnk100', 'full')
const accounts = await client.accounts.retrieve(link.id)
console.log(`link ${link.id}: ${accounts.length} accounts`)
for (const account of accounts) console.log(`  ${account.category} ${account.name}: ${account.balance.current} ${account.currency}`)
