import type { Changes, StateReader } from './state.js'

/** A send waiting in the outbox, or set aside because the server refused it for good. */
export interface OutboxEntry {
  clientId: string
  conversationId: string
  threadRootId: string | null
  alsoToChannel: boolean
  text: string
  createdAt: string
  attempts: number
  /** Set aside: the server refused it for good (or it kept failing); listable, retryable, discardable. */
  failed: { code: string; message: string; at: string } | null
}

export type NewOutboxEntry = Pick<OutboxEntry, 'clientId' | 'conversationId' | 'threadRootId' | 'alsoToChannel' | 'text'>

/**
 * The small interface the client engine keeps its state behind: SQLite in the daemon, memory
 * (or IndexedDB, loaded into memory and written behind) in a browser. Reads are synchronous so
 * the reducer can run against it directly; `apply` stores one step's changes atomically.
 */
export interface ClientStorage extends StateReader {
  apply(changes: Changes): void
  /** Cursors of the conversations I am in (the streams `sync` follows). */
  followedCursors(): Record<string, number>
  outboxPut(entry: NewOutboxEntry): OutboxEntry
  outboxGet(clientId: string): OutboxEntry | null
  /** Every entry, oldest first, set-aside ones included. */
  outboxList(): OutboxEntry[]
  outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void
  /** True when this call removed it: only one path reports a delivery. */
  outboxRemove(clientId: string): boolean
}
