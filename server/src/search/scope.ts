import { dayRange, type SearchQuery } from '@ocomms/shared'
import type { PendingQuery, Row } from 'postgres'
import type { TxSql } from '../db/connect.js'

/**
 * What every search shares: the conversations the searcher may read (narrowed by in:), the
 * authors of from:, the date bounds, and the full-text query built from the words.
 */

export type Fragment = PendingQuery<Row[]>

export interface Scope {
  sql: TxSql
  userId: string
  workspaceId: string
  /** Canonical text search configuration name; the stored columns use the same. */
  config: string
  timeZone: string
  q: SearchQuery
  /** `with readable as (...)`: ids of conversations the searcher may read now. */
  readable: Fragment
  /** Author ids of from: (null: no from: given). An empty list matches nothing. */
  authors: string[] | null
  /** Calendar-day bounds [from, to) in timeZone, or `false` when the dates contradict each other. */
  days: { from: string | null; to: string | null } | false
  /** Words with no index lexemes (stop words such as "the"): matched exactly instead. */
  stopWords: Set<string>
}

export async function buildScope(sql: TxSql, userId: string, workspaceId: string, config: string, timeZone: string, q: SearchQuery): Promise<Scope> {
  const handles = [...new Set([...q.from.flatMap((f) => (f.kind === 'handle' ? [f.handle] : [])), ...q.in.flatMap((l) => (l.kind === 'dm' ? l.handles : []))])]
  const ids = new Map<string, string>()
  if (handles.length > 0) {
    const rows = await sql<{ id: string; handle: string }[]>`select id, handle from users where handle = any (${handles}::text[])`
    for (const r of rows) ids.set(r.handle, r.id)
  }
  const authors = q.from.length === 0 ? null : q.from.flatMap((f) => (f.kind === 'me' ? [userId] : ids.has(f.handle) ? [ids.get(f.handle)!] : []))

  const words = [...q.words, ...q.excludedWords]
  const stopWords = new Set<string>()
  if (words.length > 0) {
    const rows = await sql<{ w: string; n: number }[]>`
      select w, numnode(plainto_tsquery(${config}::regconfig, w)) as n from unnest(${words}::text[]) as w`
    for (const r of rows) if (r.n === 0) stopWords.add(r.w)
  }

  // Active workspace membership is part of every row's access, not only checked beforehand.
  const active = sql`exists (select 1 from workspace_members wm where wm.workspace_id = ${workspaceId} and wm.user_id = ${userId} and wm.state = 'active')`
  let narrow = sql``
  if (q.in.length > 0) {
    const names = q.in.flatMap((l) => (l.kind === 'channel' ? [l.name] : []))
    const keys = q.in.flatMap((l) => {
      if (l.kind !== 'dm' || !l.handles.every((h) => ids.has(h))) return []
      const everyone = [...new Set([userId, ...l.handles.map((h) => ids.get(h)!)])].sort()
      return everyone.length >= 2 ? [everyone.join(',')] : []
    })
    narrow = sql`and (c.name = any (${names}::text[]) or c.dm_key = any (${keys}::text[]))`
  }
  const readable = sql`
    readable as (
      select c.id from conversations c
       where c.workspace_id = ${workspaceId} and c.kind = 'public' and ${active} ${narrow}
      union all
      select c.id from conversations c join conversation_members cm on cm.conversation_id = c.id and cm.user_id = ${userId}
       where c.workspace_id = ${workspaceId} and c.kind <> 'public' and ${active} ${narrow}
    )`

  const range = dayRange(q.dates)
  const days = range.empty ? false : { from: range.from, to: range.to }
  return { sql, userId, workspaceId, config, timeZone, q, readable, authors, days, stopWords }
}

/** `column` within the query's days, which are days in the searcher's time zone. */
export function dateConditions(s: Scope, column: Fragment): Fragment {
  const { sql, days, timeZone } = s
  if (!days) return sql`and false`
  const from = days.from ? sql`and ${column} >= (${days.from}::date)::timestamp at time zone ${timeZone}` : sql``
  const to = days.to ? sql`and ${column} < (${days.to}::date)::timestamp at time zone ${timeZone}` : sql``
  return sql`${from} ${to}`
}

/**
 * The full-text conditions on `alias` (a row with search_vector and text, or text_source for
 * files): the stemmed tsquery for the GIN index, then exact checks for phrases and stop words.
 */
export function textConditions(s: Scope, vector: Fragment, text: Fragment, exact: boolean): Fragment {
  const { sql, config, q } = s
  const cfg = sql`${config}::regconfig`
  const indexed = [
    ...q.words.filter((w) => !s.stopWords.has(w)).map((w) => sql`plainto_tsquery(${cfg}, ${w})`),
    ...q.phrases.map((p) => sql`phraseto_tsquery(${cfg}, ${p})`),
    ...q.excludedWords.filter((w) => !s.stopWords.has(w)).map((w) => sql`(!! plainto_tsquery(${cfg}, ${w}))`),
  ]
  let out = sql``
  if (indexed.length > 0) out = sql`and ${vector} @@ (${indexed.reduce((a, b) => sql`${a} && ${b}`)})`
  const simple = sql`to_tsvector('simple'::regconfig, ${text})`
  for (const w of q.words) if (s.stopWords.has(w)) out = sql`${out} and ${simple} @@ plainto_tsquery('simple'::regconfig, ${w})`
  for (const w of q.excludedWords) if (s.stopWords.has(w)) out = sql`${out} and not (${simple} @@ plainto_tsquery('simple'::regconfig, ${w}))`
  // "Exact phrase": the same words unstemmed, in order, on top of the stemmed index match.
  if (exact) for (const p of q.phrases) out = sql`${out} and ${simple} @@ phraseto_tsquery('simple'::regconfig, ${p})`
  for (const p of q.excludedPhrases) out = sql`${out} and not (${simple} @@ phraseto_tsquery('simple'::regconfig, ${p}))`
  return out
}

/** The positive part of the query, for highlighting; null when there is none. */
export function highlightQuery(s: Scope): Fragment | null {
  const { sql, config, q } = s
  const cfg = sql`${config}::regconfig`
  const parts = [
    ...q.words.filter((w) => !s.stopWords.has(w)).map((w) => sql`plainto_tsquery(${cfg}, ${w})`),
    ...q.phrases.map((p) => sql`phraseto_tsquery(${cfg}, ${p})`),
  ]
  return parts.length === 0 ? null : parts.reduce((a, b) => sql`${a} && ${b}`)
}
