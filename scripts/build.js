// Compiles src/ to dist/ once, so `npx ponte` and `npm start` run plain JavaScript instead of
// transpiling every module at every start through tsx's loader (issue 11: that alone cost seconds
// per CLI command). `npm ci` runs it (the `prepare` script); bin/ponte.js falls back to tsx when
// dist/ is missing or older than src/. Each file is compiled on its own (same layout as src/,
// relative `.ts` imports rewritten to `.js`, packages left to node_modules), and the files that are
// not TypeScript (the SQL migrations) are copied beside them, so paths relative to import.meta.url
// stay true. The connect widget (widget/, a browser app) is built beside them into dist/widget/
// (scripts/build-widget.js), or carried over from the previous dist/ when its sources have not
// changed since: the test suite runs this script before every run.
import { build } from 'esbuild'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWidget, widgetSourcesChangedAt } from './build-widget.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')
const dist = join(root, 'dist')

// Taken before reading the sources: a file saved during the build is newer than the build.
const startedAt = Date.now()
const files = readdirSync(src, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
const sources = files.filter((entry) => entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name))
const assets = files.filter((entry) => !entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name))

// Built aside and moved into place, so a process starting meanwhile never sees half a dist/.
const draft = `${dist}.${process.pid}.new`
rmSync(draft, { recursive: true, force: true })
try {
  await build({
    entryPoints: sources,
    outdir: draft,
    outbase: src,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [
      {
        name: 'relative-imports-stay-modules',
        setup(pluginBuild) {
          // Bundling is only the way to rewrite import paths: every relative import stays an import
          // of the sibling compiled file.
          pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) => ({ path: args.path.replace(/\.ts$/, '.js'), external: true }))
        },
      },
    ],
  })
  for (const asset of assets) {
    const target = join(draft, relative(src, asset))
    mkdirSync(dirname(target), { recursive: true })
    cpSync(asset, target)
  }
  await placeWidget(join(draft, 'widget'))
  writeFileSync(join(draft, 'build.json'), `${JSON.stringify({ startedAt })}\n`)
} catch (error) {
  // A failed build leaves no half-written draft behind (the next build starts clean; git sees no stray directory).
  rmSync(draft, { recursive: true, force: true })
  throw error
}
const old = `${dist}.${process.pid}.old`
try {
  renameSync(dist, old)
} catch (error) {
  if (error.code !== 'ENOENT') throw error
}
try {
  renameSync(draft, dist)
} catch (error) {
  // Another build (two test runs at once) put its dist/ in place first: it is as current as ours.
  if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
  rmSync(draft, { recursive: true, force: true })
}
rmSync(old, { recursive: true, force: true })

/** dist/widget/: the previous build when it is newer than every widget source, else a new one. */
async function placeWidget(target) {
  const previous = join(dist, 'widget')
  try {
    const { startedAt: builtAt } = JSON.parse(readFileSync(join(previous, 'build.json'), 'utf8'))
    if (builtAt > widgetSourcesChangedAt() && existsSync(join(previous, 'index.html'))) {
      cpSync(previous, target, { recursive: true })
      return
    }
  } catch (error) {
    if (error.code !== 'ENOENT') throw error
  }
  const widgetStartedAt = Date.now()
  await buildWidget(target)
  writeFileSync(join(target, 'build.json'), `${JSON.stringify({ startedAt: widgetStartedAt })}\n`)
}
