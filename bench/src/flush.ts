import { connect } from '@ocomms/server'
import { histogram, nowNs, summary, usSince, type Summary } from './stats.js'

/** What one durable commit and one bare round trip cost on this machine, right now. */
export interface Flush {
  /** A one-row insert committed on its own with synchronous_commit on: a round trip and a WAL flush. */
  commit: Summary
  /** `select 1`: a round trip to a backend, no flush. */
  roundTrip: Summary
}

/**
 * The disk's flush latency as the server pays it: `count` one-row inserts, each its own
 * transaction, on one connection over the same path as the server (the Unix socket for the
 * embedded cluster). An empty transaction would not do: PostgreSQL writes no WAL for a
 * transaction without an id, and so flushes nothing. The latencies of a run read as multiples
 * of this figure, which moves with the machine (its disk, its virtual machine, its neighbours)
 * and not with OComms.
 */
export async function measureFlush(url: string, count = 400): Promise<Flush> {
  // The server's own way of connecting (socket path, settings), one connection.
  const sql = connect(url, { max: 1 })
  try {
    await sql`set synchronous_commit = on`
    await sql`create table if not exists bench_flush (n int)`
    const commit = histogram()
    const roundTrip = histogram()
    // Warm up the connection and the statements' plans.
    for (let i = 0; i < 20; i++) {
      await sql`insert into bench_flush values (${i})`
      await sql`select 1`
    }
    for (let i = 0; i < count; i++) {
      // Interleaved, so both see the same moments of the machine.
      let t0 = nowNs()
      await sql`insert into bench_flush values (${i})`
      commit.recordValue(Math.max(1, usSince(t0)))
      t0 = nowNs()
      await sql`select 1`
      roundTrip.recordValue(Math.max(1, usSince(t0)))
    }
    await sql`drop table bench_flush`
    return { commit: summary(commit), roundTrip: summary(roundTrip) }
  } finally {
    await sql.end()
  }
}

export const describeFlush = (f: Flush): string =>
  `durable commit of a one-row insert p50 ${f.commit.p50.toFixed(2)} ms, p99 ${f.commit.p99.toFixed(2)} ms; ` +
  `bare round trip (select 1) p50 ${f.roundTrip.p50.toFixed(3)} ms, p99 ${f.roundTrip.p99.toFixed(3)} ms`

/** A latency as a multiple of the commit's p50, e.g. "12×". */
export const flushes = (ms: number, f: Flush | null): string => (f ? `${(ms / f.commit.p50).toFixed(ms / f.commit.p50 >= 10 ? 0 : 1)}×` : '?')
