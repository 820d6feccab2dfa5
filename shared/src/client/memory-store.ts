import { applyChanges, emptyState, type Changes, type ClientState, type ClientTables, type TableName } from './state.js'
import type { ClientStorage, NewOutboxEntry, OutboxEntry } from './storage.js'

/** Client storage in memory: for a browser tab, tests, or anything that rebuilds from the server on start. */
export class MemoryStore implements ClientStorage {
  state: ClientState = emptyState()
  private readonly outbox = new Map<string, OutboxEntry>()
  private readonly listeners = new Set<(state: ClientState) => void>()

  get<T extends TableName>(table: T, key: string): ClientTables[T] | undefined {
    return this.state[table][key]
  }

  apply(changes: Changes): void {
    this.state = applyChanges(this.state, changes)
    for (const l of this.listeners) l(this.state)
  }

  /** Called with the new state after every change. */
  onChange(listener: (state: ClientState) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  followedCursors(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const c of Object.values(this.state.conversations)) {
      const cursor = this.state.cursors[`conversation:${c.id}`]
      if (c.isMember && cursor !== undefined) out[c.id] = cursor
    }
    return out
  }

  outboxPut(entry: NewOutboxEntry): OutboxEntry {
    const known = this.outbox.get(entry.clientId)
    if (known) return known
    const stored: OutboxEntry = { ...entry, createdAt: new Date().toISOString(), attempts: 0, failed: null }
    this.outbox.set(entry.clientId, stored)
    return stored
  }

  outboxGet(clientId: string): OutboxEntry | null {
    return this.outbox.get(clientId) ?? null
  }

  outboxList(): OutboxEntry[] {
    return [...this.outbox.values()]
  }

  outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    const e = this.outbox.get(clientId)
    if (e) this.outbox.set(clientId, { ...e, ...patch })
  }

  outboxRemove(clientId: string): boolean {
    return this.outbox.delete(clientId)
  }
}
