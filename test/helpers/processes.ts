/**
 * How long tests wait for processes they start (`node bin/ponte.js ...`, tsx scripts). Such a
 * process transpiles Ponte's TypeScript and opens its database before it does anything: a few
 * seconds on an idle 2-core machine, but a first `ponte serve` on a fresh PGlite directory took
 * over 60 s while other test suites shared the machine (issue 11), and a first in-process
 * `startServer` on a fresh directory (migrations, catalog) over 30 s. The suite's default test
 * timeout (vitest.config.ts, 30 s) is for tests on a harness made in `beforeAll`; a test that
 * starts processes or servers takes its timeout from these instead, so a loaded machine slows it
 * down without failing it.
 */

/** Upper bound for one process or server to start and answer (a CLI command, a server until it listens). */
export const PROCESS_MS = 150_000

/**
 * The timeout of a test that starts `processes` processes or servers one after another, plus a minute of
 * in-process work: a minute per process on average (twice what they took on a loaded machine),
 * any one of them up to PROCESS_MS.
 */
export function processTestTimeout(processes: number): number {
  return 60_000 + Math.max(PROCESS_MS, processes * 60_000)
}
