/**
 * An esbuild plugin for the terminal UI's bundle (scripts/bundle-tui.mjs): Yoga (Ink's layout
 * engine) loads its WebAssembly, which its build inlines as a base64 `data:` URL, with `fetch()`
 * whenever `fetch` exists, as it does in Node. In Node that loads and compiles the HTTP client
 * (undici) at every start of the UI, only to decode a string. The plugin makes that one function
 * decode the inlined URL directly, as Yoga's own code does when `fetch` is absent.
 *
 * It edits the bundled copy only: node_modules stays as npm installed it. When Yoga's build
 * changes and the text is no longer there, the build fails and says so (docs/patches.md).
 */
import { readFile } from 'node:fs/promises'

export const YOGA_FILE = /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/

// `ya` gets the module's bytes; `w` is Module.wasmBinary, `H` the inlined URL and `ua(H)` its
// "is a data: URL" test. Minified names of yoga-layout 3.2.1.
const FROM = 'function ya(){return w||"function"!=typeof fetch'
const TO = 'function ya(){return w||ua(H)||"function"!=typeof fetch'

/** Yoga's source with the change, or an error naming what is missing. */
export function withoutFetch(source, path = 'yoga-wasm-base64-esm.js') {
  const at = source.indexOf(FROM)
  if (at < 0 || source.indexOf(FROM, at + 1) >= 0) {
    throw new Error(
      `${path}: the code that fetches Yoga's inlined WebAssembly is not there as expected (was yoga-layout upgraded?). ` +
        'Update scripts/yoga-without-fetch.mjs to the new build, or remove the plugin if Yoga no longer fetches a data: URL (docs/patches.md).',
    )
  }
  return source.slice(0, at) + TO + source.slice(at + FROM.length)
}

export const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(build) {
    build.onLoad({ filter: YOGA_FILE }, async (args) => ({ contents: withoutFetch(await readFile(args.path, 'utf8'), args.path), loader: 'js' }))
  },
}
