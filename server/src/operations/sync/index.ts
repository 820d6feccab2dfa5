import { limits, type Event, type StreamKind } from '@ocomms/shared'
import { mayRead } from '../../access.js'
import { batcherPer } from '../../db/batcher.js'
import type { Services } from '../../services.js'
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

/** A stream a sync reads events of: those after `cursor`, at most `limit` (and one more, to tell whether more follow). */
interface Wanted {
  stream: StreamKind
  head: Head
  cursor: number
}

/**
 * Reads events for syncs in one statement: after a restart or a network blip every client
 * syncs at once, so the syncs waiting are served together (see src/db/batcher.ts), and a
 * stream several of them ask from the same cursor is read once. Each sync gets, for each stream
 * it wants, that stream's events in seq order.
 */
const eventReads = batcherPer('sync-events', (services: Services) => {
  const { sql } = services
  const key = (w: Wanted, limit: number) => `${w.stream}/${w.head.id}/${w.cursor}/${limit}`
  const together = async (asks: Array<{ wanted: Wanted[]; limit: number }>): Promise<EventRow[][][]> => {
    const distinct = new Map<string, { stream: StreamKind; id: string; cursor: number; limit: number }>()
    for (const { wanted, limit } of asks) {
      for (const w of wanted) distinct.set(key(w, limit), { stream: w.stream, id: w.head.id, cursor: w.cursor, limit })
    }
    const reads = [...distinct.values()]
    const column = <T>(f: (r: (typeof reads)[number]) => T) => reads.map(f)
    const rows = reads.length === 0 ? [] : await sql<(EventRow & { k: string })[]>`
      select x.k, e.stream, e.stream_id, e.seq, e.type, e.conversation_id, e.workspace_id, e.data, e.created_at
        from unnest(${column((r) => r.stream)}::text[], ${column((r) => r.id)}::uuid[], ${column((r) => r.cursor)}::bigint[],
                    ${column((r) => r.limit)}::int[]) with ordinality as x(stream, id, cursor, lim, k)
        cross join lateral (
          select * from events
           where stream = x.stream and stream_id = x.id and seq > x.cursor
           order by seq limit x.lim + 1
        ) e
       order by x.k, e.seq`
    const byRead = new Map<string, EventRow[]>()
    const keys = [...distinct.keys()]
    for (const row of rows) {
      const k = keys[Number(row.k) - 1]!
      const list = byRead.get(k) ?? []
      list.push(row)
      byRead.set(k, list)
    }
    return asks.map(({ wanted, limit }) => wanted.map((w) => byRead.get(key(w, limit)) ?? []))
  }
  return { together, lanes: 1, most: 64 }
})

interface Heads {
  readable: Head[]
  spaces: Head[]
  me: Head & { heads: Record<string, number> | null }
}

/**
 * Where each sync's streams stand, for the syncs waiting, in one statement: the conversations it
 * asked about that the caller may read now (public channels of their active workspaces and
 * conversations they are in), its workspaces, the user's own stream, and the head of every
 * conversation the user is in.
 */
const headReads = batcherPer('sync-heads', (services: Services) => {
  const { sql } = services
  const head = (alias: string) => `json_build_object('id', ${alias}.id, 'last_seq', ${alias}.last_seq, 'first_retained_seq', ${alias}.first_retained_seq)`
  const together = async (asks: Array<{ userId: string; conversations: string[]; workspaces: string[] }>): Promise<Heads[]> => {
    const rows = await sql<(Heads & { i: number })[]>`
      select q.i,
             coalesce((
               select json_agg(${sql.unsafe(head('c'))})
                 from conversations c
                where c.id in (select jsonb_array_elements_text(q.conversations)::uuid)
                  and ${mayRead(sql, sql('q.user_id'))}
             ), '[]') as readable,
             coalesce((
               select json_agg(${sql.unsafe(head('w'))})
                 from workspaces w
                 join workspace_members wm on wm.workspace_id = w.id and wm.user_id = q.user_id and wm.state = 'active'
                where w.id in (select jsonb_array_elements_text(q.workspaces)::uuid)
             ), '[]') as spaces,
             json_build_object(
               'id', u.id, 'last_seq', u.last_seq, 'first_retained_seq', u.first_retained_seq,
               'heads', (select json_object_agg(c.id, c.last_seq)
                           from conversation_members cm
                           join conversations c on c.id = cm.conversation_id
                          where cm.user_id = u.id and ${mayRead(sql, sql('u.id'))})) as me
        from jsonb_to_recordset(${JSON.stringify(asks.map((a, i) => ({ i, user_id: a.userId, conversations: a.conversations, workspaces: a.workspaces })))}::text::jsonb)
             as q(i int, user_id uuid, conversations jsonb, workspaces jsonb)
        join users u on u.id = q.user_id`
    const byIndex = new Map(rows.map((r) => [r.i, r]))
    return asks.map((_, i) => byIndex.get(i)!)
  }
  return { together, lanes: 1, most: 64 }
})

/** One stream's page: its events after the cursor, or a reset when they are no longer all there. */
function page({ head, cursor }: Wanted, list: EventRow[], limit: number) {
  // The floor read with the heads can be stale if pruning ran in between: a page that does not
  // start right after the cursor has lost events, and the client must reload rather than skip them.
  // A cursor beyond the head means the server went back in time (restored from a backup):
  // the seqs the client holds may be reused by other events, so it must reload too.
  const reset = cursor < head.first_retained_seq - 1 || cursor > head.last_seq || (list.length > 0 && list[0]!.seq !== cursor + 1)
  return {
    streamId: head.id,
    events: reset ? [] : list.slice(0, limit).map(eventOut),
    hasMore: !reset && list.length > limit,
    reset,
    lastSeq: head.last_seq,
  }
}

export const syncHandlers: HandlersFor<'sync'> = {
  sync: async (ctx, input) => {
    const limit = input.limit ?? limits.syncPage
    const convCursors = input.conversations ?? {}
    const wsCursors = input.workspaces ?? {}
    const askedConvs = Object.keys(convCursors)
    const askedWs = Object.keys(wsCursors)
    const { readable, spaces, me } = await headReads(ctx.services).run({
      userId: ctx.caller.userId,
      conversations: askedConvs,
      workspaces: askedWs,
    })

    const wanted: Wanted[] = [
      ...readable.map((head) => ({ stream: 'conversation' as const, head, cursor: convCursors[head.id]! })),
      ...spaces.map((head) => ({ stream: 'workspace' as const, head, cursor: wsCursors[head.id]! })),
      { stream: 'user', head: me, cursor: input.user ?? me.last_seq },
    ]
    // Only streams with events after the cursor, and still kept, are read.
    const behind = wanted.filter(({ head, cursor }) => cursor < head.last_seq && cursor >= head.first_retained_seq - 1)
    const lists = behind.length === 0 ? [] : await eventReads(ctx.services).run({ wanted: behind, limit })
    const eventsOf = new Map(behind.map((w, i) => [w, lists[i]!]))
    const pageOf = (w: Wanted) => page(w, eventsOf.get(w) ?? [], limit)
    const readableIds = new Set(readable.map((h) => h.id))
    const spaceIds = new Set(spaces.map((h) => h.id))
    return {
      conversations: wanted.filter((w) => w.stream === 'conversation').map(pageOf),
      workspaces: wanted.filter((w) => w.stream === 'workspace').map(pageOf),
      user: pageOf(wanted.at(-1)!),
      gone: [...askedConvs.filter((id) => !readableIds.has(id)), ...askedWs.filter((id) => !spaceIds.has(id))],
      heads: me.heads ?? {},
    }
  },
}
