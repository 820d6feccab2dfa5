/**
 * `npm run bench:lone -- --server .bench-baseline/server/src/main.ts [--sends 400]`
 *
 * The latency of a lone send, two server revisions side by side: this checkout's server and the
 * one given with --server run at the same time on the same database, each with ten members of
 * a room of ten connected, and the members of each send in turn, one send at a time, alternating between
 * the two (which one goes first alternates too). Both meet the same moments of the machine, so
 * on a machine shared with other work the difference between them still means something when
 * the absolute numbers do not (docs/performance.md, P10). Prints send→ack p50/p99 for each,
 * also as multiples of the disk's flush measured at the start.
 */
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { io, type Socket } from 'socket.io-client'
import { benchDatabase } from './src/database.js'
import { describeFlush, flushes, measureFlush } from './src/flush.js'
import { seed } from './src/seed.js'
import { startOComms, type Proc } from './src/servers.js'
import { histogram, nowNs, summary, usSince } from './src/stats.js'

const { values } = parseArgs({ options: { server: { type: 'string' }, sends: { type: 'string', default: '400' } } })
if (!values.server) throw new Error('--server <another revision\'s server/src/main.ts> is required')
const sends = Number(values.sends)
const log = (line: string) => process.stderr.write(`${line}\n`)

const db = await benchDatabase()
const servers: Proc[] = []
const sockets: Socket[] = []
try {
  const flush = await measureFlush(db.serverUrl)
  log(`flush: ${describeFlush(flush)}`)
  const seeded = await seed(db.url, {
    users: 20, p1: { channels: 2, members: 10 }, p3: { channels: 1, members: 10 }, p10: { channels: 1, members: 10 }, big: 10, mixSize: 10, mixPerUser: 1, history: 10,
  })
  const sides = [
    { name: 'this checkout', main: undefined, room: seeded.p1[0]! },
    { name: values.server, main: resolve(values.server), room: seeded.p1[1]! },
  ]
  const live = []
  for (const side of sides) {
    const server = await startOComms(db.serverUrl, { main: side.main })
    servers.push(server)
    // User i is in p1 room i % 2: the ten of each room connect to their side's server.
    const members = seeded.users.map((u, i) => ({ ...u, i })).filter((u) => u.i % 2 === sides.indexOf(side))
    const connected = await Promise.all(
      members.map(
        (u) =>
          new Promise<Socket>((ok, fail) => {
            const s = io(server.url, { transports: ['websocket'], auth: { token: u.token }, reconnection: false, forceNew: true })
            sockets.push(s)
            s.once('connect', () => ok(s))
            s.once('connect_error', fail)
          }),
      ),
    )
    live.push({ ...side, members: connected, h: histogram() })
  }
  let turn = 0
  const send = (side: (typeof live)[number]) =>
    new Promise<void>((done, fail) => {
      // The members take turns, each far below the per-person rate limit.
      const sender = side.members[turn++ % side.members.length]!
      const t0 = nowNs()
      sender.timeout(30_000).emit('message.send', { conversationId: side.room, text: `lone ${t0}`, clientId: randomUUID() }, (err: Error | null, a: { ok: boolean }) => {
        if (err || !a.ok) return fail(err ?? new Error(JSON.stringify(a)))
        side.h.recordValue(Math.max(1, usSince(t0)))
        done()
      })
    })
  // Warm-up: the statements' plans and the pools' connections, on both.
  for (let i = 0; i < 20; i++) for (const side of live) await send(side)
  for (const side of live) side.h.reset()
  for (let i = 0; i < sends; i++) {
    const order = i % 2 ? [live[1]!, live[0]!] : live
    for (const side of order) await send(side)
    await new Promise((r) => setTimeout(r, 5)) // lone sends: nothing else in flight
  }
  for (const side of live) {
    const s = summary(side.h)
    process.stdout.write(`${side.name}: ${s.count} sends, ack p50 ${s.p50.toFixed(2)} ms (${flushes(s.p50, flush)} flush), p99 ${s.p99.toFixed(2)} ms (${flushes(s.p99, flush)}), mean ${s.mean.toFixed(2)} ms\n`)
  }
} finally {
  for (const s of sockets) s.close()
  for (const s of servers) await s.stop()
  await db.stop()
}
