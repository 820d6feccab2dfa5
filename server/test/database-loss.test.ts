import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { callHttp, callSocket, OCommsError, type CallInput, type OperationName } from '@ocomms/shared'
import { pino } from 'pino'
import postgres from 'postgres'
import { io as connectSocket } from 'socket.io-client'
import { build, loadConfig } from '../src/index.js'
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded.js'
import { freePort } from '../src/net/free-port.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The server on its own embedded PostgreSQL, which is stopped and started again in the middle
 * of a burst of sends. Clients behave like the daemon's outbox: on `unavailable` they retry the
 * same clientId after a pause. Nothing acknowledged may be lost, nothing stored twice, and every
 * error while the database is gone must be `unavailable` (503), never `internal`.
 */
// It runs in about 20 s on a busy 2-core machine; a driver fault that hangs the sends (see
// postgres-driver.test.ts for each fix alone) fails it at the timeout instead of tap's five minutes.
t.test('PostgreSQL restarted mid-burst: clear errors, recovery by itself, nothing acknowledged lost', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-dbloss-'))
  const pgPort = await freePort()
  let db: EmbeddedDatabase | null = await startEmbeddedDatabase(dir, () => {}, { port: pgPort })
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    },
  })
  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: db.url, logLevel: 'warn', dbPoolSize: 10 })
  const { app } = await build({ config, databaseUrl: db.url, logger: pino({ level: 'warn' }, stream) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  t.teardown(async () => {
    await app.close()
    await db?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const call = <N extends OperationName>(name: N, input: CallInput<N>, token: string | null = null) => callHttp(url, name, input, { token })
  const clients = 6
  const perClient = 20
  const people = []
  for (let i = 0; i < clients; i++) {
    people.push(await call('auth.signup', { email: `p${i}@example.test`, password: 'correct horse battery staple', name: `P${i}`, handle: `p${i}` }))
  }
  const ws = await call('workspace.create', { name: 'Acme' }, people[0]!.token)
  const general = await call('channel.find', { workspaceId: ws.id, name: 'general' }, people[0]!.token)
  for (const p of people.slice(1)) {
    const invite = await call('invite.create', { workspaceId: ws.id }, people[0]!.token)
    await call('invite.accept', { code: invite.code }, p.token)
  }
  const sockets = await Promise.all(
    people.map(
      (p) =>
        new Promise<ReturnType<typeof connectSocket>>((resolve, reject) => {
          const s = connectSocket(url, { transports: ['websocket'], auth: { token: p.token }, reconnection: false, forceNew: true })
          s.once('connect', () => resolve(s))
          s.once('connect_error', reject)
        }),
    ),
  )
  t.teardown(() => sockets.forEach((s) => s.close()))

  const acked = new Map<string, string>()
  let upAt = 0
  let firstAckAfterOutage = -1
  const errorCodes = new Map<string, number>()
  let sent = 0
  const burst = people.map(async (p, i) => {
    for (let n = 0; n < perClient; n++) {
      const clientId = `c${i}-${n}`
      const input = { conversationId: general.id, text: `message ${n} from ${i}`, clientId }
      for (let attempt = 0; ; attempt++) {
        try {
          // Half the clients over REST, half over their socket.
          const m = i % 2 === 0 ? await call('message.send', input, p.token) : await callSocket(sockets[i]!.timeout(60_000), 'message.send', input)
          acked.set(clientId, m.id)
          sent++
          if (upAt > 0 && firstAckAfterOutage < 0) firstAckAfterOutage = Date.now() - upAt
          break
        } catch (err) {
          const code = err instanceof OCommsError ? err.code : `thrown: ${String(err)}`
          errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1)
          if (code !== 'unavailable' || attempt > 200) throw err
          await sleep(100)
        }
      }
    }
  })

  // Take the database away once a third of the burst is acknowledged, for about two seconds.
  while (sent < (clients * perClient) / 3) await sleep(10)
  await db.stop()
  db = null
  const downAt = Date.now()
  const health = await fetch(`${url}/health`)
  t.equal(health.status, 503, '/health says 503 while the database is gone')
  t.match(await health.json(), { status: 'unavailable' })
  const duringOutage = await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${people[0]!.token}` } })
  t.equal(duringOutage.status, 503, 'requests get 503')
  t.match(await duringOutage.json(), { error: { code: 'unavailable' } }, 'with the unavailable code')
  await sleep(Math.max(0, 2000 - (Date.now() - downAt)))
  db = await startEmbeddedDatabase(dir, () => {}, { port: pgPort })
  upAt = Date.now()
  let recovered = -1
  while (Date.now() - upAt < 10_000) {
    const res = await fetch(`${url}/health`).catch(() => null)
    if (res?.status === 200) {
      recovered = Date.now() - upAt
      break
    }
    await sleep(100)
  }
  t.ok(recovered >= 0 && recovered < 10_000, `/health is ok again within 10 s (${recovered} ms)`)

  await Promise.all(burst)
  // The issue asks for 10 s; the pool's capped backoff gives well under one (the driver's own
  // backoff took 3 to 14 s here), so 5 s catches a return to it.
  t.ok(firstAckAfterOutage >= 0 && firstAckAfterOutage < 5_000, `sends are acknowledged again within 5 s, without intervention (${firstAckAfterOutage} ms)`)
  t.equal(acked.size, clients * perClient, 'every send was eventually acknowledged')
  t.ok((errorCodes.get('unavailable') ?? 0) > 0, 'the outage was felt by the clients (the test is not vacuous)')
  t.same([...errorCodes.keys()].filter((c) => c !== 'unavailable'), [], 'the only error clients ever saw was unavailable')
  t.notOk(logs.some((l) => l.msg === 'unexpected error'), 'no internal error was logged')

  const sql = postgres(db.url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const rows = await sql<{ client_id: string; id: string }[]>`select client_id, id::text from messages where conversation_id = ${general.id}`
  t.equal(rows.length, clients * perClient, 'exactly one stored message per clientId: none lost, none twice')
  t.ok(rows.every((r) => acked.get(r.client_id) === r.id), 'each acknowledged id is the stored one')
  const seqs = await sql<{ seq: number }[]>`
    select seq::int from events where stream = 'conversation' and stream_id = ${general.id} order by seq`
  t.same(seqs.map((r) => r.seq), seqs.map((_, i) => i + 1), 'the conversation\'s seqs have no gap')
})
