// Builds the connect widget (widget/, a Preact app) into dist/widget/: the single-page app with Vite
// (hashed files under assets/), and the embedded SDK script (widget/sdk/, one small file with the
// stable name Belvo's integrators load) with esbuild. scripts/build.js calls it, so `npm ci` (the
// `prepare` script) leaves a server that serves the widget with no extra step. Prints the
// compressed size of the JavaScript: the widget promises under 100 KB (test/http/widget.test.ts).
import { build as esbuild } from 'esbuild'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const WIDGET_SOURCES = join(root, 'widget')

/** The newest modification time among the widget's sources and this script (folders included). */
export function widgetSourcesChangedAt() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs
  newest = Math.max(newest, statSync(WIDGET_SOURCES).mtimeMs)
  for (const entry of readdirSync(WIDGET_SOURCES, { recursive: true, withFileTypes: true })) {
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** Builds the widget into `outDir` (emptied first) and returns the gzip size of its JavaScript. */
export async function buildWidget(outDir, { log = console.log } = {}) {
  // Imported here: a server that never builds the widget never loads Vite.
  const { build } = await import('vite')
  await build({
    configFile: false,
    root: WIDGET_SOURCES,
    base: '/widget/',
    logLevel: 'warn',
    // Preact's automatic JSX runtime, without the preset's Babel pass (a production build needs no
    // hot reloading).
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: 'assets',
      target: 'es2020',
      reportCompressedSize: false,
      modulePreload: { polyfill: false },
    },
  })
  await esbuild({
    entryPoints: [join(WIDGET_SOURCES, 'sdk', 'belvo-widget.ts')],
    outfile: join(outDir, 'belvo-widget-1-stable.js'),
    bundle: true,
    format: 'iife',
    target: 'es2018',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const app = javascriptGzipBytes(outDir)
  log(`widget: ${(app / 1024).toFixed(1)} KB of compressed JavaScript (budget 100 KB)`)
  return app
}

/** The gzip size of every .js file the widget's page loads (the app's assets and the SDK). */
export function javascriptGzipBytes(outDir) {
  let total = 0
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) total += gzipSync(readFileSync(join(entry.parentPath, entry.name))).length
  }
  return total
}

// `node scripts/build-widget.js [outDir]`: the widget alone (while working on it).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWidget(process.argv[2] ?? join(root, 'dist', 'widget'))
}
