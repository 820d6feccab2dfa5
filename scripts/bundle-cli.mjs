/**
 * Bundles the `ocomms` command (cli/dist/main.js with the parts of shared/ and the daemon's client
 * it uses, Commander, the rich-text renderer) into one file, cli/dist/ocomms.bundle.js. Loaded
 * module by module it is some 390 files, and reading them was most of every command's start;
 * as one file a command starts in about half the time (docs/performance.md, "The command's start").
 *
 * Run by `npm run build` after `tsc -b` (and by the test runner). cli/bin/ocomms.js takes the
 * bundle only while it is newer than the last compile of the CLI (cli/tsconfig.tsbuildinfo,
 * which `tsc -b` also touches when shared/ or the daemon change), as the terminal UI does with
 * its own (bundle-tui.mjs): a build with `tsc -b` alone runs the modules, never a stale bundle.
 */
import { build } from 'esbuild'
import { pathToFileURL } from 'node:url'
import { nodeBundle } from './node-bundle.mjs'

export const options = {
  ...nodeBundle,
  entryPoints: ['cli/dist/main.js'],
  outfile: 'cli/dist/ocomms.bundle.js',
  // Loaded by the few commands that need them, from their own files: the server (`ocomms server
  // ...` reads its migrations and assets next to its modules) and the terminal UI (its own bundle).
  external: ['@ocomms/server', '@ocomms/tui'],
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build(options)
