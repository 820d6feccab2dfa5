import type { Sql, TxSql } from './db/connect.js'
import {
  conversationOut,
  memberOut,
  messageOut,
  type ConversationRow,
  type MemberRow,
  type MessageRow,
} from './serialize.js'
import type { Conversation, Member, Message, PersonRef } from '@ocomms/shared'

/** Loading entities the way the protocol shows them. Callers have already checked access. */

type AnySql = Sql | TxSql
type Fragment = ReturnType<Sql['unsafe']> | ReturnType<Sql>

const person = (alias: string) => `json_build_object('id', ${alias}.id, 'handle', ${alias}.handle, 'name', ${alias}.name)`

export async function conversations(sql: AnySql, viewerId: string, where: Fragment, order?: Fragment): Promise<Conversation[]> {
  const rows = await sql<ConversationRow[]>`
    select c.id, c.workspace_id, c.kind, c.name, c.topic, c.description, c.created_by, c.created_at,
           c.archived_at, c.last_seq,
           (select count(*)::int from conversation_members x where x.conversation_id = c.id) as member_count,
           exists (select 1 from conversation_members x where x.conversation_id = c.id and x.user_id = ${viewerId}) as is_member,
           case when c.kind in ('dm', 'group_dm') then
             (select json_agg(${sql.unsafe(person('u'))} order by u.handle)
                from conversation_members x join users u on u.id = x.user_id where x.conversation_id = c.id)
           end as members
      from conversations c
     where ${where}
     ${order ?? sql``}`
  return rows.map(conversationOut)
}

export async function conversation(sql: AnySql, viewerId: string, id: string): Promise<Conversation> {
  const [c] = await conversations(sql, viewerId, sql`c.id = ${id}`)
  if (!c) throw new Error(`conversation ${id} vanished`)
  return c
}

/**
 * Reactions, pin mark and files of the message `m`, aggregated inside the loading query itself
 * (index lookups per row, one round trip for the whole page). A deleted message shows none.
 */
export const messageExtras = `
  case when m.deleted_at is null then
    (select json_agg(json_build_object('emoji', r.emoji, 'count', r.count, 'members', r.members) order by r.first_at, r.emoji)
       from (select x.emoji, count(*)::int as count, json_agg(xu.handle order by x.created_at, xu.handle) as members,
                    min(x.created_at) as first_at
               from reactions x join users xu on xu.id = x.user_id
              where x.message_id = m.id
              group by x.emoji) r)
  end as reactions,
  m.deleted_at is null and exists (select 1 from pins p where p.message_id = m.id) as pinned,
  case when m.deleted_at is null then
    (select json_agg(json_build_object('id', f.id, 'name', f.name, 'size', f.size, 'mimeType', f.mime_type) order by f.created_at, f.id)
       from files f where f.message_id = m.id)
  end as files`

export async function messages(sql: AnySql, where: Fragment, order: Fragment, limit = 1000): Promise<Message[]> {
  const rows = await sql<MessageRow[]>`
    select m.id, m.seq, m.conversation_id, m.thread_root_id, m.also_in_channel, m.client_id, m.author_id,
           u.handle as author_handle, u.name as author_name, m.text, m.created_at, m.edited_at, m.deleted_at,
           m.reply_count, m.last_reply_at,
           case when cardinality(m.reply_participants) > 0 then
             (select json_agg(${sql.unsafe(person('p'))} order by array_position(m.reply_participants, p.id))
                from users p where p.id = any (m.reply_participants))
           end as participants,
           ${sql.unsafe(messageExtras)}
      from messages m join users u on u.id = m.author_id
     where ${where}
     ${order}
     limit ${limit}`
  return rows.map(messageOut)
}

export async function message(sql: AnySql, id: string): Promise<Message> {
  const [m] = await messages(sql, sql`m.id = ${id}`, sql``, 1)
  if (!m) throw new Error(`message ${id} vanished`)
  return m
}

export async function members(sql: AnySql, where: Fragment, order?: Fragment): Promise<Member[]> {
  const rows = await sql<MemberRow[]>`
    select u.id, u.handle, u.name, wm.role, wm.state, wm.joined_at
      from workspace_members wm join users u on u.id = wm.user_id
     where ${where}
     ${order ?? sql`order by u.handle`}`
  return rows.map(memberOut)
}

export async function member(sql: AnySql, workspaceId: string, userId: string): Promise<Member> {
  const [m] = await members(sql, sql`wm.workspace_id = ${workspaceId} and wm.user_id = ${userId}`)
  if (!m) throw new Error(`member ${userId} vanished`)
  return m
}

export async function personRef(sql: AnySql, userId: string): Promise<PersonRef> {
  const [p] = await sql<PersonRef[]>`select id, handle, name from users where id = ${userId}`
  if (!p) throw new Error(`user ${userId} vanished`)
  return { id: p.id, handle: p.handle, name: p.name }
}
