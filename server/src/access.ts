import { OCommsError, type Role } from '@ocomms/shared'
import type { Helper } from 'postgres'
import type { Sql, TxSql } from './db/connect.js'

/**
 * Every read and write path asks here first. Whatever the caller may not see answers
 * `not_found`, exactly as if it did not exist: private channels and DMs, other
 * workspaces, and workspaces the caller left or was deactivated in.
 */

export type AnySql = Sql | TxSql
/** A user id, as a value or as a column of the statement (`sql('x.user_id')`). */
type Reader = string | Helper<string, []>

export const isAdmin = (role: Role) => role === 'owner' || role === 'admin'

export async function workspaceRole(sql: AnySql, workspaceId: string, userId: string): Promise<Role> {
  const [row] = await sql<{ role: Role }[]>`
    select role from workspace_members where workspace_id = ${workspaceId} and user_id = ${userId} and state = 'active'`
  if (!row) throw new OCommsError('not_found', 'No such workspace.')
  return row.role
}

export interface ConversationAccess {
  id: string
  workspaceId: string
  kind: 'public' | 'private' | 'dm' | 'group_dm'
  name: string | null
  archived: boolean
  createdBy: string | null
  isMember: boolean
  /** mayPost's answer: whether the caller may post in it. */
  mayPost: boolean
  /** The caller's role in the conversation's workspace. */
  role: Role
}

/** What a conversation's access is read from: `accessColumns` over the aliases c, wm and cm. */
export interface AccessRow {
  id: string | null
  workspace_id: string
  kind: ConversationAccess['kind']
  name: string | null
  archived: boolean
  created_by: string | null
  is_member: boolean
  /** Null when the caller is not an active member of the conversation's workspace. */
  role: Role | null
  /** mayRead's answer. */
  readable: boolean
  /** mayPost's answer. */
  may_post: boolean
}

/**
 * Who may read a conversation, the one rule every read path asks (single reads, sends, search,
 * sync): an active member of its workspace, when it is a public channel or they are in it.
 * `c` is the alias of the conversations row; `reader` the user, as a value or a column
 * (`sql('x.user_id')`).
 */
export function mayRead(sql: AnySql, reader: Reader, c = 'c') {
  const conv = sql(c)
  return sql`(exists (select 1 from workspace_members rw
                       where rw.workspace_id = ${conv}.workspace_id and rw.user_id = ${reader} and rw.state = 'active')
              and (${conv}.kind = 'public'
                   or exists (select 1 from conversation_members rc where rc.conversation_id = ${conv}.id and rc.user_id = ${reader})))`
}

/**
 * Who may post in a conversation, the one rule every write of a message asks: someone who may
 * read it, is in it (a public channel is joined first), and finds it not archived. The checks of
 * a send read it as a column (accessColumns, then assertCanPost); the statement that stores a
 * batch of plain sends uses it as its guard, so what a change committed after the check took
 * away (a deactivation, an archiving) is refused there by the same rule.
 */
export function mayPost(sql: AnySql, writer: Reader, c = 'c') {
  const conv = sql(c)
  return sql`(${mayRead(sql, writer, c)} and ${conv}.archived_at is null
              and exists (select 1 from conversation_members pc where pc.conversation_id = ${conv}.id and pc.user_id = ${writer}))`
}

/**
 * The columns of an AccessRow, from conversations c, workspace_members wm and conversation_members
 * cm (joined for `reader`), with whether `reader` may read it decided by mayRead and whether they
 * may post in it by mayPost.
 */
export const accessColumns = (sql: AnySql, reader: Reader) => sql`
  c.id, c.workspace_id, c.kind, c.name, c.archived_at is not null as archived, c.created_by,
  cm.user_id is not null as is_member, wm.role, ${mayRead(sql, reader)} as readable, ${mayPost(sql, reader)} as may_post`

/** The access a row gives, when mayRead let the caller read it. */
export function accessFrom(row: AccessRow | undefined): ConversationAccess {
  if (!row?.id || !row.role || !row.readable) throw new OCommsError('not_found', 'No such conversation.')
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    name: row.name,
    archived: row.archived,
    createdBy: row.created_by,
    isMember: row.is_member,
    mayPost: row.may_post,
    role: row.role,
  }
}

/** The rows accessColumns reads for one conversation and caller. */
const accessRowOf = (sql: AnySql, conversationId: string, userId: string) => sql`
  from conversations c
  join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = ${userId} and wm.state = 'active'
  left join conversation_members cm on cm.conversation_id = c.id and cm.user_id = ${userId}
 where c.id = ${conversationId}`

/** A conversation the caller may read: a public channel of their workspace, or one they are in. */
export async function readableConversation(sql: AnySql, conversationId: string, userId: string): Promise<ConversationAccess> {
  const [row] = await sql<AccessRow[]>`select ${accessColumns(sql, userId)} ${accessRowOf(sql, conversationId, userId)}`
  return accessFrom(row)
}

/**
 * readableConversation, and in the same statement the version of what the conversation shows:
 * the last seq of its own stream and of its workspace's. Every change to a message, its
 * reactions, pin, files or thread records an event on the conversation's stream, and a change
 * of a person's name records one on the workspace's, each in the transaction that makes it.
 */
export async function readableConversationVersion(
  sql: AnySql,
  conversationId: string,
  userId: string,
): Promise<{ conversation: ConversationAccess; version: string }> {
  const [row] = await sql<(AccessRow & { version: string })[]>`
    select ${accessColumns(sql, userId)},
           c.last_seq || '.' || (select w.last_seq from workspaces w where w.id = c.workspace_id) as version
    ${accessRowOf(sql, conversationId, userId)}`
  return { conversation: accessFrom(row), version: row!.version }
}

const label = (c: ConversationAccess) => (c.name ? `#${c.name}` : 'this conversation')

/**
 * Refuses a post where mayPost says no, saying why: posting needs membership (join a public
 * channel first) and an unarchived conversation.
 */
export function assertCanPost(c: ConversationAccess): void {
  if (c.mayPost) return
  if (!c.isMember) throw new OCommsError('forbidden', `Join ${label(c)} to post in it.`)
  assertNotArchived(c)
  throw new OCommsError('forbidden', `You cannot post in ${label(c)}.`)
}

export function assertNotArchived(c: ConversationAccess): void {
  if (c.archived) throw new OCommsError('forbidden', `${label(c)} is archived and read-only.`)
}

/** Channel management (kick, archive): workspace admins and the channel's creator. */
export function assertCanManage(c: ConversationAccess, userId: string): void {
  if (!isAdmin(c.role) && c.createdBy !== userId) {
    throw new OCommsError('forbidden', `Only workspace admins and the creator of ${label(c)} can do that.`)
  }
}

export interface MessageAccess {
  id: string
  authorId: string
  threadRootId: string | null
  deleted: boolean
  conversation: ConversationAccess
}

/** A message the caller may read, with its conversation's access facts. */
export async function readableMessage(sql: AnySql, messageId: string, userId: string): Promise<MessageAccess> {
  const [row] = await sql<{ conversation_id: string; author_id: string; thread_root_id: string | null; deleted: boolean }[]>`
    select conversation_id, author_id, thread_root_id, deleted_at is not null as deleted from messages where id = ${messageId}`
  if (!row) throw new OCommsError('not_found', 'No such message.')
  const conversation = await readableConversation(sql, row.conversation_id, userId).catch((err: unknown) => {
    throw err instanceof OCommsError ? new OCommsError('not_found', 'No such message.') : err
  })
  return { id: messageId, authorId: row.author_id, threadRootId: row.thread_root_id, deleted: row.deleted, conversation }
}

/**
 * Locks the conversation of a message (ordering this change among the conversation's events,
 * and against a concurrent delete), then checks that the caller may read the message.
 */
export async function lockedMessage(sql: TxSql, messageId: string, userId: string): Promise<MessageAccess> {
  const [row] = await sql<{ conversation_id: string }[]>`select conversation_id from messages where id = ${messageId}`
  if (!row) throw new OCommsError('not_found', 'No such message.')
  await sql`select 1 from conversations where id = ${row.conversation_id} for update`
  return readableMessage(sql, messageId, userId)
}

/** Reacting and pinning are a member's acts, like posting: not on tombstones, not when archived. */
export function assertCanTouch(m: MessageAccess, what: string): void {
  if (!m.conversation.isMember) throw new OCommsError('forbidden', `Join ${label(m.conversation)} to ${what} there.`)
  assertNotArchived(m.conversation)
  if (m.deleted) throw new OCommsError('conflict', 'That message was deleted.')
}

export interface FileAccess {
  id: string
  workspaceId: string
  conversationId: string
  messageId: string | null
  uploaderId: string
  name: string
  size: number
  mimeType: string
  sha256: string
  createdAt: Date
}

/**
 * A file the caller may read: one attached to a message they may read (and not deleted), or
 * their own upload not attached yet, in a conversation they may still read.
 */
export async function readableFile(sql: AnySql, fileId: string, userId: string): Promise<FileAccess> {
  const [row] = await sql<
    { id: string; workspace_id: string; conversation_id: string; message_id: string | null; uploader_id: string; name: string; size: string; mime_type: string; sha256: string; created_at: Date; message_deleted: boolean | null }[]
  >`
    select f.id, f.workspace_id, f.conversation_id, f.message_id, f.uploader_id, f.name, f.size, f.mime_type, f.sha256, f.created_at,
           m.deleted_at is not null as message_deleted
      from files f left join messages m on m.id = f.message_id
     where f.id = ${fileId}`
  const missing = () => new OCommsError('not_found', 'No such file.')
  if (!row) throw missing()
  if (row.message_id === null ? row.uploader_id !== userId : row.message_deleted) throw missing()
  await readableConversation(sql, row.conversation_id, userId).catch((err: unknown) => {
    throw err instanceof OCommsError ? missing() : err
  })
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    uploaderId: row.uploader_id,
    name: row.name,
    size: Number(row.size),
    mimeType: row.mime_type,
    sha256: row.sha256,
    createdAt: row.created_at,
  }
}
