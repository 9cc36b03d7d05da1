import { parseArgs } from 'node:util'
import { loadConfig } from './config.ts'
import { createSecretKey, listSecretKeys, revokeSecretKey } from './domain/keys.ts'
import { openStore, serve } from './main.ts'

const USAGE = `Usage: ponte <command>

Commands:
  serve                      Start the API server (default)
  migrate                    Apply database migrations and exit
  keys create [--json] [--organization NAME]
                             Create a secret key (in a new organization NAME when given)
  keys list [--json]         List secret keys (ids only; passwords are never stored)
  keys revoke ID             Revoke a secret key

Configuration comes from environment variables; see README.md.`

export async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { json: { type: 'boolean', default: false }, organization: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const [command = 'serve', sub, arg] = positionals
  if (values.help || command === 'help') return void console.log(USAGE)
  const config = loadConfig()

  if (command === 'serve') return serve(config)

  const db = await openStore(config)
  try {
    if (command === 'migrate') {
      console.log('Database is up to date.')
    } else if (command === 'keys' && sub === 'create') {
      const key = await createSecretKey(db, { newOrganization: values.organization })
      if (values.json) console.log(JSON.stringify({ id: key.id, password: key.password, organization_id: key.organizationId }))
      else console.log(`secret key id:       ${key.id}\nsecret key password: ${key.password}\norganization:        ${key.organizationId}`)
    } else if (command === 'keys' && sub === 'list') {
      const keys = (await listSecretKeys(db)).map((k) => ({ id: k.id, organization_id: k.organization_id, name: k.name, created_at: k.created_at, revoked_at: k.revoked_at }))
      if (values.json) console.log(JSON.stringify(keys))
      else for (const k of keys) console.log(`${k.id}  org ${k.organization_id}  created ${k.created_at}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`)
    } else if (command === 'keys' && sub === 'revoke' && arg) {
      if (!(await revokeSecretKey(db, arg))) {
        console.error(`No active secret key with id ${arg}.`)
        process.exitCode = 1
      } else console.log(`Revoked ${arg}.`)
    } else {
      console.error(USAGE)
      process.exitCode = 2
    }
  } finally {
    await db.close()
  }
}
