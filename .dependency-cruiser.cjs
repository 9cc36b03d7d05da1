/**
 * The import rules of src/ (DESIGN.md, "Architecture"), checked by `npm run lint`:
 *
 *   http -> domain -> store | connectors | jobs -> lib      (jobs may also import store)
 *
 * A layer imports its own files, the layers below it and lib; nothing imports http except the
 * composition roots, which wire everything together and may import anything. No import circle,
 * counting type-only imports (tsPreCompilationDeps): a circle of types is still a circle of
 * meaning, and the next change turns it into a runtime one.
 */
const ROOTS = '^src/(app|main|cli|commands|control|config|worker)[.]ts$'

/** A rule that lets files under `layer` import only `allowed` (other layers) within src/. */
const layer = (name, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: `^src/(${[name, ...allowed].join('|')})/` },
})

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Part of an import circle (type-only imports included). Move what both sides need into a leaf module, or lower.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'nothing-imports-http',
      comment: 'Only the composition roots (src/app.ts, main.ts, ...) may import http/.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/http/', ROOTS] },
      to: { path: '^src/http/' },
    },
    layer('http', ['domain', 'lib'], 'http reaches the domain and lib only: store, jobs and connectors are behind the domain.'),
    layer('domain', ['store', 'connectors', 'jobs', 'lib'], 'domain sits on store, connectors, jobs and lib.'),
    layer('jobs', ['store', 'lib'], 'jobs import store and lib only (the domain hands them what they run).'),
    layer('store', ['lib'], 'store imports lib only: callers pass in what it stores.'),
    layer('connectors', ['lib'], 'connectors import lib only.'),
    layer('lib', [], 'lib is the bottom layer: it imports nothing of src/.'),
    {
      name: 'only-roots-at-top',
      comment: 'A file directly in src/ is a composition root (listed in .dependency-cruiser.cjs); anything else belongs in a layer.',
      severity: 'error',
      from: { path: '^src/[^/]+$', pathNot: ROOTS },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Node's own `node:*` modules and packages: resolved, never followed.
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
