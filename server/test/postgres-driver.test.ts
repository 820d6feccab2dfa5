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
