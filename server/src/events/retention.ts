import type { StreamKind } from '@ocomms/shared'
import type { Sql } from '../db/connect.js'
import type { Services } from '../services.js'

export interface RetentionPolicy {
  /** Events older than this many days are pruned; 0 keeps them by age forever. */
  days: number
  /** At most this many events are kept per stream (the newest); 0 means no cap. */
  maxPerStream: number
}

const owners: Record<StreamKind, string> = { conversation: 'conversations', user: 'users', workspace: 'workspaces' }
/** Streams moved per statement: keeps each transaction (and its row locks) short. */
const BATCH = 500

/**
 * Prunes old events and advances each stream's `first_retained_seq`, so a client whose cursor
 * is older than what is kept gets `reset` from sync and reloads from a snapshot.
 *
 * The floor moves and the events go in one statement. Stream owner rows are taken with
 * SKIP LOCKED: a stream busy with a write is left for the next round instead of waiting on it,
 * so pruning never blocks (or deadlocks with) a send. Returns how many events were deleted.
 */
export async function pruneEvents(sql: Sql, policy: RetentionPolicy): Promise<number> {
  if (policy.days <= 0 && policy.maxPerStream <= 0) return 0
  let deleted = 0
  for (const kind of Object.keys(owners) as StreamKind[]) {
    const owner = sql(owners[kind])
    for (;;) {
      const [row] = await sql<{ moved: number; deleted: number }[]>`
        with by_age as (
          select stream_id as id, max(seq) + 1 as keep_from
            from events
           where ${policy.days > 0} and stream = ${kind}
             and created_at < now() - make_interval(days => ${Math.max(policy.days, 0)})
           group by stream_id
        ), by_count as (
          select id, last_seq - ${policy.maxPerStream} + 1 as keep_from
            from ${owner}
           where ${policy.maxPerStream > 0} and last_seq - first_retained_seq + 1 > ${policy.maxPerStream}
        ), wanted as (
          select id, max(keep_from) as keep_from from (select * from by_age union all select * from by_count) x group by id
        ), locked as (
          select o.id, w.keep_from
            from ${owner} o join wanted w on w.id = o.id
           where w.keep_from > o.first_retained_seq
           order by o.id
           limit ${BATCH}
             for update of o skip locked
        ), moved as (
          update ${owner} o set first_retained_seq = l.keep_from
            from locked l where o.id = l.id
          returning o.id, o.first_retained_seq
        ), gone as (
          delete from events e using moved m
           where e.stream = ${kind} and e.stream_id = m.id and e.seq < m.first_retained_seq
          returning 1
        )
        select (select count(*) from moved)::int as moved, (select count(*) from gone)::int as deleted`
      deleted += row!.deleted
      if (row!.moved < BATCH) break
    }
  }
  return deleted
}

export interface Pruner {
  /** Runs one round now (also what the timer does). */
  run(): Promise<number>
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>
}

/** Prunes once shortly after start, then every `intervalSeconds`; a failed round is logged and retried next time. */
export function startPruner(services: Services): Pruner {
  const { days, maxPerStream, intervalSeconds } = services.config.eventRetention
  let running: Promise<number> | null = null
  let stopped = false
  const run = () =>
    (running ??= pruneEvents(services.sql, { days, maxPerStream })
      .then((n) => {
        if (n > 0) services.log.info({ deleted: n }, 'pruned old events')
        return n
      })
      .catch((err: unknown) => {
        services.log.warn({ err }, 'event pruning failed; retrying at the next interval')
        return 0
      })
      .finally(() => {
        running = null
      }))
  const enabled = (days > 0 || maxPerStream > 0) && intervalSeconds > 0
  const first = enabled ? setTimeout(() => void run(), Math.min(intervalSeconds * 1000, 10_000)) : null
  const timer = enabled ? setInterval(() => void (stopped || run()), intervalSeconds * 1000) : null
  first?.unref()
  timer?.unref()
  return {
    run,
    async stop() {
      stopped = true
      if (first) clearTimeout(first)
      if (timer) clearInterval(timer)
      await running
    },
  }
}
