import type { DndStatus, Draft, MentionPolicy, NotifyPref, PresenceMode } from '../attention/schemas.js'
import type { Conversation, CustomStatus, Member, Message } from '../schemas.js'
import type { Static } from '@sinclair/typebox'

/**
 * Everything a client holds, as tables of records keyed by string. The daemon keeps these
 * tables in SQLite, a browser in memory or IndexedDB, the TUI in memory; the reducer
 * (reducer.ts) is the only code that changes them from events.
 */
export interface ClientTables {
  /** By conversation id; `isMember` is the viewer's own. */
  conversations: Conversation
  /** By message id (top-level messages and thread replies). */
  messages: Message
  /** By `memberKey(workspaceId, userId)`; active members only (what `member.list` answers). */
  members: Member
  /** My saved items, by message id. */
  saved: SavedItem
  /** My drafts, by `threadKey(conversationId, threadRootId)`. */
  drafts: Draft
  /** My read markers, by `threadKey(conversationId, threadRootId)`. */
  readMarkers: ReadMarker
  /** Threads I follow (or explicitly unfollowed), by root message id. */
  follows: ThreadFollow
  /** My per-conversation notification preferences, by conversation id. */
  notifyPrefs: NotifyPref
  /** Workspace-wide settings, by workspace id. */
  workspaces: WorkspaceSettings
  /** My own account settings, one row under `ACCOUNT_KEY`. */
  account: AccountSettings
  /** The last seq applied per stream, by `streamKey(stream, streamId)` (also `snapshot:<userId>`). */
  cursors: number
}

export type TableName = keyof ClientTables
export const tableNames = [
  'conversations',
  'messages',
  'members',
  'saved',
  'drafts',
  'readMarkers',
  'follows',
  'notifyPrefs',
  'workspaces',
  'account',
  'cursors',
] as const satisfies readonly TableName[]

export interface SavedItem {
  messageId: string
  savedAt: string
}
export interface ReadMarker {
  conversationId: string
  threadRootId: string | null
  lastReadSeq: number
}

/**
 * Whether `m` is new to `me` since a read marker at `seq`: someone else's, after the marker, not
 * deleted (as the server counts unread). Where a frontend draws its "new messages" line, and what
 * it counts as new, in the web app and the terminal UI alike.
 */
export const isNewSince = (m: Pick<Message, 'seq' | 'author' | 'deleted'>, seq: number, me: string | null | undefined): boolean =>
  m.seq > seq && m.author.id !== me && !m.deleted

export interface ThreadFollow {
  messageId: string
  following: boolean
}
export interface WorkspaceSettings {
  workspaceId: string
  mentionPolicy: MentionPolicy | null
}
export interface AccountSettings {
  dnd: DndStatus | null
  status: Static<typeof CustomStatus> | null
  presenceMode: PresenceMode | null
  keywords: string[] | null
}

export const ACCOUNT_KEY = 'me'

export type ClientState = { [T in TableName]: Record<string, ClientTables[T]> }

export const emptyState = (): ClientState => Object.fromEntries(tableNames.map((t) => [t, {}])) as unknown as ClientState

export const memberKey = (workspaceId: string, userId: string) => `${workspaceId}/${userId}`
export const threadKey = (conversationId: string, threadRootId: string | null | undefined) =>
  threadRootId ? `${conversationId}/${threadRootId}` : conversationId
export const streamKey = (stream: string, streamId: string) => `${stream}:${streamId}`

/**
 * What one step (an event, a snapshot) changed: rows put or removed per table, and the
 * conversations whose cached history is dropped (left, gone, or reset because its cursor was
 * too old). Storage applies it in one transaction: the dropped histories first (so messages
 * put in the same step stay), then the tables in `tableNames` order (a conversation before its cursor).
 */
export interface Changes {
  put: { [T in TableName]?: Record<string, ClientTables[T]> }
  remove: { [T in TableName]?: string[] }
  dropHistory: string[]
}

export const noChanges = (): Changes => ({ put: {}, remove: {}, dropHistory: [] })
export const isEmpty = (c: Changes) =>
  c.dropHistory.length === 0 && Object.values(c.put).every((r) => Object.keys(r).length === 0) && Object.values(c.remove).every((r) => r.length === 0)

/** Synchronous reads of the current rows: an in-memory state, or SQLite in the daemon. */
export interface StateReader {
  get<T extends TableName>(table: T, key: string): ClientTables[T] | undefined
}

export const stateReader = (state: ClientState): StateReader => ({
  get: (table, key) => state[table][key],
})

/** A state with some changes applied; copies only the tables they touch. */
export function applyChanges(state: ClientState, changes: Changes): ClientState {
  const next = { ...state } as Record<TableName, Record<string, unknown>>
  const copied = new Set<TableName>()
  const table = (t: TableName) => {
    if (!copied.has(t)) {
      next[t] = { ...next[t] }
      copied.add(t)
    }
    return next[t]
  }
  if (changes.dropHistory.length > 0) {
    const dropped = new Set(changes.dropHistory)
    const messages = table('messages') as Record<string, Message>
    for (const [id, m] of Object.entries(messages)) if (dropped.has(m.conversationId)) delete messages[id]
  }
  for (const t of tableNames) {
    const puts = changes.put[t]
    if (puts) for (const [k, v] of Object.entries(puts)) table(t)[k] = v
    const removes = changes.remove[t]
    if (removes) for (const k of removes) delete table(t)[k]
  }
  return next as ClientState
}

/**
 * Records changes while a reducer rule runs, and answers reads from them first, so a rule
 * sees its own writes.
 */
export class ChangeSet implements StateReader {
  readonly changes: Changes = noChanges()

  constructor(private readonly base: StateReader) {}

  get<T extends TableName>(table: T, key: string): ClientTables[T] | undefined {
    if (this.changes.remove[table]?.includes(key)) return undefined
    const put = this.changes.put[table] as Record<string, ClientTables[T]> | undefined
    if (put && key in put) return put[key]
    if (table === 'messages' && this.changes.dropHistory.length > 0) {
      const m = this.base.get('messages', key)
      return m && this.changes.dropHistory.includes(m.conversationId) ? undefined : (m as ClientTables[T] | undefined)
    }
    return this.base.get(table, key)
  }

  put<T extends TableName>(table: T, key: string, value: ClientTables[T]): void {
    const removed = this.changes.remove[table]
    if (removed?.includes(key)) this.changes.remove[table] = removed.filter((k) => k !== key)
    ;((this.changes.put[table] ??= {}) as Record<string, ClientTables[T]>)[key] = value
  }

  remove(table: TableName, key: string): void {
    const puts = this.changes.put[table] as Record<string, unknown> | undefined
    if (puts) delete puts[key]
    const list = (this.changes.remove[table] ??= [])
    if (!list.includes(key)) list.push(key)
  }

  /** Changes a row that exists; a row this client never had stays absent. */
  patch<T extends TableName>(table: T, key: string, patch: Partial<ClientTables[T]>): void {
    const row = this.get(table, key)
    if (row !== undefined) this.put(table, key, { ...(row as object), ...patch } as ClientTables[T])
  }

  dropHistory(conversationId: string): void {
    if (!this.changes.dropHistory.includes(conversationId)) this.changes.dropHistory.push(conversationId)
  }

  /**
   * Adds a later step's changes, as if applied after these: what it drops goes, messages put
   * earlier in this set included, then its rows. Several events then make one write.
   */
  merge(later: Changes): void {
    for (const id of later.dropHistory) {
      const puts = this.changes.put.messages
      if (puts) for (const [key, m] of Object.entries(puts)) if (m.conversationId === id) delete puts[key]
      this.dropHistory(id)
    }
    for (const t of tableNames) {
      const puts = later.put[t]
      if (puts) for (const [key, row] of Object.entries(puts)) this.put(t, key, row)
      for (const key of later.remove[t] ?? []) this.remove(t, key)
    }
  }
}
