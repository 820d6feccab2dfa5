import type { Event, EventType, StreamKind } from '@ocomms/shared'
import type postgres from 'postgres'
import type { TxSql } from '../db/connect.js'
import type { Services } from '../services.js'

const owners = { conversation: 'conversations', user: 'users', workspace: 'workspaces' } as const

interface EventExtras {
  conversationId?: string
  workspaceId?: string
}

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
  ) {}

  /** Takes the next seq of a stream, locking its owner row until commit. */
  async nextSeq(stream: StreamKind, streamId: string): Promise<number> {
    const rows = await this.sql<{ last_seq: number }[]>`
      update ${this.sql(owners[stream])} set last_seq = last_seq + 1 where id = ${streamId} returning last_seq`
    if (rows.length === 0) throw new Error(`no ${stream} stream ${streamId}`)
    return rows[0]!.last_seq
  }

  /** Stores an event under a seq taken with nextSeq and queues it for publishing. */
  async record(
    stream: StreamKind,
    streamId: string,
    seq: number,
    type: EventType,
    data: Record<string, unknown>,
    extras: EventExtras = {},
  ): Promise<Event> {
    const [row] = await this.sql<{ created_at: Date }[]>`
      insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data)
      values (${stream}, ${streamId}, ${seq}, ${type}, ${extras.conversationId ?? null}, ${extras.workspaceId ?? null},
              ${this.sql.json(data as never)})
      returning created_at`
    const event: Event = { stream, streamId, seq, type, at: row!.created_at.toISOString(), ...extras, data }
    this.steps.push(() => this.services.realtime.publish(event))
    return event
  }

  /**
   * Like record, but the event is stored only if `condition` (a SQL boolean) holds when the
   * insert runs; for statements sent ahead of knowing whether an earlier one did anything.
   * Null when it did not hold: nothing is stored or published.
   */
  async recordIf(
    condition: postgres.PendingQuery<postgres.Row[]>,
    stream: StreamKind,
    streamId: string,
    seq: number,
    type: EventType,
    data: Record<string, unknown>,
    extras: EventExtras = {},
  ): Promise<Event | null> {
    const [row] = await this.sql<{ created_at: Date }[]>`
      insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data)
      select ${stream}, ${streamId}::uuid, ${seq}::bigint, ${type}, ${extras.conversationId ?? null}::uuid,
             ${extras.workspaceId ?? null}::uuid, ${this.sql.json(data as never)}
       where ${condition}
      returning created_at`.execute()
    if (!row) return null
    const event: Event = { stream, streamId, seq, type, at: row.created_at.toISOString(), ...extras, data }
    this.steps.push(() => this.services.realtime.publish(event))
    return event
  }

  /** nextSeq and record in one step, for events whose data does not depend on the seq. */
  async emit(
    stream: StreamKind,
    streamId: string,
    type: EventType,
    data: Record<string, unknown>,
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

/** Statements sent together with the COMMIT; their results, in order. */
export type Finish = <Q extends readonly unknown[]>(...queries: Q) => Promise<{ [K in keyof Q]: Awaited<Q[K]> }>

/**
 * A transaction for the hottest path (message.send) in as few round trips as PostgreSQL
 * allows: BEGIN travels with the first statement, COMMIT with the last batch, which `fn`
 * hands to `finish` already executing, in order. Whatever the batch decides must therefore
 * be decided in SQL (conditions), because the COMMIT is already on its way; a statement
 * that fails aborts the transaction and the COMMIT becomes a rollback. Events are
 * published after the commit, as with `transaction`.
 */
export async function pipelinedTransaction<T>(services: Services, fn: (change: Change, finish: Finish) => Promise<T>): Promise<T> {
  const reserved = await services.sql.reserve()
  const sql = reserved as unknown as TxSql
  let committed = false
  try {
    // Sent now, answered together with the first statement fn sends.
    sql`begin`.execute().catch(() => {})
    const change = new Change(sql, services)
    const finish = (async (...queries: unknown[]) => {
      const commit = sql`commit`.execute()
      const results = await Promise.all([...queries, commit])
      committed = true
      return results.slice(0, -1)
    }) as Finish
    const result = await fn(change, finish)
    if (!committed) throw new Error('pipelinedTransaction: fn returned without finish()')
    await change.runAfterCommit()
    return result
  } catch (err) {
    if (!committed) await sql`rollback`.catch(() => {})
    throw err
  } finally {
    reserved.release()
  }
}

/** Runs `fn` in a transaction; publishes its events after the commit, never before. */
export async function transaction<T>(services: Services, fn: (change: Change) => Promise<T>): Promise<T> {
  let change: Change | undefined
  const result = await services.sql.begin(async (sql) => {
    change = new Change(sql as unknown as TxSql, services)
    return fn(change)
  })
  await change!.runAfterCommit()
  return result as T
}
