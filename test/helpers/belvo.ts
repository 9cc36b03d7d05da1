import * as belvo from 'belvo'

/**
 * The official SDK is CommonJS with `exports.default = Client`; depending on the loader the class
 * arrives as the default import or as its `default` property.
 */
type ClientClass = new (id: string, password: string, url: string) => BelvoClient
const mod = belvo as unknown as { default: ClientClass | { default: ClientClass } }
export const Client: ClientClass = typeof mod.default === 'function' ? mod.default : mod.default.default

// The SDK ships no types; these cover what the tests call.
type AnyFn = (...args: any[]) => Promise<any>
interface Resource {
  list: AnyFn
  detail: AnyFn
  delete: AnyFn
  resume: AnyFn
  retrieve: AnyFn
  [method: string]: AnyFn
}
export interface BelvoClient {
  connect(): Promise<void>
  institutions: Resource
  links: Resource
  accounts: Resource
  transactions: Resource
  balances: Resource
  owners: Resource
  statements: Resource
  investmentsPortfolios: Resource
  widgetToken: Resource
  [resource: string]: unknown
}

/** The official SDK's client, logged in to the harness's server (which starts listening if it was not). */
export async function connectedClient(h: { key: { id: string; password: string }; listen(): Promise<string> }): Promise<BelvoClient> {
  const client = new Client(h.key.id, h.key.password, await h.listen())
  await client.connect()
  return client
}
