import { isPlainText, queryPlainText, type Conversation, type Member } from '@ocomms/shared'
import * as load from '../queries.js'
import { pageOf, type Page } from './page.js'
import type { Scope } from './scope.js'

/**
 * People (handle, name) and channels (name, topic) by trigram similarity, so a typo still
 * finds them. Only plain-text queries search names: operators describe messages.
 */

const text = (s: Scope, strip: RegExp) => queryPlainText(s.q).split(' ').map((w) => w.replace(strip, '')).filter(Boolean).join(' ').toLowerCase()

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export async function searchPeople(s: Scope, limit: number, offset: number): Promise<Page<Member>> {
  const { sql } = s
  const t = text(s, /^@/)
  if (!isPlainText(s.q) || !t) return { items: [], next: null }
  const like = `%${likeEscape(t)}%`
  const rows = await sql<{ id: string; at: string }[]>`
    select u.id, '' as at
      from workspace_members wm join users u on u.id = wm.user_id
     where wm.workspace_id = ${s.workspaceId} and wm.state = 'active'
       and (u.handle % ${t} or u.name % ${t} or ${t} <% u.name or ${t} <% u.handle
            or u.handle ilike ${like} or u.name ilike ${like})
     order by (u.handle = ${t} or u.name = ${t}) desc,
              greatest(similarity(u.handle, ${t}), similarity(u.name, ${t}), word_similarity(${t}, u.name), word_similarity(${t}, u.handle)) desc,
              u.handle
     offset ${offset} limit ${limit + 1}`
  const page = pageOf(rows, limit, 'people', 'relevance', offset)
  const ids = page.items.map((r) => r.id)
  if (ids.length === 0) return { items: [], next: null }
  const members = await load.members(sql, sql`wm.workspace_id = ${s.workspaceId} and wm.user_id = any (${ids}::uuid[])`)
  const byId = new Map(members.map((m) => [m.id, m]))
  return { items: ids.flatMap((id) => byId.get(id) ?? []), next: page.next }
}

/** Channels the searcher may read (public ones of the workspace, private ones they are in), archived included. */
export async function searchChannels(s: Scope, limit: number, offset: number): Promise<Page<Conversation>> {
  const { sql } = s
  const t = text(s, /^#/)
  if (!isPlainText(s.q) || !t) return { items: [], next: null }
  const like = `%${likeEscape(t)}%`
  const rows = await sql<{ id: string; at: string }[]>`
    select c.id, '' as at
      from conversations c
     where c.id = any (${s.readable}::uuid[]) and c.kind in ('public', 'private')
       and (c.name % ${t} or ${t} <% c.name or c.name ilike ${like} or ${t} <% c.topic)
     order by (c.name = ${t}) desc,
              greatest(similarity(c.name, ${t}), word_similarity(${t}, c.name), word_similarity(${t}, c.topic) * 0.8) desc,
              c.archived_at is not null, c.name
     offset ${offset} limit ${limit + 1}`
  const page = pageOf(rows, limit, 'channels', 'relevance', offset)
  const ids = page.items.map((r) => r.id)
  if (ids.length === 0) return { items: [], next: null }
  const channels = await load.conversations(sql, s.userId, sql`c.id = any (${ids}::uuid[])`)
  const byId = new Map(channels.map((c) => [c.id, c]))
  return { items: ids.flatMap((id) => byId.get(id) ?? []), next: page.next }
}
