import t from 'tap'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import { freshDatabase } from './helpers/database.js'

// Pins the fixes in patches/postgres+3.4.9.patch that backup and restore depend on.

t.test('a COPY read by a slow consumer ends and leaves its connection usable', async (t) => {
  // The driver pauses the socket while the consumer is behind and resumed it only on the
  // consumer's next read; when COPY ended in that state the connection never answered again
  // (a backup hung on its next table). Several rounds, because it depends on chunk timing.
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const sql = postgres(db.url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
  for (let round = 0; round < 5; round++) {
    const result = await sql.begin(async (tx) => {
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
    t.ok(result.bytes > 20000 * 200, `round ${round}: every row arrived`)
    t.equal(result.one, 1, `round ${round}: the next query on the same connection is answered`)
  }
})

t.test('a transaction that starts on a connection with a full pipeline is still its own', async (t) => {
  // The driver reserved a transaction's connection only when that connection could take more
  // pipelined queries; at the pipeline's limit BEGIN went out unreserved and the transaction
  // failed with UNSAFE_TRANSACTION (seen under load as `internal` answers to message.send).
  // max_pipeline 1 puts every BEGIN that queues behind a running query at that limit.
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const sql = postgres(db.url, { max: 2, max_pipeline: 1, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
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
