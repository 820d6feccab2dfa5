import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build, type Plugin } from 'esbuild'
// @ts-expect-error a plain ES module of the build scripts, without types
import { options } from '../../scripts/bundle-tui.mjs'
// @ts-expect-error the same
import { withoutFetch } from '../../scripts/yoga-without-fetch.mjs'

// The bundle-time change of scripts/yoga-without-fetch.mjs (docs/patches.md): the UI's bundle
// loads Yoga without calling fetch(), which loads Node's HTTP client at every start. Yoga is
// bundled with the plugins of scripts/bundle-tui.mjs, then loaded in a fresh node that counts
// the calls to fetch, and lays out a node to show it works. Without the plugins, the same bundle
// calls fetch once (so the test can tell).

const tui = fileURLToPath(new URL('../', import.meta.url))

async function fetchesWhenLoaded(t: { teardown(fn: () => unknown): void }, plugins: Plugin[]): Promise<{ fetches: number; width: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-yoga-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const bundle = join(dir, 'yoga.mjs')
  await build({
    stdin: {
      contents: `import Yoga from 'yoga-layout'
        const node = Yoga.Node.create(); node.setWidth(42); node.calculateLayout()
        console.log(JSON.stringify({ fetches: globalThis.fetches, width: node.getComputedWidth() }))`,
      resolveDir: tui,
      sourcefile: 'entry.mjs',
    },
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins,
    logLevel: 'error',
  })
  const counting = join(dir, 'count-fetches.mjs')
  await writeFile(counting, 'const f = globalThis.fetch; globalThis.fetches = 0; globalThis.fetch = (...a) => (globalThis.fetches++, f(...a))\n')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', counting, bundle], { timeout: 20_000 })
  return JSON.parse(stdout) as { fetches: number; width: number }
}

t.test('the bundled Yoga loads its WebAssembly without fetch()', { timeout: 60_000 }, async (t) => {
  t.same(await fetchesWhenLoaded(t, (options as { plugins: Plugin[] }).plugins), { fetches: 0, width: 42 }, "with the UI bundle's plugins: no fetch, and Yoga lays out")
  t.same(await fetchesWhenLoaded(t, []), { fetches: 1, width: 42 }, 'without them Yoga calls fetch once (the test can tell)')
})

t.test('a Yoga build without the expected code fails the bundle, saying what to do', async (t) => {
  const source = await readFile(fileURLToPath(import.meta.resolve('yoga-layout')).replace(/src[\\/]index\.js$/, 'binaries/yoga-wasm-base64-esm.js'), 'utf8')
  t.match(withoutFetch(source), /function ya\(\)\{return w\|\|ua\(H\)\|\|"function"!=typeof fetch/, 'the installed build is changed')
  t.throws(() => withoutFetch(source.replace('function ya(){', 'function yb(){')), { message: /was yoga-layout upgraded\?[\s\S]*docs\/patches\.md/ })
})
