import t from 'tap'
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'
import { freshDatabase } from './helpers/database.js'

// Pins each fix in patches/postgres+3.4.9.patch (docs/patches.md), one test per fix, named by its
// marker. Without its fix each test fails within seconds: a query that would hang fails after a
// few seconds (`answered`), a crash ends the file, and each test has a timeout besides.
const timeout = 20_000

/** `query`'s result, or a failure naming what did not answer after `ms`. */
function answered<T>(query: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)
  })
  return Promise.race([query, late]).finally(() => clearTimeout(timer))
}

type Test = Parameters<Parameters<typeof t.test>[1]>[0]

/**
 * A fresh database, a pool on it (`options`) whose sockets the test can reach (the driver's
 * `socket` option), and a second connection for looking from outside.
 */
async function database(t: Test, options: Parameters<typeof postgres>[1] = {}) {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const { hostname, port } = new URL(db.url)
  const sockets: Socket[] = []
  const socket = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: hostname, port: Number(port || 5432) }, () => resolve(s))
      s.once('error', reject)
      sockets.push(s)
    })
  const sql = postgres(db.url, { onnotice: () => {}, ...options, socket })
  // A test that failed may leave a query hanging, which ending the pool rejects: ignored here,
  // so the other teardowns still run; and a connection the fault left paused would never see
  // the server close it, so its socket is destroyed.
  t.teardown(() => sql.end({ timeout: 1 }).catch(() => {}))
  t.teardown(() => sockets.forEach((s) => s.destroy()))
  const admin = postgres(db.url, { max: 1, onnotice: () => {} })
  t.teardown(() => admin.end({ timeout: 1 }).catch(() => {}))
  return { sql, admin, sockets }
}

t.test('copy-resume: a COPY read by a slow consumer ends and leaves its connection usable', { timeout }, async (t) => {
  // The driver pauses the socket while the consumer is behind and resumed it only on the
  // consumer's next read; when COPY ended in that state the connection never answered again
  // (a backup hung on its next table). Several rounds, because it depends on chunk timing.
  const { sql } = await database(t, { max: 1 })
  for (let round = 0; round < 5; round++) {
    const copied = sql.begin(async (tx) => {
      const readable = await tx.unsafe(`copy (select g, repeat('x', 200) from generate_series(1, 20000) g) to stdout`).readable()
      let bytes = 0
      const slow = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length
          setImmediate(done)
        },
      })
      await pipeline(readable, slow)
      const [row] = await tx<{ one: number }[]>`select 1 as one`
      return { bytes, one: row!.one }
    })
    const result = await answered(copied, `round ${round}: a COPY, then a query on the same connection`, 8_000)
    t.ok(result.bytes > 20000 * 200, `round ${round}: every row arrived`)
    t.equal(result.one, 1, `round ${round}: the next query on the same connection is answered`)
  }
})

t.test('begin-reserves: a transaction that starts on a connection with a full pipeline is still its own', { timeout }, async (t) => {
  // The driver reserved a transaction's connection only when that connection could take more
  // pipelined queries; at the pipeline's limit BEGIN went out unreserved and the transaction
  // failed with UNSAFE_TRANSACTION (seen under load as `internal` answers to message.send).
  // max_pipeline 1 puts every BEGIN that queues behind a running query at that limit.
  const { sql } = await database(t, { max: 2, max_pipeline: 1 })
  await sql`create table t (n int)`
  await Promise.all([sql`select pg_sleep(0.01)`, sql`select pg_sleep(0.01)`])
  for (let round = 0; round < 3; round++) {
    const busy = [sql`select pg_sleep(0.1)`.execute(), sql`select pg_sleep(0.1)`.execute()]
    const committed = sql.begin(async (tx) => (await tx`insert into t values (${round})`).count)
    await Promise.all(busy)
    t.equal(await committed, 1, `round ${round}: the transaction runs and commits`)
  }
  const rows = await sql<{ n: number }[]>`select n from t order by n`
  t.same(rows.map((r) => r.n), [0, 1, 2], 'every transaction committed its row')
  const [{ stuck }] = await sql<{ stuck: number }[]>`
    select count(*)::int as stuck from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`
  t.equal(stuck, 0, 'no pooled connection is left inside a transaction')
})

t.test("drain-reserved: a socket drain between a transaction's queries does not lend its connection to the pool", { timeout }, async (t) => {
  // 'drain' (a write that filled the socket's buffer has gone out) handed an idle connection
  // back to the pool, even one a transaction holds between two queries: the pool's next query
  // then ran inside that transaction. The socket is the test's (see `database`), so the test can
  // make the drain happen at that moment.
  const { sql, admin, sockets } = await database(t, { max: 1 })
  await admin`create table t (n int)`
  let seen: number | null = null
  const outside = sql
    .begin(async (tx) => {
      await tx`insert into t values (1)`
      for (const s of sockets) s.emit('drain')
      // A query from outside the transaction, while the transaction is open: it must wait.
      const pending = sql<{ n: number }[]>`select count(*)::int as n from t`.then(([r]) => (seen = r!.n))
      await sleep(200)
      t.equal(seen, null, 'the outside query has not run while the transaction is open')
      throw Object.assign(new Error('roll back'), { pending })
    })
    .catch((err: Error & { pending?: Promise<number> }) => err.pending)
  t.equal(await outside, 0, 'it ran after the rollback, outside the transaction: it sees no row')
})

t.test('closed-write: a query on a connection whose server went away fails instead of ending the process', { timeout }, async (t) => {
  // A write is scheduled for the end of the tick; when the connection had closed by then the
  // write threw from the timer (socket is null), an uncaught exception that ended the server.
  // A reserved connection keeps its closed connection, which makes the case deterministic.
  const { sql, admin } = await database(t, { max: 1 })
  const reserved = await sql.reserve()
  t.teardown(() => reserved.release())
  const [{ pid }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`
  await admin`select pg_terminate_backend(${pid})`
  await sleep(200)
  const failure = await reserved`select 1`.then(
    () => null,
    (err: { code?: string }) => err,
  )
  t.match(failure, { code: 'CONNECTION_CLOSED' }, 'the query fails with CONNECTION_CLOSED')
  t.match(await sql`select 1 as one`, [{ one: 1 }], 'and the pool goes on')
})

t.test("lost-transaction: a transaction whose connection closed sends nothing into the connection's successor", { timeout }, async (t) => {
  // When the server closes a transaction's connection, the pool reconnects it for other
  // queries. The transaction's callback did not know and went on: its next statement ran on
  // the new connection, outside any transaction, and committed on its own.
  const { sql, admin } = await database(t, { max: 1 })
  await admin`create table t (n int)`
  let late: string | null = null
  const outcome = await sql
    .begin(async (tx) => {
      const [{ pid }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`
      await admin`select pg_terminate_backend(${pid})`
      await sleep(200)
      await sql`select 1` // the pool reconnects the same connection object for this
      late = await tx`insert into t values (1)`.then(
        () => 'ran',
        (err: { code?: string }) => `failed: ${err.code}`,
      )
    })
    .then(
      () => 'committed',
      (err: { code?: string }) => `failed: ${err.code}`,
    )
  t.equal(outcome, 'failed: CONNECTION_CLOSED', 'the transaction fails with the connection')
  while (late === null) await sleep(10)
  t.equal(late, 'failed: CONNECTION_CLOSED', 'its statement after the close fails too')
  const [{ n }] = await admin<{ n: number }[]>`select count(*)::int as n from t`
  t.equal(n, 0, 'and wrote nothing')
})

t.test('unsent-dropped: what a closed connection had not sent yet is not sent on its successor', { timeout }, async (t) => {
  // A query's bytes wait for the end of the tick before they are written. When the connection
  // closed first, the query failed, but its bytes stayed in the buffer and went out ahead of the
  // reconnected connection's startup message, which the server then could not read: the
  // connection hung, and every query on it.
  const { sql, admin, sockets } = await database(t, { max: 1 })
  await admin`create table t (n int)`
  await sql`select 1`
  // From an immediate, the query's write is scheduled for the next round of the event loop, and
  // the socket's close is handled in this one: the close comes first.
  const insert = await new Promise<Promise<string>>((resolve) =>
    setImmediate(() => {
      const q = sql`insert into t values (1)`.execute().then(
        () => 'ran',
        (err: { code?: string }) => `failed: ${err.code}`,
      )
      sockets.at(-1)!.destroy()
      resolve(q)
    }),
  )
  t.equal(await insert, 'failed: CONNECTION_CLOSED', 'the query in flight fails with its connection')
  t.match(await answered(sql`select count(*)::int as n from t`.execute(), 'the next query'), [{ n: 0 }], 'the next query is answered on a new connection, and the failed one did not run')
  t.equal(sockets.length, 2, 'on a second socket')
})

t.test('reserve-requeued: a reserve waiting for a connection the server closes gets the reconnected one', { timeout }, async (t) => {
  // A reserve that waits for the pool's connection was handed to that connection's reconnect
  // and then dropped once it reconnected: it never settled, and the pool's connection stayed
  // with nobody. The server's group commit reserves a connection per batch, so after a database
  // restart under load a send stayed unanswered for good.
  const { sql, admin } = await database(t, { max: 1 })
  const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`
  const busy = sql`select pg_sleep(5)`.catch(() => null)
  await sleep(100)
  const reserving = sql.reserve()
  await sleep(100)
  await admin`select pg_terminate_backend(${pid})`
  await busy
  const reserved = await answered(reserving, 'the reserve')
  t.match(await answered(reserved<{ one: number }[]>`select 1 as one`, 'a query on the reserved connection'), [{ one: 1 }], 'the reserve gets the reconnected connection')
  reserved.release()
  t.match(await answered(sql<{ two: number }[]>`select 2 as two`, 'the pool after the release'), [{ two: 2 }], 'and gives it back to the pool')
})

t.test('reserve-requeued: a reserve whose connection cannot be made fails, and the pool goes on', { timeout }, async (t) => {
  // The refused reserve must leave the queue too: else the next connection that opens is
  // handed to it, a reserve nobody waits for any more, and is lost to the pool.
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const { hostname, port } = new URL(db.url)
  // While `refuse`, each connection goes to a port nothing listens on (refused, as a stopped
  // database's would be).
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
  let refuse = true
  const socket = () =>
    refuse
      ? Promise.resolve(netConnect({ host: '127.0.0.1', port: closedPort }))
      : new Promise<Socket>((resolve, reject) => {
          const s = netConnect({ host: hostname, port: Number(port || 5432) }, () => resolve(s))
          s.once('error', reject)
        })
  const sql = postgres(db.url, { max: 1, onnotice: () => {}, socket, connect_timeout: 2 })
  t.teardown(() => sql.end({ timeout: 1 }).catch(() => {}))
  const failure = await answered(sql.reserve().then(() => null, (err: Error) => err), 'the refused reserve')
  t.ok(failure, 'the reserve fails while no connection can be made')
  refuse = false
  t.match(await answered(sql<{ one: number }[]>`select 1 as one`, 'the pool once connections can be made'), [{ one: 1 }], 'then the pool answers')
  const reserved = await answered(sql.reserve(), 'a later reserve')
  t.match(await answered(reserved<{ two: number }[]>`select 2 as two`, 'a query on it'), [{ two: 2 }], 'and a later reserve gets a connection')
  reserved.release()
})

t.test("reserve-lost: a reserved connection that closed sends nothing into its successor, and its reservation fails at once", { timeout }, async (t) => {
  // The server's group commit runs each batch on a reserved connection. When the database went
  // away under it, the pool reconnected that connection for the queries waiting for it, and the
  // batch's statements and then its rollback went on being handed to it: the rollback never
  // settled, so the batch, its lane, and the sends queued behind them waited for good
  // (database-loss.test.ts, now and then). As lost-transaction does for sql.begin().
  const { sql, admin } = await database(t, { max: 1 })
  await admin`create table t (n int)`
  const reserved = await sql.reserve()
  const [{ pid }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`
  // Waits for the pool's one connection, which the reservation holds.
  const waiting = sql`select 1 as one`.execute()
  await admin`select pg_terminate_backend(${pid})`
  await sleep(200) // the close is seen; the pool reconnects the same connection object for `waiting`
  const late = await answered(
    reserved`insert into t values (1)`.execute().then(
      () => 'ran',
      (err: { code?: string }) => `failed: ${err.code}`,
    ),
    'a statement on the lost reservation',
  )
  t.equal(late, 'failed: CONNECTION_CLOSED', 'a statement after the close fails at once')
  const rollback = await answered(
    reserved`rollback`.execute().then(
      () => 'ran',
      (err: { code?: string }) => `failed: ${err.code}`,
    ),
    'its rollback',
  )
  t.equal(rollback, 'failed: CONNECTION_CLOSED', 'so does its rollback')
  reserved.release()
  t.match(await answered(waiting, 'the query that waited for the connection'), [{ one: 1 }], 'the pool goes on with the reconnected connection')
  t.match(await answered(sql`select 2 as two`.execute(), 'the next query'), [{ two: 2 }], 'and with the next query, the release having handed nothing twice')
  const [{ n }] = await admin<{ n: number }[]>`select count(*)::int as n from t`
  t.equal(n, 0, 'and the reservation wrote nothing')
})
