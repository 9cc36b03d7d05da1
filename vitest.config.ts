import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own database (in-memory PGlite, or a fresh PostgreSQL database).
    pool: 'forks',
    // Two files at a time on this 2-core machine (vitest's default is one less than the cores):
    // most files spend much of their time waiting (for a worker, a process, a browser, a socket),
    // so a second file fills the idle core. PONTE_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.PONTE_TEST_WORKERS) || 2,
    globalSetup: ['test/build-once.ts'],
    // For in-process tests. A test that starts processes or servers sets its own, larger timeout
    // (test/helpers/processes.ts): the suite must pass on a 2-core machine busy with other work.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
