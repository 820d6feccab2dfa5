import type { FileHit, SearchSort } from '@ocomms/shared'
import * as load from '../queries.js'
import type { Cursor } from './cursor.js'
import { relevanceWindow } from './messages.js'
import { headlineOptions, pageOf, plainSnippet, type Page } from './page.js'
import { dateConditions, highlightQuery, textConditions, type Scope } from './scope.js'

interface FileRow {
  id: string
  at: string
  name: string
  size: number
  mime_type: string
  conversation_id: string
  message_id: string
  uploader_id: string
  uploader_handle: string
  uploader_name: string
  created_at: Date
  snippet: string | null
}

/**
 * Files attached to messages that still exist, by name and (small text files) content.
 * has: and is: describe messages, so a query using them finds no files.
 */
export async function searchFiles(s: Scope, sort: SearchSort, limit: number, cursor: Cursor | null): Promise<Page<FileHit>> {
  const { sql, q } = s
  if (s.authors?.length === 0 || s.days === false || q.has.length > 0 || q.isThread) return { items: [], next: null }
  const tsq = highlightQuery(s)
  const source = sql`(f.name || ' ' || left(coalesce(f.text_content, ''), 200000))`
  let conditions = textConditions(s, sql`f.search_vector`, source, false)
  if (s.authors) conditions = sql`${conditions} and f.uploader_id = any (${s.authors}::uuid[])`
  conditions = sql`${conditions} ${dateConditions(s, sql`f.created_at`)}`
  const ranked = sort === 'relevance' && tsq
  const offset = ranked ? (cursor?.offset ?? 0) : null
  const after = !ranked && cursor?.after ? sql`and (f.created_at, f.id) < (${cursor.after.at}::timestamptz, ${cursor.after.id}::uuid)` : sql``
  const order = ranked ? sql`order by rank desc, created_at desc, id desc offset ${offset} limit ${limit + 1}` : sql`order by created_at desc, id desc limit ${limit + 1}`
  const rows = await sql<FileRow[]>`
    with hits as (
      select f.id, f.created_at, f.created_at::text as at, ${tsq ? sql`ts_rank_cd(f.search_vector, ${tsq})` : sql`0`} as rank
        from files f join messages m on m.id = f.message_id and m.deleted_at is null
       where f.conversation_id = any (${s.readable}::uuid[]) ${conditions} ${after}
       order by f.created_at desc, f.id desc
       limit ${ranked ? relevanceWindow : limit + 1}
    ),
    page as (select * from hits ${order})
    select f.id, page.at, f.name, f.size, f.mime_type, f.conversation_id, f.message_id, f.uploader_id,
           u.handle as uploader_handle, u.name as uploader_name, f.created_at,
           ${tsq ? sql`ts_headline(${s.config}::regconfig, translate(${source}, chr(2) || chr(3), ''), ${tsq}, ${headlineOptions})` : sql`null`} as snippet
      from page join files f on f.id = page.id join users u on u.id = f.uploader_id
     order by ${ranked ? sql`page.rank desc,` : sql``} page.created_at desc, page.id desc`
  const p = pageOf(rows, limit, 'files', sort, offset)
  if (p.items.length === 0) return { items: [], next: null }
  const conversations = await load.conversations(sql, s.userId, sql`c.id = any (${[...new Set(p.items.map((r) => r.conversation_id))]}::uuid[])`)
  const convById = new Map(conversations.map((c) => [c.id, c]))
  const items = p.items.flatMap((r) => {
    const conversation = convById.get(r.conversation_id)
    if (!conversation) return []
    return [{
      id: r.id,
      name: r.name,
      size: r.size,
      mimeType: r.mime_type,
      conversationId: r.conversation_id,
      messageId: r.message_id,
      uploader: { id: r.uploader_id, handle: r.uploader_handle, name: r.uploader_name },
      createdAt: r.created_at.toISOString(),
      snippet: r.snippet ? r.snippet.replace(/\s+/gu, ' ').trim() : plainSnippet(r.name),
      conversation,
    }]
  })
  return { items, next: p.next }
}
