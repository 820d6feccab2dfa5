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
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { desktopFixture, percentile, sleep, summary } from './src/desktop-fixture.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' }, messages: { type: 'string', default: '150' }, 'target-ms': { type: 'string', default: '300' } } })
const RUNS = Number(args.runs)
const MESSAGES = Number(args.messages)
const TARGET_MS = Number(args['target-ms'])
const root = fileURLToPath(new URL('../', import.meta.url))
const log = (line: string) => process.stderr.write(`${line}\n`)

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


async function main() {
  const { env, stop } = await desktopFixture(MESSAGES, log)
  try {
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
    await stop()
  }
}

await main()
