/**
 * Bundles the terminal UI's screen (tui/dist/mount.js: Ink, React, the markdown renderer and the
 * app's components) into one file, tui/dist/mount.bundle.js. Loaded module by module it is some
 * 190 files, which costs the UI's start several hundred milliseconds; as one file it loads in a
 * fraction of that (docs/tui.md, "Performance").
 *
 * Run by `npm run build` after `tsc -b` (and by the test runner). The UI takes the bundle only
 * while it is newer than the last compile of the UI (tui/tsconfig.tsbuildinfo, which `tsc -b`
 * also touches when shared/ changes), so a build with `tsc -b` alone falls back to the modules
 * and a stale bundle never hides a change.
 */
import { build } from 'esbuild'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { nodeBundle, root } from './node-bundle.mjs'
import { yogaWithoutFetch } from './yoga-without-fetch.mjs'

/** The build's options; tui/test/yoga-without-fetch.test.ts bundles Yoga with its plugins. */
export const options = {
  ...nodeBundle,
  entryPoints: ['tui/dist/mount.js'],
  outfile: 'tui/dist/mount.bundle.js',
  // React's production build; the UI selects it anyway (tui/src/react-production.ts).
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [
    // Yoga decodes its inlined WebAssembly instead of fetching it, which loaded Node's HTTP client.
    yogaWithoutFetch,
    {
      // Three copies of string-width are installed (Ink's dependencies want 7, shared/ and the
      // UI 8; npm cannot share them across workspaces). Each sets up its segmenter and compiles
      // its emoji pattern on first use: the bundle keeps one, the newest (same API).
      name: 'one-string-width',
      setup(b) {
        b.onResolve({ filter: /^string-width$/ }, () => ({ path: join(root, 'tui/node_modules/string-width/index.js') }))
      },
    },
    {
      // Ink loads React's devtools only when DEV=true, and they are not installed: left out, Ink
      // says so itself in that case.
      name: 'ink-devtools-left-out',
      setup(b) {
        b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (args.importer.includes('/ink/') ? { path: args.path, external: true } : undefined))
      },
    },
  ],
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build(options)
