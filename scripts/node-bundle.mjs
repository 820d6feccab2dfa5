/**
 * What the repository's one-file bundles for Node have in common (bundle-tui.mjs: the terminal
 * UI's screen; bundle-cli.mjs: the `ocomms` command): an ES module for Node 20, minified, with a
 * `require` for the CommonJS dependencies inside it.
 */
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../', import.meta.url))

export const nodeBundle = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // BUNDLE_NO_MINIFY=1 keeps the names, for reading CPU profiles of the start.
  minify: !process.env.BUNDLE_NO_MINIFY,
  legalComments: 'eof',
  // CommonJS dependencies (React, Commander's helpers) call require: give the ES module bundle one.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
}
