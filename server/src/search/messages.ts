import type { MessageHit, SearchSort } from '@ocomms/shared'
import * as load from '../queries.js'
import type { Cursor } from './cursor.js'
import { headlineOptions, pageOf, plainSnippet, type Page } from './page.js'
import { dateConditions, highlightQuery, textConditions, type Scope } from './scope.js'

/** Relevance ranks at most this many of the newest matches: bounded work for common words. */
export const relevanceWindow = 1000

/** The filters of the query on messages `m`, beyond conversation access. */
function messageConditions(s: Scope) {
  const { sql, q } = s
  let out = textConditions(s, sql`m.search_vector`, sql`m.text`, true)
  if (s.authors) out = sql`${out} and m.author_id = any (${s.authors}::uuid[])`
  for (const h of q.has) {
    if (h === 'link') out = sql`${out} and m.has_link`
    if (h === 'file') out = sql`${out} and exists (select 1 from files f where f.message_id = m.id)`
    if (h === 'reaction') out = sql`${out} and exists (select 1 from reactions r where r.message_id = m.id)`
    if (h === 'pin') out = sql`${out} and exists (select 1 from pins p where p.message_id = m.id)`
  }
  if (q.isThread) out = sql`${out} and (m.thread_root_id is not null or m.reply_count > 0)`
  return sql`${out} ${dateConditions(s, sql`m.created_at`)}`
}

export async function searchMessages(s: Scope, sort: SearchSort, limit: number, cursor: Cursor | null): Promise<Page<MessageHit>> {
  const { sql } = s
  if (s.authors?.length === 0 || s.days === false) return { items: [], next: null }
  const conditions = messageConditions(s)
  const tsq = highlightQuery(s)
  const ranked = sort === 'relevance' && tsq !== null
  const offset = ranked ? (cursor?.offset ?? 0) : null
  const after = !ranked && cursor?.after ? sql`and (m.created_at, m.id) < (${cursor.after.at}::timestamptz, ${cursor.after.id}::uuid)` : sql``
  // The newest matches first; ranking reads only the newest `relevanceWindow` of them, so a
  // common word costs no more than a page of a rare one.
  const hits = sql`
    select m.id, m.created_at, m.created_at::text as at, ${ranked ? sql`ts_rank_cd(m.search_vector, ${tsq})` : sql`0::real`} as rank
      from messages m
     where m.conversation_id = any (${s.readable}::uuid[]) and m.deleted_at is null ${conditions} ${after}
     order by m.created_at desc, m.id desc
     limit ${ranked ? relevanceWindow : limit + 1}`
  const order = ranked ? sql`order by rank desc, created_at desc, id desc offset ${offset} limit ${limit + 1}` : sql``
  // Snippets are made in the same statement, for the page's rows only.
  const rows = await sql<{ id: string; at: string; conversation_id: string; snippet: string | null }[]>`
    with hits as (${hits}),
    page as (select * from hits ${order})
    select page.id, page.at, m.conversation_id,
           ${tsq ? sql`ts_headline(${s.config}::regconfig, translate(m.text, chr(2) || chr(3), ''), ${tsq}, ${headlineOptions})` : sql`null`} as snippet
      from page join messages m on m.id = page.id
     order by ${ranked ? sql`page.rank desc,` : sql``} page.created_at desc, page.id desc`
  const page = pageOf(rows, limit, 'messages', sort, offset)
  const ids = page.items.map((r) => r.id)
  if (ids.length === 0) return { items: [], next: page.next }
  const conversationIds = [...new Set(page.items.map((r) => r.conversation_id))]
  const [messages, conversations] = await Promise.all([
    load.messages(sql, sql`m.id = any (${ids}::uuid[])`, sql``, ids.length),
    load.conversations(sql, s.userId, sql`c.id = any (${conversationIds}::uuid[])`),
  ])
  const byId = new Map(messages.map((m) => [m.id, m]))
  const convById = new Map(conversations.map((c) => [c.id, c]))
  const snippetById = new Map(page.items.flatMap((r) => (r.snippet === null ? [] : [[r.id, r.snippet.replace(/\s+/gu, ' ').trim()]])))
  const items = ids.flatMap((id) => {
    const m = byId.get(id)
    const conversation = m && convById.get(m.conversationId)
    if (!m || !conversation) return []
    return [{ ...m, conversation, snippet: snippetById.get(id) ?? plainSnippet(m.text) }]
  })
  return { items, next: page.next }
}
