import { setTimeout as sleep } from 'node:timers/promises'
import { callHttp, operations } from '@ocomms/shared'
import { randomUUID } from 'node:crypto'
import { dbCounters, type BenchDatabase } from './database.js'
import { flushes, type Flush } from './flush.js'
import type { Collected } from './protocol.js'
import type { Scale } from './scales.js'
import { mixOf, type Seeded } from './seed.js'
import { startBare, usage, type Proc } from './servers.js'
import { merge, summary } from './stats.js'
import { Workers } from './workers.js'

export interface Row {
  id: string
  scenario: string
  result: string
  target: string
  /** null when the run is too small to judge against the target. */
  pass: boolean | null
}

export interface Context {
  workers: Workers
  server: Proc
  db: BenchDatabase
  seeded: Seeded
  scale: Scale
  /** The disk's flush latency measured at the start of the run (null when it could not be). */
  flush: Flush | null
  log(line: string): void
}

const f = (n: number, digits = 1) => n.toFixed(digits)
const int = (n: number) => Math.round(n).toLocaleString('en-US')
const full = (ctx: Context) => ctx.scale.name === 'full'

function totals(collected: Collected[]) {
  return {
    deliveries: collected.reduce((s, c) => s + c.deliveries, 0),
    deliver: merge(collected.map((c) => c.deliver)),
    ack: merge(collected.map((c) => c.ack)),
    errors: collected.reduce((s, c) => s + c.errors, 0),
    samples: collected.flatMap((c) => c.errorSamples).slice(0, 3),
  }
}

/**
 * CPU the server process, PostgreSQL and the load generators spend between start and stop, per
 * operation. On a shared machine wall-clock numbers swing with the neighbours' load; CPU per
 * operation does not, and the load generators' share shows what the server's two cores lose to them.
 */
async function cpuMeter(ctx: Context) {
  const measure = await cpuMeterRaw(ctx)
  return async (per: number, what: string) => (await measure(per)).text(what)
}

/** CPU seconds per operation since the meter started: server, PostgreSQL (null when not ours), load generators. */
async function cpuMeterRaw(ctx: Context, serverPid = ctx.server.pid) {
  const loadCpu = async () => (await Promise.all(ctx.workers.pids.map(usage))).reduce((sum, u) => sum + u.cpu, 0)
  const s0 = (await usage(serverPid)).cpu
  const p0 = await ctx.db.cpu()
  const l0 = await loadCpu()
  return async (per: number) => {
    const s1 = (await usage(serverPid)).cpu
    const p1 = await ctx.db.cpu()
    const l1 = await loadCpu()
    const server = (s1 - s0) / per
    const pg = p0 !== null && p1 !== null ? (p1 - p0) / per : null
    const load = (l1 - l0) / per
    const ms = (seconds: number) => `${f(seconds * 1000, 2)} ms`
    return {
      server,
      pg,
      load,
      text: (what: string) => `CPU per ${what}: server ${ms(server)}${pg !== null ? `, PostgreSQL ${ms(pg)}` : ''}, load generators ${ms(load)}`,
    }
  }
}

async function connect(ctx: Context, url: string, clients: ReturnType<Seeded['clients']>) {
  const meter = url === ctx.server.url ? await cpuMeter(ctx) : null
  const res = await ctx.workers.connect(url, clients)
  const cpu = meter ? `; ${await meter(res.connected || 1, 'connection')}` : ''
  ctx.log(`  connected ${int(res.connected)} sockets in ${f(res.ms / 1000)} s${res.failed ? `, ${res.failed} failed` : ''}${cpu}`)
  if (res.failed > 0) throw new Error(`${res.failed} of ${clients.length} connections failed`)
  return res
}

/** P4 first, on a fresh process, so earlier scenarios' garbage does not blur the baseline. */
export async function p4(ctx: Context): Promise<Row> {
  const n = ctx.scale.p4.sockets
  // Warm up: code paths compiled, pools filled, then back to idle.
  await connect(ctx, ctx.server.url, ctx.seeded.clients(200, (i) => [ctx.seeded.mix[i % ctx.seeded.mix.length]!]))
  await ctx.workers.disconnect()
  await sleep(2_000)
  const before = await usage(ctx.server.pid)
  await connect(ctx, ctx.server.url, ctx.seeded.clients(n, (i) => mixOf(i, ctx.seeded.mix, 3)))
  await sleep(3_000)
  const after = await usage(ctx.server.pid)
  const per = (after.rss - before.rss) / n / 1024
  await ctx.workers.disconnect()
  ctx.log(`  server RSS ${f(before.rss / 2 ** 20)} MiB idle → ${f(after.rss / 2 ** 20)} MiB with ${int(n)} sockets`)
  return {
    id: 'P4',
    scenario: `memory per idle socket (${int(n)} sockets, each in ~5 rooms)`,
    result: `${f(per)} KiB (RSS ${f(after.rss / 2 ** 20, 0)} MiB)`,
    target: '≤ 40 KiB at 10,000',
    pass: per <= 40,
  }
}

export async function p1(ctx: Context): Promise<Row[]> {
  const { clients, rate, seconds } = ctx.scale.p1
  const { p1 } = ctx.seeded
  await connect(ctx, ctx.server.url, ctx.seeded.clients(clients, (i) => [p1[i % p1.length]!]))
  await ctx.workers.all({ cmd: 'record' })
  const meter = await cpuMeter(ctx)
  const sent = await ctx.workers.all<{ sent: number }>({ cmd: 'send', rate: rate / ctx.workers.count, durationMs: seconds * 1000 })
  const n = sent.reduce((s, r) => s + r.sent, 0)
  await ctx.workers.waitForDeliveries(n * (clients / p1.length), 30_000)
  const cpu = await meter(n, 'message')
  const t = totals(await ctx.workers.collect())
  const members = clients / p1.length
  const d = summary(t.deliver)
  const a = summary(t.ack)
  ctx.log(`  ${int(n)} sent, ${int(t.deliveries)} of ${int(n * members)} deliveries, ack p50 ${f(a.p50)} p99 ${f(a.p99)} ms; ${cpu}`)
  return [
    {
      id: 'P1',
      scenario: `send→deliver, ${int(clients)} clients / ${p1.length} channels, ${rate} msg/s × ${seconds} s`,
      result: `p50 ${f(d.p50)} ms (${flushes(d.p50, ctx.flush)} flush), p99 ${f(d.p99)} ms (${flushes(d.p99, ctx.flush)}) (${int(t.deliveries)}/${int(n * members)} delivered, ${t.errors} errors)`,
      target: 'p50 ≤ 5 ms, p99 ≤ 25 ms',
      pass: d.p50 <= 5 && d.p99 <= 25 && t.deliveries === n * members && t.errors === 0,
    },
  ]
}

/**
 * The noisy neighbour: P1 again (the same clients, channels and rate), while one more member,
 * from a process of its own, floods the server without waiting for answers: every 50 ms a batch
 * of reaction toggles, searches and typing signals (the short and full runs send 400 toggles,
 * 200 searches and 4,000 typing signals a second). The others' send→deliver latency is held to
 * P1's target: fair admission refuses what is over the flooder's limits and keeps the rest to
 * its own slots, so nobody else waits for it.
 */
export async function p9(ctx: Context): Promise<Row> {
  const { clients, rate, seconds } = ctx.scale.p1
  const { p1, users, mix } = ctx.seeded
  await connect(ctx, ctx.server.url, ctx.seeded.clients(clients, (i) => [p1[i % p1.length]!]))
  const flooder = new Workers(1)
  try {
    const last = users.length - 1
    const who = users[last]!
    await flooder.connect(ctx.server.url, [{ userId: who.id, token: who.token, workspaceId: ctx.seeded.workspaceId, conversations: mixOf(last, mix, 3) }])
    const floodMs = seconds * 1000 + 2_000
    const flooding = flooder.ask<{ emitted: number; answered: number; answers: Record<string, number> }>(0, { cmd: 'flood', durationMs: floodMs, everyMs: 50, ...ctx.scale.p9 })
    // The flood first, then the chat, so every message is sent into it.
    await sleep(1_000)
    await ctx.workers.all({ cmd: 'record' })
    const meter = await cpuMeter(ctx)
    const sent = await ctx.workers.all<{ sent: number }>({ cmd: 'send', rate: rate / ctx.workers.count, durationMs: seconds * 1000 })
    const n = sent.reduce((sum, r) => sum + r.sent, 0)
    const members = clients / p1.length
    await ctx.workers.waitForDeliveries(n * members, 30_000)
    const cpu = await meter(n, 'message')
    const t = totals(await ctx.workers.collect())
    const flood = await flooding
    await ctx.workers.disconnect()
    const d = summary(t.deliver)
    const a = summary(t.ack)
    const refused = flood.answers.rate_limited ?? 0
    const codes = Object.entries(flood.answers).map(([code, count]) => `${code} ${int(count)}`).join(', ')
    ctx.log(`  flood: ${int(flood.emitted)} emitted, ${int(flood.answered)} answered (${codes}); others: ${int(n)} sent, ack p50 ${f(a.p50)} p99 ${f(a.p99)} ms; ${cpu}`)
    return {
      id: 'P9',
      scenario: `noisy neighbour: P1 (${int(clients)} clients, ${rate} msg/s × ${seconds} s) while one member floods ${int(flood.emitted / (floodMs / 1000))} requests/s without waiting (reactions, searches, typing)`,
      result: `others: p50 ${f(d.p50)} ms (${flushes(d.p50, ctx.flush)} flush), p99 ${f(d.p99)} ms (${flushes(d.p99, ctx.flush)}) (${int(t.deliveries)}/${int(n * members)} delivered, ${t.errors} errors); flooder: ${int(refused)} of ${int(flood.emitted)} refused`,
      target: 'P1\'s: p50 ≤ 5 ms, p99 ≤ 25 ms',
      pass: d.p50 <= 5 && d.p99 <= 25 && t.deliveries === n * members && t.errors === 0,
    }
  } finally {
    flooder.stop()
  }
}

/** Uses the clients P1 left connected: they drop, messages arrive meanwhile, all reconnect at once and sync. */
export async function p5(ctx: Context): Promise<Row> {
  const { p1 } = ctx.seeded
  const clients = ctx.scale.p5.clients
  await ctx.workers.all({ cmd: 'dropAll' })
  // One message per channel while everyone is away, sent by a member of it.
  const senders = ctx.seeded.users
  await Promise.all(
    p1.map((conversationId, c) =>
      callHttp(ctx.server.url, 'message.send', { conversationId, text: `while away ${c}`, clientId: randomUUID() }, { token: senders[c]!.token }),
    ),
  )
  const meter = await cpuMeter(ctx)
  const res = await ctx.workers.all<{ ms: number; events: number; lost: number; failed: number }>({ cmd: 'reconnectSync', url: ctx.server.url })
  ctx.log(`  ${await meter(clients, 'reconnect')}`)
  const ms = Math.max(...res.map((r) => r.ms))
  const events = res.reduce((s, r) => s + r.events, 0)
  const lost = res.reduce((s, r) => s + r.lost, 0)
  const failed = res.reduce((s, r) => s + r.failed, 0)
  return {
    id: 'P5',
    scenario: `${int(clients)} clients reconnect at once, sync from cursors`,
    result: `${f(ms / 1000, 2)} s, ${int(events)} events (≥ ${int(clients)} expected), ${lost} lost, ${failed} failed`,
    target: '≤ 3 s, 0 lost',
    pass: ms <= 3000 && lost === 0 && failed === 0 && events >= clients,
  }
}

export async function p7(ctx: Context): Promise<Row> {
  const { calls, concurrency } = ctx.scale.p7
  const per = Math.ceil(calls / ctx.workers.count)
  const meter = await cpuMeter(ctx)
  const res = await ctx.workers.all<{ h: string; failed: number }>({
    cmd: 'history', calls: per, concurrency: Math.max(1, Math.round(concurrency / ctx.workers.count)), limit: 50, conversationId: ctx.seeded.history,
  })
  ctx.log(`  ${await meter(per * ctx.workers.count, 'call')}`)
  const s = summary(merge(res.map((r) => r.h)))
  const failed = res.reduce((n, r) => n + r.failed, 0)
  await ctx.workers.disconnect()
  return {
    id: 'P7',
    scenario: `history, last 50 of ${int(ctx.scale.seed.history)} (${int(per * ctx.workers.count)} calls, ${concurrency} concurrent)`,
    result: `p50 ${f(s.p50, 2)} ms, p99 ${f(s.p99, 2)} ms${failed ? `, ${failed} failed` : ''}`,
    target: 'p99 ≤ 10 ms',
    pass: s.p99 <= 10 && failed === 0,
  }
}

export async function p3(ctx: Context): Promise<Row> {
  const { clients, inFlight, seconds } = ctx.scale.p3
  const { p3 } = ctx.seeded
  await connect(ctx, ctx.server.url, ctx.seeded.clients(clients, (i) => [p3[i % p3.length]!]))
  await ctx.workers.all({ cmd: 'record' })
  const meter = await cpuMeter(ctx)
  const res = await ctx.workers.all<{ sent: number }>({ cmd: 'saturate', inFlight: Math.ceil(inFlight / ctx.workers.count), durationMs: seconds * 1000 })
  const cpu = await meter(res.reduce((s, r) => s + r.sent, 0) || 1, 'message')
  await ctx.workers.waitForDeliveries(res.reduce((s, r) => s + r.sent, 0) * (clients / p3.length), 30_000)
  const t = totals(await ctx.workers.collect())
  await ctx.workers.disconnect()
  const acked = t.ack.totalCount
  const rate = acked / seconds
  const a = summary(t.ack)
  const d = summary(t.deliver)
  const fanout = clients / p3.length
  ctx.log(`  ${int(res.reduce((s, r) => s + r.sent, 0))} sends, deliveries ${int(t.deliveries)} of ${int(acked * fanout)}, ack p50 ${f(a.p50)} mean ${f(a.mean)} max ${f(a.max)} ms, deliver p99 ${f(d.p99)} ms; ${cpu}${t.errors ? `, errors: ${t.samples.join('; ')}` : ''}`)
  return {
    id: 'P3',
    scenario: `sustained persisted sends, fan-out ${fanout}, ${inFlight} in flight, ${seconds} s`,
    result: `${int(rate)} msg/s, ack p99 ${f(a.p99)} ms (${flushes(a.p99, ctx.flush)} flush), deliver p99 ${f(d.p99)} ms${t.errors ? `, ${t.errors} errors` : ''}`,
    target: '≥ 2,000 msg/s, p99 ≤ 200 ms',
    pass: rate >= 2000 && a.p99 <= 200 && t.errors === 0,
  }
}

/** One message, then ten in one second, to every member of one big channel; the same on a bare Socket.IO server. */
async function fanout(ctx: Context, url: string, members: number, conversationId: string) {
  await connect(ctx, url, ctx.seeded.clients(members, () => [conversationId]))
  await ctx.workers.all({ cmd: 'record' })
  const first = process.hrtime.bigint()
  await ctx.workers.ask(0, { cmd: 'sendOne', tag: 'one' })
  await ctx.workers.waitForDeliveries(members, 30_000)
  const single = await ctx.workers.collect()
  const lastOne = Math.max(...single.map((c) => Number(BigInt(c.tags.one?.lastNs ?? '0') - first)))
  const gotOne = single.reduce((s, c) => s + (c.tags.one?.count ?? 0), 0)

  await ctx.workers.all({ cmd: 'record' })
  const start = process.hrtime.bigint()
  for (let i = 0; i < 10; i++) {
    void ctx.workers.ask(0, { cmd: 'sendOne', tag: `m${i}` })
    await sleep(100)
  }
  await ctx.workers.waitForDeliveries(members * 10, 60_000)
  const ten = await ctx.workers.collect()
  const last = Math.max(...ten.flatMap((c) => Object.values(c.tags).map((t) => Number(BigInt(t.lastNs) - start))))
  const got = ten.reduce((s, c) => s + c.deliveries, 0)
  await ctx.workers.disconnect()
  return { lastOneMs: lastOne / 1e6, gotOne, perSecond: got / (last / 1e9), got, spanMs: last / 1e6 }
}

export async function p2(ctx: Context): Promise<Row[]> {
  const members = ctx.scale.p2.members
  const ours = await fanout(ctx, ctx.server.url, members, ctx.seeded.big)
  ctx.log(`  OComms: first message's last delivery ${f(ours.lastOneMs)} ms; 10 messages: ${int(ours.got)} deliveries in ${f(ours.spanMs)} ms`)
  const bare = await startBare()
  let theirs
  try {
    theirs = await fanout(ctx, bare.url, members, ctx.seeded.big)
  } finally {
    await bare.stop()
  }
  ctx.log(`  bare Socket.IO: first message's last delivery ${f(theirs.lastOneMs)} ms; 10 messages: ${int(theirs.got)} deliveries in ${f(theirs.spanMs)} ms`)
  const ratio = ours.perSecond / theirs.perSecond
  return [
    {
      id: 'P2',
      scenario: `one message to a ${int(members)}-member channel, all connected`,
      result: `last delivery ${f(ours.lastOneMs)} ms (${int(ours.gotOne)}/${int(members)}); bare Socket.IO ${f(theirs.lastOneMs)} ms`,
      target: '≤ 100 ms',
      pass: ours.lastOneMs <= 100 && ours.gotOne === members,
    },
    {
      id: 'P2b',
      scenario: `then 10 messages in one second`,
      result: `${int(ours.perSecond)} deliveries/s vs bare ${int(theirs.perSecond)}/s = ${f(ratio, 2)}× (${int(ours.got)}/${int(members * 10)})`,
      target: '≥ 0.5× bare Socket.IO',
      pass: ratio >= 0.5 && ours.got === members * 10,
    },
  ]
}

/**
 * The mix a person's client produces: history and channel list reads, sync, sends, and —
 * where the server has them — typing, presence, reactions and unreads. Each kind is used
 * only if an operation for it exists (checked against the operation table), so the same
 * harness measures the product as features land.
 */
export function mixOperations(): { ops: string[]; missing: string[] } {
  const have = new Set(Object.keys(operations))
  const kinds: Array<[kind: string, weight: number, candidates: string[]]> = [
    ['history', 25, ['message.list']],
    ['channels', 10, ['conversation.list']],
    ['sync', 10, ['sync']],
    ['send', 10, ['message.send']],
    ['typing', 25, ['typing.start', 'typing', 'conversation.typing', 'typing.send']],
    ['presence', 10, ['presence.activity', 'presence.heartbeat', 'presence.set']],
    ['reaction', 5, ['reaction.add', 'message.react', 'reaction.toggle']],
    ['unreads', 5, ['unread.list', 'unreads.list', 'unreads', 'unread.counts']],
  ]
  const ops: string[] = []
  const missing: string[] = []
  for (const [kind, weight, candidates] of kinds) {
    const name = candidates.find((c) => have.has(c))
    if (name) ops.push(`${kind}:${name}:${weight}`)
    else missing.push(kind)
  }
  return { ops, missing }
}

export async function p8(ctx: Context): Promise<Row> {
  const { steps, seconds, thinkMs } = ctx.scale.p8
  const { ops: wanted, missing } = mixOperations()
  // An operation whose input this harness guessed wrong is left out (and said so), rather
  // than counted as errors of the server.
  await connect(ctx, ctx.server.url, ctx.seeded.clients(1, (i) => mixOf(i, ctx.seeded.mix, 3)))
  const refused = await ctx.workers.ask<Record<string, string>>(0, { cmd: 'probe', ops: wanted })
  await ctx.workers.disconnect()
  for (const [spec, err] of Object.entries(refused)) ctx.log(`  left out ${spec.split(':')[1]}: ${err}`)
  const ops = wanted.filter((spec) => !refused[spec])
  missing.push(...Object.keys(refused).map((spec) => `${spec.split(':')[0]} (input unknown)`))
  let best = 0
  let detail = ''
  let lastFail = ''
  for (const users of steps) {
    if (users > ctx.seeded.users.length) break
    await connect(ctx, ctx.server.url, ctx.seeded.clients(users, (i) => mixOf(i, ctx.seeded.mix, 3)))
    await ctx.workers.all({ cmd: 'record' })
    await ctx.workers.all({ cmd: 'mix', durationMs: seconds * 1000, thinkMs, ops })
    const collected = await ctx.workers.collect()
    await ctx.workers.disconnect()
    const byOp = new Map<string, { h: string[]; errors: number }>()
    for (const c of collected) {
      for (const [op, v] of Object.entries(c.ops)) {
        const e = byOp.get(op) ?? { h: [], errors: 0 }
        e.h.push(v.h)
        e.errors += v.errors
        byOp.set(op, e)
      }
    }
    const all = merge([...byOp.values()].flatMap((v) => v.h))
    const errors = [...byOp.values()].reduce((s, v) => s + v.errors, 0)
    const count = all.totalCount + errors
    const s = summary(all)
    const errorRate = count === 0 ? 1 : errors / count
    const ok = s.mean <= 100 && s.p99 <= 2000 && errorRate <= 0.00025
    const per = [...byOp].map(([op, v]) => `${op} p99 ${f(summary(merge(v.h)).p99)}`).join(', ')
    ctx.log(`  ${int(users)} users: ${int(count / seconds)} req/s, avg ${f(s.mean)} ms, p99 ${f(s.p99)} ms, errors ${f(errorRate * 100, 3)}% — ${ok ? 'ok' : 'over'} (${per})`)
    const samples = collected.flatMap((c) => c.errorSamples).slice(0, 2)
    if (samples.length) ctx.log(`    errors: ${samples.join(' | ')}`)
    if (!ok) {
      lastFail = `${int(users)} over (avg ${f(s.mean)} ms, p99 ${f(s.p99)} ms, err ${f(errorRate * 100, 3)}%)`
      break
    }
    best = users
    detail = `avg ${f(s.mean)} ms, p99 ${f(s.p99)} ms, ${int(count / seconds)} req/s`
  }
  return {
    id: 'P8',
    scenario: `realistic mix, one action per user every ${thinkMs / 1000} s on average${missing.length ? ` (not on this server yet: ${missing.join(', ')})` : ''}`,
    result: best ? `${int(best)} users: ${detail}${lastFail ? `; ${lastFail}` : `; largest step tried`}` : `none passed: ${lastFail}`,
    target: '≥ 2,000 users (avg ≤ 100 ms, p99 ≤ 2 s, errors ≤ 0.025%)',
    pass: full(ctx) ? best >= 2000 : null,
  }
}

const idleSeconds = 5

/**
 * Sends, not measured, so that the steps meet the server as a day in use leaves it: the
 * statements' plans made, the pool's connections open, the send path compiled by the JIT, in
 * batches (`busy`) and alone (`at`, the first step's rate, which also lets the JavaScript heap grow
 * back to that rate after the idle measurement). A second at 50 msg/s, the warm-up until
 * 6 December 2026, left the first step running code still being compiled: its CPU per message was
 * 1.7 times that of the same step run after the 1,000 msg/s one (docs/performance.md, P10).
 */
async function p10WarmUp(ctx: Context, phase: { busy: true } | { at: number }) {
  const rate = 'busy' in phase ? 1_000 : phase.at
  await ctx.workers.all({ cmd: 'send', rate: rate / ctx.workers.count, durationMs: 5_000, paced: true })
  // The last deliveries, and the compiler's last jobs, before what follows.
  await sleep(1_500)
}

type P10Step = Awaited<ReturnType<typeof p10Step>>

/** One open-loop step of P10 at `rate`: sent, every delivery awaited, CPU per message of `serverPid`. */
async function p10Step(ctx: Context, rate: number, seconds: number, members: number, serverPid: number) {
  await ctx.workers.all({ cmd: 'record' })
  const meter = await cpuMeterRaw(ctx, serverPid)
  const sent = await ctx.workers.all<{ sent: number }>({ cmd: 'send', rate: rate / ctx.workers.count, durationMs: seconds * 1000, paced: true })
  const n = sent.reduce((sum, r) => sum + r.sent, 0)
  await ctx.workers.waitForDeliveries(n * members, 30_000)
  const cpu = await meter(n || 1)
  const t = totals(await ctx.workers.collect())
  return { n, t, cpu, a: summary(t.ack), d: summary(t.deliver) }
}

/**
 * Small rooms at everyday rates: `clients` connected, in rooms of 10, send open loop (paced to
 * the millisecond) at each rate of the steps in turn. Per step: send→ack and send→deliver
 * p50/p99 (every delivery, the sender's own included), each also as a multiple of the disk's
 * flush, and the server's and PostgreSQL's CPU per message. The target is the issue's: up to
 * 1,000 messages/s, p50 ≤ 2 ms and p99 ≤ 10 ms for both, and CPU per message at 100 msg/s no
 * higher than at 1,000 msg/s. Then the same steps against a bare Socket.IO relay (the same
 * clients and rooms, nothing stored): what the transport alone costs on this machine, at the
 * same moment, so that each figure of OComms reads against it.
 */
export async function p10(ctx: Context): Promise<Row[]> {
  const { clients, steps, seconds } = ctx.scale.p10
  const { p10 } = ctx.seeded
  const members = clients / p10.length
  const chosen = ctx.seeded.clients(clients, (i) => [p10[i % p10.length]!])
  await connect(ctx, ctx.server.url, chosen)
  await p10WarmUp(ctx, { busy: true })
  // What the server and PostgreSQL spend with everyone connected and nobody sending: a cost per
  // second that a step's CPU per message carries divided by its rate, ten times more at 100 msg/s
  // than at 1,000.
  const idle = await cpuMeterRaw(ctx)
  await sleep(idleSeconds * 1000)
  const still = await idle(idleSeconds)
  ctx.log(`  idle, ${int(clients)} connected: CPU per second: server ${f(still.server * 1000, 1)} ms${still.pg !== null ? `, PostgreSQL ${f(still.pg * 1000, 1)} ms` : ''}`)
  await p10WarmUp(ctx, { at: steps[0]! })
  const ours: P10Step[] = []
  const cpuAt = new Map<number, number>()
  for (const rate of steps) {
    const before = await dbCounters(ctx.db.url)
    const step = await p10Step(ctx, rate, seconds, members, ctx.server.pid)
    ours.push(step)
    const { n, t, cpu, a, d } = step
    // After the backends reported their counts (within a second of going idle).
    await sleep(1_100)
    const after = await dbCounters(ctx.db.url)
    const per = (k: keyof typeof after) => (after[k] - before[k]) / (n || 1)
    ctx.log(
      `  ${int(rate)} msg/s, per message: ${f(per('commits'), 2)} transactions, ${f(per('walRecords'), 1)} WAL records, ${int(per('walBytes'))} WAL bytes; ` +
        `during the step: ${after.checkpoints - before.checkpoints} checkpoints, ${after.autovacuums - before.autovacuums} autovacuum/autoanalyze runs`,
    )
    if (cpu.pg !== null) cpuAt.set(rate, cpu.server + cpu.pg)
    ctx.log(`  ${int(rate)} msg/s: ${int(n)} sent, ${int(t.deliveries)} of ${int(n * members)} deliveries, ack p50 ${f(a.p50, 2)} p99 ${f(a.p99, 2)} ms, deliver p50 ${f(d.p50, 2)} p99 ${f(d.p99, 2)} ms; ${cpu.text('message')}`)
    await sleep(500)
  }
  await ctx.workers.disconnect()

  const bare = await startBare()
  const theirs: P10Step[] = []
  try {
    await connect(ctx, bare.url, chosen)
    await p10WarmUp(ctx, { busy: true })
    await p10WarmUp(ctx, { at: steps[0]! })
    for (const rate of steps) {
      const step = await p10Step(ctx, rate, seconds, members, bare.pid)
      theirs.push(step)
      const { a, d, cpu } = step
      ctx.log(`  bare Socket.IO relay, ${int(rate)} msg/s: ack p50 ${f(a.p50, 2)} p99 ${f(a.p99, 2)} ms, deliver p50 ${f(d.p50, 2)} p99 ${f(d.p99, 2)} ms; CPU per message: relay ${f(cpu.server * 1000, 2)} ms, load generators ${f(cpu.load * 1000, 2)} ms`)
      await sleep(500)
    }
    await ctx.workers.disconnect()
  } finally {
    await bare.stop()
  }

  const x = (ms: number) => flushes(ms, ctx.flush)
  const rows: Row[] = steps.map((rate, i) => {
    const { n, t, cpu, a, d } = ours[i]!
    const relay = theirs[i]!
    const judged = rate <= 1_000
    const ok = a.p50 <= 2 && a.p99 <= 10 && d.p50 <= 2 && d.p99 <= 10 && t.deliveries === n * members && t.errors === 0
    const pgCpu = cpu.pg !== null ? ` + PostgreSQL ${f(cpu.pg * 1000, 2)}` : ''
    return {
      id: 'P10',
      scenario: `small rooms: ${int(clients)} clients in rooms of ${members}, ${int(rate)} msg/s × ${seconds} s (open loop)`,
      result:
        `ack p50 ${f(a.p50, 2)} ms (${x(a.p50)}), p99 ${f(a.p99, 2)} ms (${x(a.p99)}); ` +
        `deliver p50 ${f(d.p50, 2)} ms (${x(d.p50)}), p99 ${f(d.p99, 2)} ms (${x(d.p99)}); ` +
        `CPU/msg server ${f(cpu.server * 1000, 2)}${pgCpu} ms` +
        `${t.deliveries !== n * members ? `; ${int(t.deliveries)}/${int(n * members)} delivered` : ''}${t.errors ? `; ${t.errors} errors` : ''}` +
        `; bare relay: ack p50 ${f(relay.a.p50, 2)}, p99 ${f(relay.a.p99, 2)} ms, CPU/msg ${f(relay.cpu.server * 1000, 2)} ms`,
      target: judged ? 'p50 ≤ 2 ms, p99 ≤ 10 ms' : 'none (above 1,000 msg/s)',
      pass: judged ? ok : null,
    }
  })
  const low = cpuAt.get(steps[0]!)
  const high = cpuAt.get(1_000)
  if (low !== undefined && high !== undefined && steps[0]! < 1_000) {
    const relayAt = (rate: number) => theirs[steps.indexOf(rate)]!.cpu.server
    rows.push({
      id: 'P10c',
      scenario: `small rooms: server + PostgreSQL CPU per message at ${int(steps[0]!)} against 1,000 msg/s`,
      result:
        `${f(low * 1000, 2)} ms against ${f(high * 1000, 2)} ms (${f(low / high, 2)}×); ` +
        `bare relay ${f(relayAt(steps[0]!) * 1000, 2)} against ${f(relayAt(1_000) * 1000, 2)} ms (${f(relayAt(steps[0]!) / relayAt(1_000), 2)}×)`,
      target: 'no higher at the lower rate',
      pass: low <= high * 1.05,
    })
  }
  return rows
}
