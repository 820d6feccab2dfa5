#!/usr/bin/env node
// `npm test`: starts one PostgreSQL for the whole run (the embedded one, or the server in
// DATABASE_URL when set), hands its address to the tests, runs tap, and cleans up.
// Each test file creates its own database on it, so files run in parallel.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let adminUrl = process.env.DATABASE_URL
let stopDatabase = async () => {}
// The embedded cluster's Unix-socket URL, the way the server reaches it (for the test that connects with it).
let socketUrl
if (!adminUrl) {
  const { startEmbeddedDatabase } = await import('../server/dist/db/embedded.js').catch(async () => {
    // Not built yet: build once, then load.
    await run('npx', ['tsc', '-b'])
    return import('../server/dist/db/embedded.js')
  })
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-test-pg-'))
  process.stderr.write(`test database: embedded PostgreSQL in ${dir}\n`)
  const db = await startEmbeddedDatabase(dir)
  adminUrl = db.url
  if (db.localUrl !== db.url) socketUrl = db.localUrl
  stopDatabase = async () => {
    await db.stop()
    await rm(dir, { recursive: true, force: true })
  }
} else {
  process.stderr.write('test database: the server in DATABASE_URL\n')
}

function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

// Some tests need programs a fresh Debian machine (CI) may lack: the scale-out test runs a
// private redis-server, the terminal UI's end-to-end test drives tmux. Install them when we can
// (root with apt-get); otherwise those tests skip and say why.
const has = (cmd, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0
const needed = [['redis-server', has('redis-server')], ['tmux', has('tmux', '-V')]].filter(([, ok]) => !ok).map(([name]) => name)
if (needed.length > 0 && process.getuid?.() === 0 && has('apt-get')) {
  process.stderr.write(`${needed.join(' and ')} missing: installing with apt-get for the tests that need them\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if ((await run('apt-get', ['update', '-qq'], env)) !== 0 || (await run('apt-get', ['install', '-y', '-qq', ...needed], env)) !== 0) {
    process.stderr.write(`could not install ${needed.join(' and ')}: the tests that need them will be skipped\n`)
  }
}

// tap compiles its plugin set into node_modules; a fresh install still holds the default
// TypeScript plugin, which this repo replaces with tsx (package.json "tap"). Rebuild it then.
const builtTap = new URL('../node_modules/@tapjs/test/test-built/dist/esm/index.js', import.meta.url)
const tapNeedsBuild = () => readFile(builtTap, 'utf8').then((src) => src.includes('"@tapjs/typescript"'), () => true)

// Each step must pass before the next: types, lint, then the tests themselves.
const steps = [
  ...((await tapNeedsBuild()) ? [['npx', ['tap', 'build']]] : []),
  ['npx', ['tsc', '-b']],
  // The fixes in patches/ (docs/patches.md): said once, clearly, rather than as failing tests.
  ['node', ['--input-type=module', '-e', "try { (await import('./server/dist/patches-check.js')).assertPatchesApplied() } catch (e) { console.error(e.message); process.exit(1) }"]],
  // The terminal UI's end-to-end test runs the screen as `npm run build` ships it: bundled.
  ['node', ['scripts/bundle-tui.mjs']],
  // Likewise `ocomms`, which the CLI's tests run hundreds of times.
  ['node', ['scripts/bundle-cli.mjs']],
  // The web app's tests (gui/test) and the server's static serving load the built app.
  ['npm', ['run', 'build', '-w', 'gui', '--silent']],
  ['npx', ['eslint', '.']],
  ['npx', ['tap', ...process.argv.slice(2)], { ...process.env, OCOMMS_TEST_DATABASE_URL: adminUrl, ...(socketUrl ? { OCOMMS_TEST_DATABASE_SOCKET_URL: socketUrl } : {}) }],
]
let code = 0
try {
  for (const [cmd, args, env] of steps) {
    code = await run(cmd, args, env)
    if (code !== 0) break
  }
} finally {
  await stopDatabase()
}
process.exit(code)
