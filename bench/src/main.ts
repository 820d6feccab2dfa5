/**
 * `npm run bench [-- --full] [--only P1,P3,P9,P10] [--workers N] [--db-pool N] [--profile DIR] [--server MAIN] [--tcp]
 *   [--p10-steps 100,1000] [--p10-seconds 5]`
 *
 * Starts a database of its own, seeds it with SQL, starts the real server as its own process,
 * drives it from several worker processes holding real socket.io-client connections, and
 * prints one table. See docs/performance.md.
 */
import { cpus, loadavg } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { benchDatabase } from './database.js'
import { describeFlush, measureFlush, type Flush } from './flush.js'
import { scales } from './scales.js'
import { p1, p10, p2, p3, p4, p5, p7, p8, p9, type Context, type Row } from './scenarios.js'
import { seed } from './seed.js'
import { startOComms } from './servers.js'
import { Workers } from './workers.js'

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    // One load-generator process per core: with four on two cores, the server waited for the
    // scheduler more than for its own work (P1, P5 and P7 measured 20–40 % better with two).
    workers: { type: 'string', default: '2' },
    'db-pool': { type: 'string' },
    think: { type: 'string' },
    steps: { type: 'string' },
    // P10's rates (messages/s) and seconds per rate.
    'p10-steps': { type: 'string' },
    'p10-seconds': { type: 'string' },
    profile: { type: 'string' },
    server: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    // The server reaches the embedded PostgreSQL over loopback TCP instead of its Unix socket
    // (revisions before the socket, given with --server, need this).
    tcp: { type: 'boolean', default: false },
  },
})

const scale = structuredClone(scales[values.full ? 'full' : 'short'])
if (values.think) scale.p8.thinkMs = Number(values.think)
if (values.steps) scale.p8.steps = values.steps.split(',').map(Number)
if (values['p10-steps']) scale.p10.steps = values['p10-steps'].split(',').map(Number)
if (values['p10-seconds']) scale.p10.seconds = Number(values['p10-seconds'])
const only = new Set((values.only ?? 'P1,P2,P3,P4,P5,P7,P8,P9,P10').toUpperCase().split(','))
const log = (line: string) => process.stderr.write(`${line}\n`)
const started = Date.now()
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

log(`bench (${scale.name}) on ${cpus().length} cores, load average ${load()}`)
const db = await benchDatabase()
log(`database: ${db.where}`)
// The disk's flush, as the server pays it: every latency below reads as a multiple of it.
const flushAt = async (): Promise<Flush | null> => measureFlush(values.tcp ? db.url : db.serverUrl).catch((err: unknown) => (log(`flush not measured: ${String(err)}`), null))
const flush = await flushAt()
if (flush) log(`flush: ${describeFlush(flush)}`)
const t0 = Date.now()
const seeded = await seed(db.url, scale.seed)
log(`seeded ${scale.seed.users.toLocaleString('en-US')} users, ${seeded.p1.length + seeded.p3.length + seeded.p10.length + seeded.mix.length + 2} channels in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
const server = await startOComms(values.tcp ? db.url : db.serverUrl, {
  env: values['db-pool'] ? { OCOMMS_DB_POOL: values['db-pool'] } : {},
  profileDir: values.profile,
  // Another revision's server/src/main.ts, to measure before and after on the same data.
  main: values.server ? resolve(values.server) : undefined,
})
if (values.server) log(`server: ${values.server}`)
const workers = new Workers(Number(values.workers))
const ctx: Context = { workers, server, db, seeded, scale, flush, log }
const rows: Row[] = []

async function run(id: string, fn: () => Promise<Row | Row[]>) {
  if (!only.has(id)) return
  log(`${id} …`)
  const t0 = Date.now()
  try {
    const r = await fn()
    log(`  ${id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    rows.push(...(Array.isArray(r) ? r : [r]))
  } catch (err) {
    rows.push({ id, scenario: 'failed to run', result: err instanceof Error ? err.message.split('\n')[0]! : String(err), target: '', pass: false })
    await workers.disconnect().catch(() => {})
  }
}

try {
  await run('P4', () => p4(ctx))
  await run('P1', () => p1(ctx))
  // P5 and P7 reuse the clients P1 connected (P7 connects its own when P1 did not run).
  if (only.has('P5') && !only.has('P1')) await workers.connect(server.url, seeded.clients(scale.p5.clients, (i) => [seeded.p1[i % seeded.p1.length]!]))
  await run('P5', () => p5(ctx))
  if (only.has('P7') && !only.has('P1') && !only.has('P5')) await workers.connect(server.url, seeded.clients(200, (i) => [seeded.p1[i % seeded.p1.length]!]))
  await run('P7', () => p7(ctx))
  await workers.disconnect()
  await run('P3', () => p3(ctx))
  await run('P2', () => p2(ctx))
  await run('P8', () => p8(ctx))
  await run('P9', () => p9(ctx))
  await run('P10', () => p10(ctx))
} finally {
  workers.stop()
  await server.stop()
}
// Again at the end, with the server stopped: how much the machine moved during the run.
const flushAfter = await flushAt()
await db.stop()

const verdict = (r: Row) => (r.pass === null ? 'n/a' : r.pass ? 'ok' : 'MISS')
if (values.markdown) {
  // For docs/performance.md.
  process.stdout.write('| # | scenario | measured | target | |\n|---|---|---|---|---|\n')
  for (const r of rows) process.stdout.write(`| ${[r.id, r.scenario, r.result, r.target, verdict(r)].join(' | ')} |\n`)
} else {
  const table = new Table({ head: ['#', 'scenario', 'measured', 'target', ''], wordWrap: true, colWidths: [5, 44, 52, 26, 6] })
  for (const r of rows) table.push([r.id, r.scenario, r.result, r.target, verdict(r)])
  process.stdout.write(`${table.toString()}\n`)
}
process.stdout.write(
  `${scale.name} run, ${((Date.now() - started) / 1000).toFixed(0)} s, ${cpus().length} cores, load average at the end ${load()}; ` +
    `${workers.count} load-generator processes share the machine with the server and PostgreSQL.` +
    `${flush ? `\nFlush at the start: ${describeFlush(flush)} (the "×" figures are multiples of that commit's p50).` : ''}` +
    `${flushAfter ? `\nFlush at the end: ${describeFlush(flushAfter)}.` : ''}` +
    `${scale.name === 'short' ? '\nShort runs use smaller sizes than the targets: `npm run bench -- --full` for the real table.' : ''}\n`,
)
