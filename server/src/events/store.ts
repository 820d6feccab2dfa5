import type { Event, EventData, EventOf, EventType, StreamKind } from '@ocomms/shared'
import type { TxSql } from '../db/connect.js'

/**
 * The one writer of the `events` table. Every event the server stores, live or imported, is
 * inserted by one of the two statements below, so a stream's seq and the columns an event is
 * stored with are decided in one place (docs/events.md). `Change` (transaction.ts) calls them
 * and publishes what they stored once the transaction commits; an import calls them directly
 * and publishes nothing (clients find its events when they sync).
 */

/** The table that owns each kind of stream and keeps its `last_seq`. */
export const streamOwners = { conversation: 'conversations', user: 'users', workspace: 'workspaces' } as const

export interface EventExtras {
  conversationId?: string
  workspaceId?: string
}

/** An event about to be stored: any known type with its typed payload (docs/events.md). */
export type PendingEvent = { [T in EventType]: Omit<EventOf<T>, 'at'> }[EventType]

function withExtras(extras: EventExtras): EventExtras {
  return {
    ...(extras.conversationId !== undefined && { conversationId: extras.conversationId }),
    ...(extras.workspaceId !== undefined && { workspaceId: extras.workspaceId }),
  }
}

/**
 * Stores events whose seqs were already taken from their streams' owner rows in this transaction
 * (Change.nextSeq/nextSeqs), in one statement, and answers them as stored (with their time).
 */
export async function insertEvents(sql: TxSql, events: PendingEvent[]): Promise<Event[]> {
  const rows = await sql<{ stream: StreamKind; stream_id: string; seq: number; created_at: Date }[]>`
    insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data)
    select x->>'stream', (x->>'streamId')::uuid, (x->>'seq')::bigint, x->>'type',
           (x->>'conversationId')::uuid, (x->>'workspaceId')::uuid, x->'data'
      from jsonb_array_elements(${sql.json(events as never)}) as x
    returning stream, stream_id, seq, created_at`
  const at = new Map(rows.map((r) => [`${r.stream}:${r.stream_id}:${r.seq}`, r.created_at.toISOString()]))
  return events.map((e) => {
    const { stream, streamId, seq, type, data } = e
    return { stream, streamId, seq, type, at: at.get(`${stream}:${streamId}:${seq}`)!, ...withExtras(e), data } as Event
  })
}

/**
 * One event of the same type in each of several streams of one kind, each under its stream's
 * next seq, in one statement however many streams: the owner rows' `last_seq` are raised and
 * the events inserted from what that answers. The payload is sent once (`shared`) and each
 * stream's own fields (`each`, by stream id) are added to it in the database, so an event for a
 * thousand people does not send its payload a thousand times (a message's notifications).
 *
 * The caller orders the owner rows' locks when it writes to several streams that other
 * transactions also write to (see Change.appendToEach); a stream id with no owner row is left out.
 */
export async function appendToEach<T extends EventType, K extends keyof EventData<T>>(
  sql: TxSql,
  stream: StreamKind,
  type: T,
  shared: Omit<EventData<T>, K>,
  each: Map<string, Pick<EventData<T>, K>>,
  extras: EventExtras = {},
): Promise<Array<EventOf<T>>> {
  const rows = await sql<{ stream_id: string; seq: number; created_at: Date }[]>`
    with x as (select key::uuid as id, value as own from jsonb_each(${sql.json(Object.fromEntries(each) as never)}::jsonb)),
         s as (update ${sql(streamOwners[stream])} o set last_seq = o.last_seq + 1 from x where o.id = x.id returning o.id, o.last_seq, x.own)
    insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data)
    select ${stream}, s.id, s.last_seq, ${type}, ${extras.conversationId ?? null}::uuid, ${extras.workspaceId ?? null}::uuid,
           ${sql.json(shared as never)}::jsonb || s.own
      from s
    returning stream_id, seq, created_at`
  return rows.map(
    (row) =>
      ({
        stream,
        streamId: row.stream_id,
        seq: row.seq,
        type,
        at: row.created_at.toISOString(),
        ...withExtras(extras),
        data: { ...shared, ...each.get(row.stream_id) },
      }) as unknown as EventOf<T>,
  )
}
