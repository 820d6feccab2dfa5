import { limits, type Event, type StreamKind } from '@ocomms/shared'
import type { Sql } from '../../db/connect.js'
import type { HandlersFor } from '../handler.js'

interface EventRow {
  stream: StreamKind
  stream_id: string
  seq: number
  type: string
  conversation_id: string | null
  workspace_id: string | null
  data: Record<string, unknown>
  created_at: Date
}

interface Head {
  id: string
  last_seq: number
  first_retained_seq: number
}

function eventOut(row: EventRow): Event {
  const event: Event = {
    stream: row.stream,
    streamId: row.stream_id,
    seq: row.seq,
    type: row.type,
    at: row.created_at.toISOString(),
    data: row.data,
  }
  if (row.conversation_id) event.conversationId = row.conversation_id
  if (row.workspace_id) event.workspaceId = row.workspace_id
  return event
}

/**
 * The events after each cursor, read in one query for all streams of a kind:
 * `limit + 1` rows per stream tell whether more follow.
 */
async function pages(sql: Sql, stream: StreamKind, wanted: Array<{ head: Head; cursor: number }>, limit: number) {
  const behind = wanted.filter(({ head, cursor }) => cursor < head.last_seq && cursor >= head.first_retained_seq - 1)
  const rows = behind.length === 0 ? [] : await sql<EventRow[]>`
    select e.stream, e.stream_id, e.seq, e.type, e.conversation_id, e.workspace_id, e.data, e.created_at
      from unnest(${behind.map((w) => w.head.id)}::uuid[], ${behind.map((w) => w.cursor)}::bigint[]) as c(id, cursor)
      cross join lateral (
        select * from events
         where stream = ${stream} and stream_id = c.id and seq > c.cursor
         order by seq limit ${limit + 1}
      ) e
     order by e.stream_id, e.seq`
  const byStream = new Map<string, EventRow[]>()
  for (const row of rows) {
    const list = byStream.get(row.stream_id) ?? []
    list.push(row)
    byStream.set(row.stream_id, list)
  }
  return wanted.map(({ head, cursor }) => {
    const list = byStream.get(head.id) ?? []
    // The floor read above can be stale if pruning ran in between: a page that does not start
    // right after the cursor has lost events, and the client must reload rather than skip them.
    // A cursor beyond the head means the server went back in time (restored from a backup):
    // the seqs the client holds may be reused by other events, so it must reload too.
    const reset =
      cursor < head.first_retained_seq - 1 || cursor > head.last_seq || (list.length > 0 && list[0]!.seq !== cursor + 1)
    return {
      streamId: head.id,
      events: reset ? [] : list.slice(0, limit).map(eventOut),
      hasMore: !reset && list.length > limit,
      reset,
      lastSeq: head.last_seq,
    }
  })
}

export const syncHandlers: HandlersFor<'sync'> = {
  sync: async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    const limit = input.limit ?? limits.syncPage
    const convCursors = input.conversations ?? {}
    const wsCursors = input.workspaces ?? {}

    // Streams the caller may read now: public channels of their active workspaces and
    // conversations they are in. A cursor for anything else comes back in `gone`.
    // The three reads are independent: they go out at once (on separate pool connections).
    const askedConvs = Object.keys(convCursors)
    const askedWs = Object.keys(wsCursors)
    const [readable, spaces, [me]] = await Promise.all([
      askedConvs.length === 0 ? [] : sql<Head[]>`
        select c.id, c.last_seq, c.first_retained_seq
          from conversations c
          join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = ${userId} and wm.state = 'active'
         where c.id = any (${askedConvs}::uuid[])
           and (c.kind = 'public' or exists (select 1 from conversation_members cm where cm.conversation_id = c.id and cm.user_id = ${userId}))`,
      askedWs.length === 0 ? [] : sql<Head[]>`
        select w.id, w.last_seq, w.first_retained_seq
          from workspaces w
          join workspace_members wm on wm.workspace_id = w.id and wm.user_id = ${userId} and wm.state = 'active'
         where w.id = any (${askedWs}::uuid[])`,
      // The user's own stream head, and the head of every conversation they are in.
      sql<(Head & { heads: Record<string, number> | null })[]>`
        select u.id, u.last_seq, u.first_retained_seq,
               (select json_object_agg(c.id, c.last_seq)
                  from conversation_members cm
                  join conversations c on c.id = cm.conversation_id
                  join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = cm.user_id and wm.state = 'active'
                 where cm.user_id = u.id) as heads
          from users u where u.id = ${userId}`,
    ])

    const readableIds = new Set(readable.map((h) => h.id))
    const spaceIds = new Set(spaces.map((h) => h.id))
    const [conversations, workspaces, [user]] = await Promise.all([
      pages(sql, 'conversation', readable.map((head) => ({ head, cursor: convCursors[head.id]! })), limit),
      pages(sql, 'workspace', spaces.map((head) => ({ head, cursor: wsCursors[head.id]! })), limit),
      pages(sql, 'user', [{ head: me!, cursor: input.user ?? me!.last_seq }], limit),
    ])
    return {
      conversations,
      workspaces,
      user: user!,
      gone: [...askedConvs.filter((id) => !readableIds.has(id)), ...askedWs.filter((id) => !spaceIds.has(id))],
      heads: me!.heads ?? {},
    }
  },
}
