import { parseCommand, runCommand, type CommandContext } from '../../src/commands.ts'

/** The CLI's database commands run in-process on a real database, as the CLI and the server's control route run them. */
export function commandRunner(ctx: CommandContext) {
  return async (...args: string[]) => {
    const stdout: string[] = []
    const stderr: string[] = []
    const code = await runCommand(ctx, parseCommand(args), { out: (t) => stdout.push(`${t}\n`), err: (t) => stderr.push(`${t}\n`) })
    return { code, stdout: stdout.join(''), stderr: stderr.join('') }
  }
}
