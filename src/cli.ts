import { resolve } from 'node:path'
import { parseCommand, runCommand, UsageError, USAGE, DATABASE_COMMANDS, type Command, type CommandContext, type Output } from './commands.ts'
import { loadConfig, webhookSettings, type Config } from './config.ts'
import { askServer, readControl } from './control.ts'
import type { JobQueue } from './jobs/queue.ts'
import { StartupRefusal } from './lib/errors.ts'
import { DataDirInUseError, dataDirHolder } from './store/data-dir-lock.ts'
import type { Db } from './store/db.ts'

// Everything heavy (the database engine, the HTTP application, pg-boss) is imported by the
// command that needs it: a CLI command starts in a fraction of the time `ponte serve` takes.
const loadMain = () => import('./main.ts')

const console_: Output = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  // `ponte seed`'s progress bar, redrawn in place on a terminal.
  ...(process.stderr.isTTY ? { status: (line: string) => process.stderr.write(`\r\x1b[K${line}`) } : {}),
}

export async function main(argv: string[]): Promise<void> {
  try {
    process.exitCode = await run(argv)
  } catch (error) {
    // An operator's situation, not a bug: one line, no stack trace.
    if (!(error instanceof DataDirInUseError || error instanceof StartupRefusal || error instanceof UsageError)) throw error
    console.error(error.message)
    process.exitCode = error instanceof UsageError ? 2 : 1
  }
}

async function run(argv: string[]): Promise<number> {
  const command = parseCommand(argv)
  if (command.values.help || command.name === 'help') {
    console.log(USAGE)
    return 0
  }
  const config = loadConfig()

  if (command.name === 'serve') {
    await (await loadMain()).serve(config)
    return 0
  }
  if (command.name === 'worker') {
    await (await loadMain()).work(config)
    return 0
  }
  if (!DATABASE_COMMANDS.includes(command.name)) {
    console.error(USAGE)
    return 2
  }
  // A snapshot's FILE is the caller's: a server running the command resolves it from elsewhere.
  if (command.name === 'snapshot' && command.arg) argv = argv.map((a) => (a === command.arg ? resolve(a) : a))
  if (!config.DATABASE_URL) {
    const remote = await runOnServer(config, argv)
    if (remote !== undefined) return remote
  }
  return runLocally(config, command)
}

/**
 * While a server holds the embedded data directory, it runs the command on its database (the
 * directory is its alone). Undefined when no live process holds it: the command runs here.
 */
async function runOnServer(config: Config, argv: string[]): Promise<number | undefined> {
  const dbDir = resolve(config.PONTE_DATA_DIR, 'db')
  const holder = dataDirHolder(dbDir)
  if (holder === undefined) return undefined
  const control = readControl(config.PONTE_DATA_DIR)
  // A `ponte worker`, another CLI command or a server still starting or stopping: no one to ask.
  if (control?.pid !== holder) throw new DataDirInUseError(dbDir, holder)
  let result
  try {
    result = await askServer(control, argv)
  } catch (error) {
    console.error(`The Ponte server (process ${holder}) holding ${config.PONTE_DATA_DIR} could not run the command: ${(error as Error).message}`)
    return 1
  }
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  return result.exit_code
}

async function runLocally(config: Config, command: Command): Promise<number> {
  const { openCipher, openJobQueue, openStore } = await loadMain()
  let db: Db | undefined
  let queue: JobQueue | undefined
  const ctx: CommandContext = {
    // A snapshot's links and seeded links need the institution catalog (a fresh database has none).
    db: async () => (db ??= await openStore(config, { catalog: command.name === 'snapshot' || command.name === 'seed' })),
    cipher: async () => openCipher(await ctx.db(), config),
    queue: async () => (queue ??= await openJobQueue(await ctx.db(), config)),
    webhooks: webhookSettings(config),
  }
  try {
    return await runCommand(ctx, command, console_)
  } finally {
    await queue?.stop()
    await db?.close()
  }
}
