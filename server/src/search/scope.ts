import { dayRange, OCommsError, type SearchQuery } from '@ocomms/shared'
import type { PendingQuery, Row } from 'postgres'
import { mayRead } from '../access.js'
import type { Sql, TxSql } from '../db/connect.js'

/**
 * What every search shares: the conversations the searcher may read (narrowed by in:), the
 * authors of from:, the date bounds, and the full-text query built from the words.
 */

export type Fragment = PendingQuery<Row[]>

/** in: resolved: channel names and DM keys. */
interface Within {
  names: string[]
  keys: string[]
}

export interface Scope {
  /** The connection (a transaction) this part of the search runs on. */
  sql: TxSql
  userId: string
  workspaceId: string
  /** Canonical text search configuration name; the stored columns use the same. */
  config: string
  timeZone: string
  q: SearchQuery
  /** Ids of the conversations the searcher may read now, narrowed by in:. */
  readable: string[]
  /** Author ids of from: (null: no from: given). An empty list matches nothing. */
  authors: string[] | null
  /** Calendar-day bounds [from, to) in timeZone, or `false` when the dates contradict each other. */
  days: { from: string | null; to: string | null } | false
  /** Words with no index lexemes (stop words such as "the"): matched exactly instead. */
  stopWords: Set<string>
}

export async function buildScope(sql: TxSql | Sql, userId: string, workspaceId: string, timeZone: string, q: SearchQuery): Promise<Omit<Scope, 'sql'>> {
  const handles = [...new Set([...q.from.flatMap((f) => (f.kind === 'handle' ? [f.handle] : [])), ...q.in.flatMap((l) => (l.kind === 'dm' ? l.handles : []))])]
  const ids = new Map<string, string>()
  if (handles.length > 0) {
    const rows = await sql<{ id: string; handle: string }[]>`select id, handle from users where handle = any (${handles}::text[])`
    for (const r of rows) ids.set(r.handle, r.id)
  }
  const authors = q.from.length === 0 ? null : q.from.flatMap((f) => (f.kind === 'me' ? [userId] : ids.has(f.handle) ? [ids.get(f.handle)!] : []))

  let within: Within | null = null
  if (q.in.length > 0) {
    const names = q.in.flatMap((l) => (l.kind === 'channel' ? [l.name] : []))
    const keys = q.in.flatMap((l) => {
      if (l.kind !== 'dm' || !l.handles.every((h) => ids.has(h))) return []
      const everyone = [...new Set([userId, ...l.handles.map((h) => ids.get(h)!)])].sort()
      return everyone.length >= 2 ? [everyone.join(',')] : []
    })
    within = { names, keys }
  }

  // The configuration is read from the database, not from this process's settings: the
  // columns are built with the recorded one, whichever server last rebuilt them.
  // The readable conversations come back as a list of ids: PostgreSQL then knows how many
  // there are, and plans the text search over them (a subquery is estimated badly and can
  // make it probe the word index once per conversation).
  const words = [...q.words, ...q.excludedWords]
  const [settings] = await sql<{ active: boolean; config: string; stop: string[]; readable: string[] }[]>`
    select exists (select 1 from workspace_members wm where wm.workspace_id = ${workspaceId} and wm.user_id = ${userId} and wm.state = 'active') as active,
           s.text_search_config as config,
           array(select w from unnest(${words}::text[]) as w where numnode(plainto_tsquery(s.text_search_config::regconfig, w)) = 0) as stop,
           array(${readableConversations(sql, userId, workspaceId, within)}) as readable
      from search_settings s`
  // Not a member (any more): the workspace does not exist for them.
  if (!settings!.active) throw new OCommsError('not_found', 'No such workspace.')
  const config = settings!.config
  const stopWords = new Set(settings!.stop)
  const readable = settings!.readable

  const range = dayRange(q.dates)
  const days = range.empty ? false : { from: range.from, to: range.to }
  return { userId, workspaceId, config, timeZone, q, readable, authors, days, stopWords }
}

/** The conversations the searcher may read now (access.ts mayRead), narrowed by in:. */
function readableConversations(sql: TxSql | Sql, userId: string, workspaceId: string, within: Within | null) {
  const narrow = within ? sql`and (c.name = any (${within.names}::text[]) or c.dm_key = any (${within.keys}::text[]))` : sql``
  return sql`select c.id from conversations c where c.workspace_id = ${workspaceId} and ${mayRead(sql, userId)} ${narrow}`
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
