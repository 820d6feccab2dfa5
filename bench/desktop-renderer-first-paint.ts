/**
 * Desktop renderer first-paint benchmark (not a test): from the launch of the renderer (the web
 * app's build, as the desktop shell loads it) to the first message list on screen, answered by
 * the daemon's cache through the desktop bridge; and, next to it, the same web app in a browser
 * tab against the server. Budget for the desktop figure: 300 ms, like the terminal UI's.
 *
 *   npm run build && npm run build -w gui && node --import=tsx --conditions=ocomms-source bench/desktop-renderer-first-paint.ts [--runs 10] [--messages 200]
 *
 * A real server (serving the web app's build) is seeded through its operations; a real daemon
 * (built) signs in and fills its cache. The bridge (desktop/src/bridge) runs in this process and
 * is served to Debian's Chromium over its WebSocket transport, which stands in for Electron's
 * preload (Electron cannot be downloaded here; docs/desktop.md). Each run opens a new page and
 * reads, in the page, `performance.now()` (time since navigation started) at the first animation
 * frame (polled every frame) where #general's message list shows messages (the list is virtualised:
 * which rows are drawn first is the list's business). The web app's tab is signed in
 * once and then opened the same way (its IndexedDB and HTTP cache warm, as the desktop's are).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium, type BrowserContext } from 'playwright-core'
import { callHttp, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { build, loadConfig } from '@ocomms/server'
import { connectDaemon } from '@ocomms/daemon'
import { DaemonBridge, serveBridge } from '@ocomms/desktop'
import { pino } from 'pino'
import { serveRenderer } from '../desktop/test/renderer-page.js'
import { benchDatabase } from './src/database.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' }, messages: { type: 'string', default: '200' }, 'target-ms': { type: 'string', default: '300' } } })
const RUNS = Number(args.runs)
const MESSAGES = Number(args.messages)
const TARGET_MS = Number(args['target-ms'])
const root = fileURLToPath(new URL('../', import.meta.url))
const daemonMain = join(root, 'daemon/dist/main.js')
const chromiumPath = process.env.OCOMMS_CHROMIUM ?? '/usr/bin/chromium'
const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

function summary(label: string, values: number[]) {
  const s = [...values].sort((a, b) => a - b)
  const f = (n: number) => `${n.toFixed(0)} ms`.padStart(7)
  return `${label.padEnd(44)} p50 ${f(percentile(s, 50))}   p95 ${f(percentile(s, 95))}   min ${f(s[0]!)}   max ${f(s.at(-1)!)}`
}

/** Opens the page afresh and answers ms from navigation start to the message list on screen. */
async function firstPaint(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage()
  try {
    await page.goto(url, { waitUntil: 'commit' })
    const handle = await page.waitForFunction(
      () => (document.querySelector('[role=log] article') ? performance.now() : false),
      null,
      { timeout: 30_000, polling: 'raf' },
    )
    return (await handle.jsonValue()) as number
  } catch (err) {
    log(`${url}: ${await page.evaluate(() => document.body?.innerText.slice(0, 300)).catch(() => '?')}`)
    throw err
  } finally {
    await page.close()
  }
}

async function main() {
  const db = await benchDatabase()
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-bench-data-'))
  const home = await mkdtemp(join(tmpdir(), 'ocomms-bench-home-'))
  const env: NodeJS.ProcessEnv = { ...process.env, OCOMMS_HOME: home, OCOMMS_NOTIFY: 'off' }
  delete env.OCOMMS_PROFILE
  delete env.NODE_OPTIONS
  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir, databaseUrl: db.serverUrl, logLevel: 'warn' })
  const { app } = await build({ config, databaseUrl: db.serverUrl, logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const call = <K extends OperationName>(name: K, input: CallInput<K>, token: string): Promise<CallOutput<K>> => callHttp(base, name, input, { token })
  const daemon = spawn(process.execPath, [daemonMain], { env, stdio: 'ignore' })
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  const closers: Array<() => unknown> = []
  try {
    const password = 'bench password 123'
    const email = 'alice@bench.test'
    const signup = await callHttp(base, 'auth.signup', { email, password, name: 'Alice', handle: 'alice' }, {})
    const ws = await call('workspace.create', { name: 'Bench' }, signup.token)
    const general = (await call('conversation.list', { workspaceId: ws.id }, signup.token)).find((c) => c.name === 'general') ?? (await call('channel.create', { workspaceId: ws.id, name: 'general' }, signup.token))
    for (let i = 0; i < MESSAGES; i++) await call('message.send', { conversationId: general.id, text: `message ${i} about the deploy`, clientId: `seed-${i}` }, signup.token)
    log(`seeded ${MESSAGES} messages`)

    let client = null
    for (let i = 0; i < 100 && !client; i++) client = await connectDaemon({ home, start: false }).catch(() => sleep(100).then(() => null))
    if (!client) throw new Error('the daemon did not start')
    await client.request('profile.login', { server: base, email, password })
    let source = ''
    for (let i = 0; i < 100 && source !== 'cache'; i++) {
      await sleep(100)
      source = await client.request('messages.read', { conversationId: general.id, limit: 50 }).then((r) => r.source, () => '')
    }
    client.close()
    if (source !== 'cache') throw new Error('#general is not answered from the cache')

    // The desktop renderer: the web app's build over the bridge to the daemon.
    const bridge = new DaemonBridge({ connect: () => connectDaemon({ home, start: false }) })
    closers.push(() => bridge.close())
    const wire = await serveBridge(bridge)
    closers.push(() => wire.close())
    const renderer = await serveRenderer(wire.url)
    closers.push(() => renderer.close())
    const viewport = { width: 1280, height: 800 }
    const desktopContext = await browser.newContext({ viewport })
    await firstPaint(desktopContext, `${renderer.url}/`)
    const desktop: number[] = []
    for (let i = 0; i < RUNS; i++) desktop.push(await firstPaint(desktopContext, `${renderer.url}/`))

    // The web app in a tab, signed in once.
    const webContext = await browser.newContext({ viewport, baseURL: base })
    const signIn = await webContext.newPage()
    await signIn.goto('/signin')
    await signIn.getByLabel('Email', { exact: true }).fill(email)
    await signIn.getByLabel('Password', { exact: true }).fill(password)
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click()
    await signIn.getByRole('log').getByRole('article').first().waitFor({ timeout: 30_000 })
    await signIn.close()
    const web: number[] = []
    for (let i = 0; i < RUNS; i++) web.push(await firstPaint(webContext, `${base}/`))

    const p95 = percentile([...desktop].sort((a, b) => a - b), 95)
    console.log(
      [
        `Renderer first paint: navigation start to #general's message list on screen (${MESSAGES} messages in it) (${RUNS} page loads each, Chromium ${browser.version()})`,
        summary('desktop renderer, daemon cache via the bridge', desktop),
        summary('web app in a tab, server (warm IndexedDB)', web),
        `target ${TARGET_MS} ms (desktop) at p95: ${p95 <= TARGET_MS ? 'met' : 'MISSED'}`,
      ].join('\n'),
    )
  } finally {
    for (const close of closers.reverse()) await close()
    await browser.close()
    daemon.kill('SIGTERM')
    await app.close()
    await db.stop()
    await rm(dataDir, { recursive: true, force: true })
    await rm(home, { recursive: true, force: true })
  }
}

await main()
