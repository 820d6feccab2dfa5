import type { Event, EventType, StreamKind } from '@ocomms/shared'
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
