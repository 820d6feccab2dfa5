import Database from 'better-sqlite3'
import type { Conversation, Member, Message, StreamKind } from '@ocomms/shared'
import type { NewOutboxEntry, OutboxEntry } from '@ocomms/shared/client'

/** Most top-level messages kept per conversation; older ones are fetched again when read. */
export const KEEP_PER_CONVERSATION = 1000

export interface CachedConversation {
  conversation: Conversation
  /** Last seq of this conversation's stream applied to the cache. */
  cursor: number
  /** Every top-level message with seq >= completeFrom is cached; null: history not loaded. */
  completeFrom: number | null
}

export type { OutboxEntry } from '@ocomms/shared/client'

const schema = `
create table if not exists conversations (
  id text primary key,
  workspace_id text not null,
  name text,
  is_member integer not null,
  json text not null,
  cursor integer not null,
  complete_from integer
);
create index if not exists conversations_name on conversations (workspace_id, name);
create table if not exists messages (
  id text primary key,
  conversation_id text not null,
  seq integer not null,
  thread_root_id text,
  top_level integer not null,
  json text not null
);
create index if not exists messages_history on messages (conversation_id, top_level, seq);
create index if not exists messages_thread on messages (thread_root_id, seq);
create table if not exists members (
  workspace_id text not null,
  id text not null,
  handle text not null,
  json text not null,
  primary key (workspace_id, id)
);
create index if not exists members_handle on members (workspace_id, handle);
create table if not exists cursors (
  stream text not null,
  stream_id text not null,
  seq integer not null,
  primary key (stream, stream_id)
);
create table if not exists outbox (
  client_id text primary key,
  conversation_id text not null,
  thread_root_id text,
  also_to_channel integer not null,
  text text not null,
  created_at text not null,
  attempts integer not null default 0
);
create table if not exists records (
  tbl text not null,
  key text not null,
  json text not null,
  primary key (tbl, key)
);
`

interface ConvRow {
  json: string
  cursor: number
  complete_from: number | null
}

const isTopLevel = (m: Message) => m.threadRootId === null || m.alsoInChannel

/**
 * One profile's replica of what it can see, in SQLite. The server is the truth: this can be
 * deleted at any time and is rebuilt from snapshots and sync.
 */
export class Cache {
  readonly db: Database.Database

  constructor(path: string) {
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(schema)
    // Caches made before outbox entries could be set aside.
    const columns = this.db.prepare<[], { name: string }>('pragma table_info(outbox)').all()
    if (!columns.some((c) => c.name === 'failed')) this.db.exec('alter table outbox add column failed text')
  }

  close(): void {
    this.db.close()
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  // conversations

  conversation(id: string): CachedConversation | null {
    const row = this.db.prepare<[string], ConvRow>('select json, cursor, complete_from from conversations where id = ?').get(id)
    return row ? { conversation: JSON.parse(row.json) as Conversation, cursor: row.cursor, completeFrom: row.complete_from } : null
  }

  channelByName(workspaceId: string, name: string): Conversation | null {
    const row = this.db
      .prepare<[string, string], { json: string }>('select json from conversations where workspace_id = ? and name = ?')
      .get(workspaceId, name)
    return row ? (JSON.parse(row.json) as Conversation) : null
  }

  conversations(workspaceId: string, all: boolean): Conversation[] {
    const rows = this.db
      .prepare<[string, number], { json: string }>(
        'select json from conversations where workspace_id = ? and (is_member = 1 or ?) order by name is null, name, id',
      )
      .all(workspaceId, all ? 1 : 0)
    return rows.map((r) => JSON.parse(r.json) as Conversation)
  }

  /** Cursors of every conversation whose stream we follow (the ones we are in). */
  memberCursors(): Record<string, number> {
    const rows = this.db.prepare<[], { id: string; cursor: number }>('select id, cursor from conversations where is_member = 1').all()
    return Object.fromEntries(rows.map((r) => [r.id, r.cursor]))
  }

  /**
   * Stores a conversation's current state. A new one starts following its stream at
   * `cursor` (its head when first seen); a known one keeps its cursor unless told.
   */
  putConversation(c: Conversation, cursor?: number): void {
    this.db
      .prepare(
        `insert into conversations (id, workspace_id, name, is_member, json, cursor, complete_from)
         values (@id, @workspaceId, @name, @isMember, @json, @cursor, null)
         on conflict (id) do update set name = excluded.name, is_member = excluded.is_member, json = excluded.json,
           cursor = case when @setCursor then excluded.cursor else conversations.cursor end,
           complete_from = case when @setCursor then null else conversations.complete_from end`,
      )
      .run({
        id: c.id,
        workspaceId: c.workspaceId,
        name: c.name,
        isMember: c.isMember ? 1 : 0,
        json: JSON.stringify(c),
        cursor: cursor ?? c.lastSeq,
        setCursor: cursor === undefined ? 0 : 1,
      })
  }

  setCursor(id: string, seq: number): void {
    this.db.prepare('update conversations set cursor = ? where id = ?').run(seq, id)
  }

  setCompleteFrom(id: string, seq: number | null): void {
    this.db.prepare('update conversations set complete_from = ? where id = ?').run(seq, id)
  }

  removeConversation(id: string): void {
    this.transaction(() => {
      this.db.prepare('delete from messages where conversation_id = ?').run(id)
      this.db.prepare('delete from conversations where id = ?').run(id)
    })
  }

  /** Forget a conversation's history (its cursor was too old): it is fetched again when read. */
  resetConversation(c: Conversation): void {
    this.transaction(() => {
      this.db.prepare('delete from messages where conversation_id = ?').run(c.id)
      this.putConversation(c, c.lastSeq)
    })
  }

  // messages

  putMessage(m: Message): void {
    this.db
      .prepare(
        `insert into messages (id, conversation_id, seq, thread_root_id, top_level, json) values (?, ?, ?, ?, ?, ?)
         on conflict (id) do update set json = excluded.json, top_level = excluded.top_level`,
      )
      .run(m.id, m.conversationId, m.seq, m.threadRootId, isTopLevel(m) ? 1 : 0, JSON.stringify(m))
  }

  message(id: string): Message | null {
    const row = this.db.prepare<[string], { json: string }>('select json from messages where id = ?').get(id)
    return row ? (JSON.parse(row.json) as Message) : null
  }

  messageBySeq(conversationId: string, seq: number): Message | null {
    const row = this.db
      .prepare<[string, number], { json: string }>('select json from messages where conversation_id = ? and seq = ?')
      .get(conversationId, seq)
    return row ? (JSON.parse(row.json) as Message) : null
  }

  patchMessage(id: string, patch: Partial<Message>): void {
    const m = this.message(id)
    if (m) this.putMessage({ ...m, ...patch })
  }

  /** The newest `limit` top-level messages before `beforeSeq`, oldest first. */
  history(conversationId: string, limit: number, beforeSeq?: number): Message[] {
    const rows = this.db
      .prepare<[string, number, number], { json: string }>(
        'select json from messages where conversation_id = ? and top_level = 1 and seq < ? order by seq desc limit ?',
      )
      .all(conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit)
    return rows.map((r) => JSON.parse(r.json) as Message).reverse()
  }

  /** How many cached top-level messages lie in [from, before). */
  countHistory(conversationId: string, from: number, beforeSeq?: number): number {
    return this.db
      .prepare<[string, number, number], { n: number }>(
        'select count(*) as n from messages where conversation_id = ? and top_level = 1 and seq >= ? and seq < ?',
      )
      .get(conversationId, from, beforeSeq ?? Number.MAX_SAFE_INTEGER)!.n
  }

  /** Every cached message of a conversation (top level and replies), for local search. */
  messagesIn(conversationId: string): Message[] {
    const rows = this.db.prepare<[string], { json: string }>('select json from messages where conversation_id = ?').all(conversationId)
    return rows.map((r) => JSON.parse(r.json) as Message)
  }

  thread(rootId: string): Message[] {
    const rows = this.db
      .prepare<[string], { json: string }>('select json from messages where thread_root_id = ? order by seq')
      .all(rootId)
    return rows.map((r) => JSON.parse(r.json) as Message)
  }

  /** Keeps the newest KEEP_PER_CONVERSATION top-level messages; the kept range stays complete. */
  prune(conversationId: string): void {
    const cut = this.db
      .prepare<[string, number], { seq: number }>(
        'select seq from messages where conversation_id = ? and top_level = 1 order by seq desc limit 1 offset ?',
      )
      .get(conversationId, KEEP_PER_CONVERSATION)
    if (!cut) return
    this.transaction(() => {
      this.db.prepare('delete from messages where conversation_id = ? and seq <= ?').run(conversationId, cut.seq)
      this.db
        .prepare('update conversations set complete_from = max(coalesce(complete_from, 0), ?) where id = ?')
        .run(cut.seq + 1, conversationId)
    })
  }

  // members

  putMember(workspaceId: string, m: Member): void {
    this.db
      .prepare('insert into members (workspace_id, id, handle, json) values (?, ?, ?, ?) on conflict do update set handle = excluded.handle, json = excluded.json')
      .run(workspaceId, m.id, m.handle, JSON.stringify(m))
  }

  member(workspaceId: string, id: string): Member | null {
    const row = this.db.prepare<[string, string], { json: string }>('select json from members where workspace_id = ? and id = ?').get(workspaceId, id)
    return row ? (JSON.parse(row.json) as Member) : null
  }

  removeMember(workspaceId: string, id: string): void {
    this.db.prepare('delete from members where workspace_id = ? and id = ?').run(workspaceId, id)
  }

  memberByHandle(workspaceId: string, handle: string): Member | null {
    const row = this.db
      .prepare<[string, string], { json: string }>('select json from members where workspace_id = ? and handle = ?')
      .get(workspaceId, handle)
    return row ? (JSON.parse(row.json) as Member) : null
  }

  members(workspaceId: string): Member[] {
    return this.db
      .prepare<[string], { json: string }>('select json from members where workspace_id = ? order by handle')
      .all(workspaceId)
      .map((r) => JSON.parse(r.json) as Member)
  }

  // stream cursors of user and workspace streams

  cursor(stream: StreamKind | 'snapshot', streamId: string): number | null {
    const row = this.db.prepare<[string, string], { seq: number }>('select seq from cursors where stream = ? and stream_id = ?').get(stream, streamId)
    return row ? row.seq : null
  }

  setStreamCursor(stream: StreamKind | 'snapshot', streamId: string, seq: number): void {
    this.db
      .prepare('insert into cursors (stream, stream_id, seq) values (?, ?, ?) on conflict do update set seq = excluded.seq')
      .run(stream, streamId, seq)
  }

  removeStreamCursor(stream: StreamKind, streamId: string): void {
    this.db.prepare('delete from cursors where stream = ? and stream_id = ?').run(stream, streamId)
  }

  // outbox

  enqueue(entry: NewOutboxEntry): OutboxEntry {
    const createdAt = new Date().toISOString()
    this.db
      .prepare(
        `insert into outbox (client_id, conversation_id, thread_root_id, also_to_channel, text, created_at)
         values (?, ?, ?, ?, ?, ?) on conflict (client_id) do nothing`,
      )
      .run(entry.clientId, entry.conversationId, entry.threadRootId, entry.alsoToChannel ? 1 : 0, entry.text, createdAt)
    return this.outboxEntry(entry.clientId)!
  }

  outboxEntry(clientId: string): OutboxEntry | null {
    const row = this.db
      .prepare<[string], Record<string, unknown>>('select * from outbox where client_id = ?')
      .get(clientId)
    return row ? outboxOut(row) : null
  }

  outbox(): OutboxEntry[] {
    return this.db.prepare<[], Record<string, unknown>>('select * from outbox order by created_at, rowid').all().map(outboxOut)
  }

  /** Entries waiting to be sent (set-aside ones not counted). */
  outboxSize(): number {
    return this.db.prepare<[], { n: number }>('select count(*) as n from outbox where failed is null').get()!.n
  }

  /** Entries set aside because the server refused them. */
  outboxFailedCount(): number {
    return this.db.prepare<[], { n: number }>('select count(*) as n from outbox where failed is not null').get()!.n
  }

  outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    if (patch.attempts !== undefined) this.db.prepare('update outbox set attempts = ? where client_id = ?').run(patch.attempts, clientId)
    if (patch.failed !== undefined) {
      this.db.prepare('update outbox set failed = ? where client_id = ?').run(patch.failed ? JSON.stringify(patch.failed) : null, clientId)
    }
  }

  // records of the client state tables that have no table of their own (docs/client-core.md)

  record(table: string, key: string): unknown {
    const row = this.db.prepare<[string, string], { json: string }>('select json from records where tbl = ? and key = ?').get(table, key)
    return row ? JSON.parse(row.json) : undefined
  }

  putRecord(table: string, key: string, value: unknown): void {
    this.db
      .prepare('insert into records (tbl, key, json) values (?, ?, ?) on conflict (tbl, key) do update set json = excluded.json')
      .run(table, key, JSON.stringify(value))
  }

  removeRecord(table: string, key: string): void {
    this.db.prepare('delete from records where tbl = ? and key = ?').run(table, key)
  }

  /** True when this call removed it: only one path reports a delivery. */
  dequeue(clientId: string): boolean {
    return this.db.prepare('delete from outbox where client_id = ?').run(clientId).changes === 1
  }
}

function outboxOut(row: Record<string, unknown>): OutboxEntry {
  return {
    clientId: row.client_id as string,
    conversationId: row.conversation_id as string,
    threadRootId: (row.thread_root_id as string | null) ?? null,
    alsoToChannel: row.also_to_channel === 1,
    text: row.text as string,
    createdAt: row.created_at as string,
    attempts: row.attempts as number,
    failed: typeof row.failed === 'string' ? (JSON.parse(row.failed) as OutboxEntry['failed']) : null,
  }
}
