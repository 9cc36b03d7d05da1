import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own database (in-memory PGlite, or a fresh PostgreSQL database).
    pool: 'forks',
    globalSetup: ['test/build-once.ts'],
    // For in-process tests. A test that starts processes or servers sets its own, larger timeout
    // (test/helpers/processes.ts): the suite must pass on a 2-core machine busy with other work.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
