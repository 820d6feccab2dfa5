import type { Event, EventData, EventOf, EventType, StreamKind } from '@ocomms/shared'
import type { TxSql } from '../db/connect.js'
import type { Services } from '../services.js'
import { mark } from '../trace/send-timeline.js'
import { appendToEach, insertEvents, streamOwners, type EventExtras, type PendingEvent } from './store.js'

export type { PendingEvent } from './store.js'

/**
 * A change in progress. Events get their seq from the stream owner's row inside this
 * transaction (the row lock orders concurrent writers), and are published only once
 * the transaction has committed, together with any other after-commit step, in the
 * order they were recorded.
 */
export class Change {
  private readonly steps: Array<() => void | Promise<void>> = []

  constructor(
    readonly sql: TxSql,
    readonly services: Services,
    private readonly committer: (() => Promise<void>) | null = null,
  ) {}

  /**
   * In a pipelined transaction, sends COMMIT now, right behind the statements already sent, and
   * resolves once it committed (see pipelinedTransaction). Elsewhere nothing: the transaction
   * commits when its function returns.
   */
  commit(): Promise<void> {
    return this.committer ? this.committer() : Promise.resolve()
  }

  /** Takes the next seq of a stream, locking its owner row until commit. */
  async nextSeq(stream: StreamKind, streamId: string): Promise<number> {
    const rows = await this.sql<{ last_seq: number }[]>`
      update ${this.sql(streamOwners[stream])} set last_seq = last_seq + 1 where id = ${streamId} returning last_seq`
    if (rows.length === 0) throw new Error(`no ${stream} stream ${streamId}`)
    return rows[0]!.last_seq
  }

  /**
   * Takes `count` more seqs of each of several streams at once (the last of them is answered).
   * The owner rows are locked in id order, so transactions taking several never deadlock
   * with each other over them.
   */
  async nextSeqs(stream: StreamKind, counts: Map<string, number>): Promise<Map<string, number>> {
    const ids = [...counts.keys()].sort()
    const table = this.sql(streamOwners[stream])
    const [, rows] = await Promise.all([
      // One row needs no order: the update takes its lock (and saves a statement on a quiet server).
      ids.length > 1 ? this.sql`select 1 from ${table} where id = any (${ids}::uuid[]) order by id for update` : null,
      // The rows are found by their ids (`= any`), not by joining the unnest: the statement's
      // cached plan, made for any number of ids, would otherwise scan the whole table to join it.
      ids.length === 1
        ? this.sql<{ id: string; last_seq: number }[]>`
            update ${table} set last_seq = last_seq + ${counts.get(ids[0]!)!}::int where id = ${ids[0]!} returning id, last_seq`
        : this.sql<{ id: string; last_seq: number }[]>`
            update ${table} o set last_seq = o.last_seq + x.n
              from unnest(${ids}::uuid[], ${ids.map((id) => counts.get(id)!)}::int[]) as x(id, n)
             where o.id = any (${ids}::uuid[]) and o.id = x.id
            returning o.id, o.last_seq`,
    ])
    if (rows.length !== ids.length) throw new Error(`no ${stream} stream for some of ${ids.join(', ')}`)
    return new Map(rows.map((r) => [r.id, r.last_seq]))
  }

  /** Stores an event under a seq taken with nextSeq and queues it for publishing. */
  async record<T extends EventType>(
    stream: StreamKind,
    streamId: string,
    seq: number,
    type: T,
    data: EventData<T>,
    extras: EventExtras = {},
  ): Promise<Event> {
    const [event] = await this.recordMany([{ stream, streamId, seq, type, data, ...extras } as PendingEvent])
    return event!
  }

  /**
   * Stores several events in one statement and queues them for publishing in the order given.
   * Each seq was taken with nextSeq or nextSeqs.
   */
  async recordMany(events: PendingEvent[]): Promise<Event[]> {
    const stored = await insertEvents(this.sql, events)
    for (const event of stored) this.steps.push(() => this.services.realtime.publish(event))
    return stored
  }

  /**
   * One event of a type in each of several streams, each under its next seq, in one statement
   * (store.ts: the payload sent once, each stream's own fields added in the database), queued
   * for publishing. Like nextSeqs, it locks the owner rows in id order first when there are
   * several, so it cannot deadlock with another transaction writing to the same streams.
   */
  async appendToEach<T extends EventType, K extends keyof EventData<T>>(
    stream: StreamKind,
    type: T,
    shared: Omit<EventData<T>, K>,
    each: Map<string, Pick<EventData<T>, K>>,
    extras: EventExtras = {},
  ): Promise<Array<EventOf<T>>> {
    if (each.size === 0) return []
    const ids = [...each.keys()].sort()
    const [, stored] = await Promise.all([
      ids.length > 1 ? this.sql`select 1 from ${this.sql(streamOwners[stream])} where id = any (${ids}::uuid[]) order by id for update` : null,
      appendToEach(this.sql, stream, type, shared, each, extras),
    ])
    for (const event of stored) this.steps.push(() => this.services.realtime.publish(event as unknown as Event))
    return stored
  }

  /** nextSeq and record in one step, for events whose data does not depend on the seq. */
  async emit<T extends EventType>(
    stream: StreamKind,
    streamId: string,
    type: T,
    data: EventData<T>,
    extras: EventExtras = {},
  ): Promise<Event> {
    const seq = await this.nextSeq(stream, streamId)
    return this.record(stream, streamId, seq, type, data, extras)
  }

  /** Runs after commit, in order with the event publications. */
  afterCommit(step: () => void | Promise<void>): void {
    this.steps.push(step)
  }

  async runAfterCommit(): Promise<void> {
    for (const step of this.steps) {
      try {
        await step()
      } catch (err) {
        this.services.log.error({ err }, 'after-commit step failed')
      }
    }
  }
}

/**
 * A transaction that costs two round trips fewer than `transaction`: BEGIN goes out with the
 * first statements instead of alone, and COMMIT (`change.commit()`) right behind the last ones
 * instead of after their answers. On a quiet server each round trip is a wake-up of PostgreSQL
 * and of this process, which is most of what a lone send waits for (docs/performance.md).
 *
 * Still all or nothing, and committed before anything is published or answered: the statements
 * run in order on one connection; when one fails, PostgreSQL refuses the rest of the transaction
 * and turns a COMMIT sent behind it into a rollback, which is checked here (the COMMIT's
 * answer must say COMMIT), and the failing statement's error is what `fn` throws. `fn` must
 * send every statement before it awaits `change.commit()`, and decide nothing after that. The one
 * failure PostgreSQL cannot see is a statement the driver refuses to send at all (a value it
 * cannot serialise): that is logged as the bug it is (see below).
 */
export async function pipelinedTransaction<T>(services: Services, fn: (change: Change) => Promise<T>): Promise<T> {
  const sql = await services.sql.reserve()
  let commit: Promise<{ command: string }> | null = null
  let result: T
  let change: Change
  try {
    const begin = sql.unsafe('begin').execute()
    begin.catch(() => {})
    change = new Change(sql as unknown as TxSql, services, async () => {
      // The driver sends a statement a few microtasks after it is first awaited (`await` on its
      // query takes a job of its own, then the driver another), so a COMMIT sent at once could
      // overtake the statements awaited just before it, and they would then run after it,
      // outside the transaction. Sent from the next turn of the event loop it goes out behind
      // every statement `fn` has sent so far, still without waiting for their answers.
      commit ??= new Promise<void>((resolve) => setImmediate(resolve)).then(
        () => sql.unsafe('commit').execute() as unknown as Promise<{ command: string }>,
      )
      const [, done] = await Promise.all([begin, commit])
      if (done.command !== 'COMMIT') throw new Error(`the transaction did not commit (${done.command})`)
    })
    try {
      result = await fn(change)
      await change.commit()
    } catch (err) {
      // Not committed. Without a COMMIT asked for, the transaction is still open: roll it back
      // before the connection goes back to the pool. With one asked for, PostgreSQL turns it into
      // a rollback, but it may not even have been sent yet (it leaves on the next turn of the
      // event loop): wait for its answer, or it could reach the connection after someone else's
      // BEGIN and end their transaction. Either answer also comes after every statement before it.
      const end = (await (commit ?? sql.unsafe('rollback')).catch(() => null)) as { command?: string } | null
      if (commit && end?.command === 'COMMIT') {
        // Only a statement the driver refused to send (a value it could not serialise) fails
        // without aborting the transaction in PostgreSQL; inputs are checked against their
        // schemas long before, so this is a bug, and what was sent before it is committed.
        services.log.error({ err }, 'a pipelined transaction committed although one of its statements was never sent')
      }
      throw err
    }
  } finally {
    // Back to the pool before the after-commit steps, which may run transactions of their own.
    sql.release()
  }
  mark('committed')
  await change.runAfterCommit()
  mark('published')
  return result
}

/** Runs `fn` in a transaction; publishes its events after the commit, never before. */
export async function transaction<T>(services: Services, fn: (change: Change) => Promise<T>): Promise<T> {
  let change: Change | undefined
  const result = await services.sql.begin(async (sql) => {
    change = new Change(sql as unknown as TxSql, services)
    return fn(change)
  })
  mark('committed')
  await change!.runAfterCommit()
  mark('published')
  return result as T
}
