import { mentionFlags, type Conversation, type FileRef, type Member, type Message, type PersonRef, type Reaction, type Role, type User, type Workspace } from '@ocomms/shared'

/** Row shapes as the queries in this file's callers select them, and their protocol form. */

const iso = (d: Date) => d.toISOString()
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)

export interface UserRow {
  id: string
  email: string
  handle: string
  name: string
  created_at: Date
}

export function userOut(row: UserRow): User {
  return { id: row.id, email: row.email, handle: row.handle, name: row.name, createdAt: iso(row.created_at) }
}

export interface WorkspaceRow {
  id: string
  slug: string
  name: string
  role: Role
  created_at: Date
  last_seq: number
}

export function workspaceOut(row: WorkspaceRow): Workspace {
  return { id: row.id, slug: row.slug, name: row.name, role: row.role, createdAt: iso(row.created_at), lastSeq: row.last_seq }
}

export interface MemberRow {
  id: string
  handle: string
  name: string
  role: Role
  state: Member['state']
  joined_at: Date
}

export function memberOut(row: MemberRow): Member {
  // Presence, status and DND are filled in by the attention features; until a member
  // connects they read as offline with no status.
  return {
    id: row.id,
    handle: row.handle,
    name: row.name,
    role: row.role,
    state: row.state,
    joinedAt: iso(row.joined_at),
    presence: 'offline',
    status: null,
    dnd: false,
  }
}

export interface ConversationRow {
  id: string
  workspace_id: string
  kind: Conversation['kind']
  name: string | null
  topic: string
  description: string
  created_by: string | null
  created_at: Date
  archived_at: Date | null
  last_seq: number
  member_count: number
  is_member: boolean
  members: PersonRef[] | null
}

export function conversationOut(row: ConversationRow): Conversation {
  const out: Conversation = {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    name: row.name,
    topic: row.topic,
    description: row.description,
    memberCount: row.member_count,
    archived: row.archived_at !== null,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    isMember: row.is_member,
    lastSeq: row.last_seq,
  }
  if (row.members) out.members = row.members
  return out
}

export interface MessageRow {
  id: string
  seq: number
  conversation_id: string
  thread_root_id: string | null
  also_in_channel: boolean
  client_id: string | null
  author_id: string
  author_handle: string
  author_name: string
  text: string
  created_at: Date
  edited_at: Date | null
  deleted_at: Date | null
  reply_count: number
  last_reply_at: Date | null
  participants: PersonRef[] | null
  reactions: Reaction[] | null
  pinned: boolean
  /** `size` is a bigint column, which json_build_object writes as a JSON number. */
  files: FileRef[] | null
}

export function messageOut(row: MessageRow): Message {
  return {
    id: row.id,
    seq: row.seq,
    conversationId: row.conversation_id,
    threadRootId: row.thread_root_id,
    alsoInChannel: row.also_in_channel,
    clientId: row.client_id,
    author: { id: row.author_id, handle: row.author_handle, name: row.author_name },
    text: row.deleted_at ? '' : row.text,
    createdAt: iso(row.created_at),
    editedAt: isoOrNull(row.edited_at),
    deleted: row.deleted_at !== null,
    replyCount: row.reply_count,
    lastReplyAt: isoOrNull(row.last_reply_at),
    replyParticipants: row.participants ?? [],
    reactions: row.reactions ?? [],
    pinned: row.pinned,
    files: row.files ?? [],
    mentions: mentionFlags(row.deleted_at ? '' : row.text),
  }
}
