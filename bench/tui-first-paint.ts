/**
 * TUI first-paint benchmark (not a test): how long from starting `ocomms` (the terminal UI) to
 * the first frame on screen that shows the open conversation's messages, answered from the
 * daemon's cache. The target is 300 ms (docs/tui.md, "Performance").
 *
 *   npm run bench:tui                                  # embedded PostgreSQL, 10 starts
 *   DATABASE_URL=postgres://... npm run bench:tui -- --runs 20 --messages 600
 *
 * What is measured, and how: a real server is seeded through its operations, a real daemon
 * (started by `ocomms login`, from the built packages, as a person runs it) signs in and fills
 * its cache, then the built `ocomms` is started N times in a pseudo-terminal (util-linux
 * `script`, 80x24). The clock starts just before the process is spawned and stops when the
 * bytes the UI wrote to the terminal contain the newest message of #general (the conversation
 * the UI opens first). So the number covers everything a person waits for: node starting, the
 * modules loading, the round trips to the daemon, Ink's layout and the write to the terminal.
 * As a reference the same harness times a bare `node` printing one line (node's own start).
 */
import { execFile, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { callHttp, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { build, loadConfig } from '@ocomms/server'
import { connectDaemon } from '@ocomms/daemon'
import { pino } from 'pino'
import { benchDatabase } from './src/database.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    messages: { type: 'string', default: '400' },
    'target-ms': { type: 'string', default: '300' },
    /** Extra node options for the measured starts, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the time goes. */
    'node-args': { type: 'string', default: '' },
  },
})
const RUNS = Number(args.runs)
const MESSAGES = Number(args.messages)
const TARGET_MS = Number(args['target-ms'])
const NODE_ARGS = args['node-args']
const CHANNELS = ['general', 'random', 'dev', 'ops', 'design', 'support']
const MARKER = `first paint marker ${randomBytes(3).toString('hex')}`

const root = fileURLToPath(new URL('../', import.meta.url))
const cli = join(root, 'cli/bin/ocomms.js')
const run = promisify(execFile)
const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?<=>]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[@-_]/g, '')

interface Start {
  /** Spawn to the first output of the program to the terminal (switching to the alternate screen). */
  firstByteMs: number
  /** Spawn to the first output containing `until`. */
  paintMs: number
}

/**
 * Runs `command` in a fresh 80x24 pseudo-terminal and times its output. `stty` sets the size
 * first (script's terminal has none when its own input is not a terminal); its few
 * milliseconds count against the program, not for it.
 */
function startInPty(command: string, env: NodeJS.ProcessEnv, until: string, timeoutMs = 20_000): Promise<Start> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('script', ['-qfec', `stty cols 80 rows 24 && exec ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let firstByteMs = -1
    let seen = ''
    let done = false
    const timer = setTimeout(() => finish(new Error(`"${until}" did not appear within ${timeoutMs} ms; the screen had: ${stripAnsi(seen).slice(-2000)}`)), timeoutMs)
    const finish = (err: Error | null, result?: Start) => {
      if (done) return
      done = true
      clearTimeout(timer)
      // Ctrl+C through the terminal, as a person quits; killed if it does not go.
      child.stdin.write('\u0003')
      const kill = setTimeout(() => child.kill('SIGKILL'), 3_000)
      child.once('exit', () => {
        clearTimeout(kill)
        if (err) reject(err)
        else resolve(result!)
      })
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      const at = performance.now() - started
      if (firstByteMs < 0 && chunk.replace(/[\r\n]/g, '').length > 0) firstByteMs = at
      seen += chunk
      if (stripAnsi(seen).includes(until)) finish(null, { firstByteMs, paintMs: at })
    })
    child.on('error', (err) => finish(err))
  })
}

function summary(label: string, values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const f = (n: number) => `${n.toFixed(0)} ms`
  return `${label.padEnd(34)} p50 ${f(percentile(sorted, 50)).padStart(7)}   p95 ${f(percentile(sorted, 95)).padStart(7)}   min ${f(sorted[0]!).padStart(7)}   max ${f(sorted.at(-1)!).padStart(7)}`
}

async function main() {
  if (spawnSync('script', ['--version']).status !== 0) throw new Error('needs `script` (util-linux) for a pseudo-terminal')
  if (spawnSync(process.execPath, [cli, '--version']).status !== 0) throw new Error('build first: npm run build (the benchmark runs the built ocomms)')

  // Migrated here: build() below finds the schema in place.
  const db = await benchDatabase()
  log(`database: ${db.where}`)
  const databaseUrl = db.url
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-bench-data-'))
  const home = await mkdtemp(join(tmpdir(), 'ocomms-bench-home-'))
  const env: NodeJS.ProcessEnv = { ...process.env, OCOMMS_HOME: home, TERM: 'xterm-256color' }
  delete env.OCOMMS_PROFILE
  // Ink prints only the last frame when it thinks it runs in CI.
  delete env.CI
  delete env.NODE_OPTIONS

  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir, databaseUrl, logLevel: 'warn' })
  config.throttle.signupPerAddress = 10_000
  config.throttle.loginPerAccount = 10_000
  config.throttle.loginPerAddress = 10_000
  const { app } = await build({ config, databaseUrl, logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  config.publicUrl = base
  const call = <K extends OperationName>(name: K, input: CallInput<K>, token: string): Promise<CallOutput<K>> => callHttp(base, name, input, { token })

  try {
    // The scene, through the real operations: four people, six channels, a DM, a few hundred
    // messages with some thread replies and reactions; the newest one in #general is the marker.
    let t0 = performance.now()
    const password = 'bench password 123'
    const people: Array<{ id: string; token: string; email: string }> = []
    for (const handle of ['alice', 'bob', 'carol', 'dave']) {
      const email = `${handle}@bench.test`
      const r = await callHttp(base, 'auth.signup', { email, password, name: handle[0]!.toUpperCase() + handle.slice(1), handle }, {})
      people.push({ id: r.user.id, token: r.token, email })
    }
    const alice = people[0]!
    const ws = await call('workspace.create', { name: 'Bench' }, alice.token)
    for (const p of people.slice(1)) {
      const invite = await call('invite.create', { workspaceId: ws.id, role: 'member' }, alice.token)
      await call('invite.accept', { code: invite.code }, p.token)
    }
    const channels: string[] = []
    for (const name of CHANNELS) {
      const existing = (await call('conversation.list', { workspaceId: ws.id }, alice.token)).find((c) => c.name === name)
      const c = existing ?? (await call('channel.create', { workspaceId: ws.id, name }, alice.token))
      for (const p of people.slice(1)) await call('conversation.join', { conversationId: c.id }, p.token).catch(() => {})
      channels.push(c.id)
    }
    const dm = await call('dm.open', { workspaceId: ws.id, userIds: [people[1]!.id] }, alice.token)
    const targets = [...channels, dm.id]
    let n = 0
    for (let i = 0; i < MESSAGES - 1; i++) {
      // Half of everything in #general (the first one the UI opens), the rest spread out.
      const conversationId = i % 2 === 0 ? channels[0]! : targets[1 + (i % (targets.length - 1))]!
      // The DM has two members; anyone else would be refused there.
      const who = (k: number) => (conversationId === dm.id ? people[k % 2]! : people[k % people.length]!)
      const text = `message ${i}: ${i % 5 === 0 ? 'a **bold** word and `code`' : 'plain words about the deploy, the build and lunch'}`
      const m = await call('message.send', { conversationId, text, clientId: `seed-${i}` }, who(i).token)
      if (i % 25 === 0) await call('message.send', { conversationId, text: `reply to ${i}`, clientId: `seed-r-${i}`, threadRootId: m.id }, who(i + 1).token)
      if (i % 10 === 0) await call('reaction.add', { messageId: m.id, emoji: '👍' }, who(i + 3).token)
      n++
    }
    await call('message.send', { conversationId: channels[0]!, text: MARKER, clientId: 'seed-marker' }, people[1]!.token)
    n++
    log(`seeded ${n} messages in ${CHANNELS.length} channels and a DM: ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    // Alice signs in with the real CLI, which starts her daemon from the built packages.
    t0 = performance.now()
    const login = execFile(process.execPath, [cli, 'login', '--server', base, '--email', alice.email, '--password-stdin'], { env })
    login.stdin?.end(`${password}\n`)
    const code = await new Promise<number>((r) => login.on('exit', (c) => r(c ?? 1)))
    if (code !== 0) throw new Error('ocomms login failed')
    const daemon = await connectDaemon({ home, start: false })
    // Fill the cache: every conversation read once, then #general must come from the cache.
    for (let i = 0; i < 50; i++) {
      const status = await daemon.request('daemon.status', {})
      if (status.profiles.every((p) => p.connection === 'connected')) break
      await sleep(100)
    }
    // The daemon knows the conversations once its first sync is through.
    for (let i = 0; i < 100; i++) {
      const known = new Set((await daemon.request('conversations.list', {})).conversations.map((c) => c.id))
      if (targets.every((id) => known.has(id))) break
      await sleep(100)
    }
    for (const conversationId of targets) await daemon.request('messages.read', { conversationId, limit: 50 })
    let source = ''
    for (let i = 0; i < 50 && source !== 'cache'; i++) {
      source = (await daemon.request('messages.read', { conversationId: channels[0]!, limit: 50 })).source
      if (source !== 'cache') await sleep(100)
    }
    daemon.close()
    if (source !== 'cache') throw new Error('the daemon still answers #general from the server, not its cache')
    log(`daemon signed in and cached: ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    // Reference: node itself in the same harness.
    const bare: number[] = []
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      bare.push((await startInPty(`${process.execPath} -e "process.stdout.write('node-up\\n'); setInterval(() => {}, 1000)"`, env, 'node-up')).paintMs)
    }
    // One start to warm the disk cache, not counted.
    const ocomms = `${process.execPath} ${NODE_ARGS} ${cli}`
    await startInPty(ocomms, env, MARKER)
    const starts: Start[] = []
    for (let i = 0; i < RUNS; i++) {
      const s = await startInPty(ocomms, env, MARKER)
      starts.push(s)
      log(`  start ${i + 1}: first output ${s.firstByteMs.toFixed(0)} ms, messages on screen ${s.paintMs.toFixed(0)} ms`)
      await sleep(200)
    }
    const paint = starts.map((s) => s.paintMs).sort((a, b) => a - b)
    const p95 = percentile(paint, 95)
    const lines = [
      `TUI first paint from the daemon's cache (${n} messages, ${RUNS} starts, 80x24 pty, node ${process.version})`,
      summary('bare node start (reference)', bare),
      summary('ocomms: first output', starts.map((s) => s.firstByteMs)),
      summary('ocomms: messages on screen', paint),
      `target ${TARGET_MS} ms at p95: ${p95 <= TARGET_MS ? 'met' : 'MISSED'} (p50 ${percentile(paint, 50) <= TARGET_MS ? 'met' : 'missed'})`,
    ]
    process.stdout.write(lines.join('\n') + '\n')
    await run(process.execPath, [cli, 'daemon', 'stop'], { env }).catch(() => {})
  } finally {
    await app.close()
    await db.stop()
    await rm(dataDir, { recursive: true, force: true })
    await rm(home, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
})
