import type { Event, EventData, EventOf, EventType, StreamKind } from '@ocomms/shared'
import type { TxSql } from '../db/connect.js'
import type { Services } from '../services.js'
import { mark } from '../trace/send-timeline.js'

const owners = { conversation: 'conversations', user: 'users', workspace: 'workspaces' } as const

interface EventExtras {
  conversationId?: string
  workspaceId?: string
}

/** An event about to be stored: any known type with its typed payload (docs/events.md). */
export type PendingEvent = { [T in EventType]: Omit<EventOf<T>, 'at'> }[EventType]

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
      update ${this.sql(owners[stream])} set last_seq = last_seq + 1 where id = ${streamId} returning last_seq`
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
    const table = this.sql(owners[stream])
    const [, rows] = await Promise.all([
      // One row needs no order: the update takes its lock (and saves a statement on a quiet server).
      ids.length > 1 ? this.sql`select 1 from ${table} where id = any (${ids}::uuid[]) order by id for update` : null,
      this.sql<{ id: string; last_seq: number }[]>`
        update ${table} o set last_seq = o.last_seq + x.n
          from unnest(${ids}::uuid[], ${ids.map((id) => counts.get(id)!)}::int[]) as x(id, n)
         where o.id = x.id
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
   * Each seq was taken with nextSeq or nextSeqs. Every event the server writes passes here.
   */
  async recordMany(events: PendingEvent[]): Promise<Event[]> {
    const rows = await this.sql<{ stream: StreamKind; stream_id: string; seq: number; created_at: Date }[]>`
      insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data)
      select x->>'stream', (x->>'streamId')::uuid, (x->>'seq')::bigint, x->>'type',
             (x->>'conversationId')::uuid, (x->>'workspaceId')::uuid, x->'data'
        from jsonb_array_elements(${this.sql.json(events as never)}) as x
      returning stream, stream_id, seq, created_at`
    const at = new Map(rows.map((r) => [`${r.stream}:${r.stream_id}:${r.seq}`, r.created_at.toISOString()]))
    const stored = events.map((e) => {
      const { stream, streamId, seq, type, conversationId, workspaceId, data } = e
      const extras = { ...(conversationId !== undefined && { conversationId }), ...(workspaceId !== undefined && { workspaceId }) }
      return { stream, streamId, seq, type, at: at.get(`${stream}:${streamId}:${seq}`)!, ...extras, data } as Event
    })
    for (const event of stored) this.steps.push(() => this.services.realtime.publish(event))
    return stored
  }

  /**
   * Queues for publishing, after commit, an event that one specialised statement of this
   * transaction stored itself (a message's notifications: every recipient's seq and event in
   * one round trip). Typed like `record`, so every event the server publishes has its payload type.
   */
  publishStored<T extends EventType>(event: EventOf<T>): void {
    this.steps.push(() => this.services.realtime.publish(event as unknown as Event))
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
