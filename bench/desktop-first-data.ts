/**
 * Desktop bridge first-data benchmark (not a test): how long a fresh process takes, through the
 * desktop app's bridge (desktop/src/bridge), from its start to holding the newest messages of
 * #general answered from the daemon's cache: the part of "launch to first message list" that is
 * not Electron's or the page's own rendering (which cannot be measured where Electron cannot be
 * downloaded; docs/desktop.md). Budget: 300 ms, like the terminal UI's first paint.
 *
 *   npm run build && node --import=tsx --conditions=ocomms-source bench/desktop-first-data.ts [--runs 10] [--messages 150]
 *
 * A real server is seeded through its operations, a real daemon (built) signs in and fills its
 * cache, then a fresh `node` is started N times; each loads the built bridge, connects to the
 * daemon, and calls profile.whoami, conversations.list and messages.read (50) as a page does
 * first. The clock runs from spawn to the line the child prints; a bare `node` is the reference.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { callHttp, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { build, loadConfig } from '@ocomms/server'
import { pino } from 'pino'
import { benchDatabase } from './src/database.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' }, messages: { type: 'string', default: '150' }, 'target-ms': { type: 'string', default: '300' } } })
const RUNS = Number(args.runs)
const MESSAGES = Number(args.messages)
const TARGET_MS = Number(args['target-ms'])
const root = fileURLToPath(new URL('../', import.meta.url))
const daemonMain = join(root, 'daemon/dist/main.js')
const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

// What a page does first, in a fresh process, from the built packages.
const child = `
const t0 = performance.now()
const { DaemonBridge } = await import('@ocomms/desktop')
const { connectDaemon } = await import('@ocomms/daemon')
const bridge = new DaemonBridge({ connect: () => connectDaemon({ start: false }) })
const page = bridge.session()
await page.call('profile.whoami', {})
const { conversations } = await page.call('conversations.list', {})
const general = conversations.find((c) => c.name === 'general')
const read = await page.call('messages.read', { conversationId: general.id, limit: 50 })
process.stdout.write(JSON.stringify({ inside: performance.now() - t0, source: read.source, count: read.messages.length }) + '\\n')
bridge.close()
process.exit(0)
`

function timed(code: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.setEncoding('utf8')
    p.stdout.on('data', (d: string) => {
      out += d
      if (out.includes('\n')) resolve({ ms: performance.now() - started, out: out.trim() })
    })
    p.on('exit', (c) => c !== 0 && reject(new Error(`child exited ${c}`)))
  })
}

function summary(label: string, values: number[]) {
  const s = [...values].sort((a, b) => a - b)
  const f = (n: number) => `${n.toFixed(0)} ms`.padStart(7)
  return `${label.padEnd(40)} p50 ${f(percentile(s, 50))}   p95 ${f(percentile(s, 95))}   min ${f(s[0]!)}   max ${f(s.at(-1)!)}`
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
  try {
    const password = 'bench password 123'
    const signup = await callHttp(base, 'auth.signup', { email: 'alice@bench.test', password, name: 'Alice', handle: 'alice' }, {})
    const ws = await call('workspace.create', { name: 'Bench' }, signup.token)
    const general = (await call('conversation.list', { workspaceId: ws.id }, signup.token)).find((c) => c.name === 'general') ?? (await call('channel.create', { workspaceId: ws.id, name: 'general' }, signup.token))
    for (let i = 0; i < MESSAGES; i++) await call('message.send', { conversationId: general.id, text: `message ${i} about the deploy`, clientId: `seed-${i}` }, signup.token)
    log(`seeded ${MESSAGES} messages`)

    const { connectDaemon } = await import('@ocomms/daemon')
    let client = null
    for (let i = 0; i < 100 && !client; i++) client = await connectDaemon({ home, start: false }).catch(() => sleep(100).then(() => null))
    if (!client) throw new Error('the daemon did not start')
    await client.request('profile.login', { server: base, email: 'alice@bench.test', password })
    let source = ''
    for (let i = 0; i < 100 && source !== 'cache'; i++) {
      await sleep(100)
      source = await client.request('messages.read', { conversationId: general.id, limit: 50 }).then((r) => r.source, () => '')
    }
    client.close()
    if (source !== 'cache') throw new Error('#general is not answered from the cache')

    const bare: number[] = []
    for (let i = 0; i < Math.min(RUNS, 5); i++) bare.push((await timed(`process.stdout.write('up\\n')`, env)).ms)
    await timed(child, env)
    const total: number[] = []
    const inside: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(child, env)
      const parsed = JSON.parse(r.out) as { inside: number; source: string; count: number }
      if (parsed.source !== 'cache' || parsed.count === 0) throw new Error(`not from the cache: ${r.out}`)
      total.push(r.ms)
      inside.push(parsed.inside)
      await sleep(100)
    }
    const p95 = percentile([...total].sort((a, b) => a - b), 95)
    console.log(
      [
        `Desktop bridge first data from the daemon's cache (${MESSAGES} messages, ${RUNS} starts, node ${process.version})`,
        summary('bare node start (reference)', bare),
        summary('bridge: load, connect, 3 calls (inside)', inside),
        summary('spawn to messages in hand', total),
        `target ${TARGET_MS} ms at p95: ${p95 <= TARGET_MS ? 'met' : 'MISSED'}`,
      ].join('\n'),
    )
  } finally {
    daemon.kill('SIGTERM')
    await app.close()
    await db.stop()
    await rm(dataDir, { recursive: true, force: true })
    await rm(home, { recursive: true, force: true })
  }
}

await main()
