import { deleteDB, openDB, type IDBPDatabase } from 'idb'
import { MemoryStore, tableNames, type Changes, type NewOutboxEntry, type OutboxEntry, type TableName } from '@ocomms/shared/client'

/** Bumped when the shape of the stored tables changes: an older copy is thrown away and rebuilt from the server. */
const SCHEMA = 1
const dbName = (userId: string) => `ocomms-${userId}`

/**
 * The client state in IndexedDB: loaded into memory at start (the engine reads synchronously),
 * every change written behind. The page opens with what it had, offline too, and the outbox
 * survives a reload. One database per person; signing out deletes it.
 */
export class IdbStore extends MemoryStore {
  private pending: Array<(db: IDBPDatabase) => Promise<void>> = []
  private writing: Promise<void> | null = null

  private constructor(
    private readonly db: IDBPDatabase,
    private readonly changed: () => void,
  ) {
    super()
  }

  static async open(userId: string, changed: () => void): Promise<IdbStore> {
    let opened: IDBPDatabase | null = null
    const db = await openDB(dbName(userId), SCHEMA, {
      // Signing out deletes the database: an open copy lets go rather than hold it up.
      blocking: () => opened?.close(),
      upgrade(db) {
        for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name)
        for (const t of tableNames) db.createObjectStore(t)
        db.createObjectStore('outbox')
      },
    })
    opened = db
    const store = new IdbStore(db, changed)
    const loaded = { put: {}, remove: {}, dropHistory: [] } as Changes
    for (const t of tableNames) {
      const tx = db.transaction(t)
      const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()])
      ;(loaded.put as Record<string, Record<string, unknown>>)[t] = Object.fromEntries(keys.map((k, i) => [String(k), values[i]]))
    }
    MemoryStore.prototype.apply.call(store, loaded)
    for (const entry of (await db.getAll('outbox')) as OutboxEntry[]) {
      MemoryStore.prototype.outboxPut.call(store, entry)
      MemoryStore.prototype.outboxUpdate.call(store, entry.clientId, { attempts: entry.attempts, failed: entry.failed })
    }
    return store
  }

  close(): void {
    void (this.writing ?? Promise.resolve()).then(() => this.db.close())
  }

  static forget(userId: string): Promise<void> {
    return deleteDB(dbName(userId))
  }

  /** Writes in order, one transaction at a time, behind the page. */
  private later(write: (db: IDBPDatabase) => Promise<void>): void {
    this.pending.push(write)
    if (this.writing) return
    this.writing = (async () => {
      while (this.pending.length > 0) {
        const next = this.pending.shift()!
        await next(this.db).catch((err: unknown) => console.warn('could not store the client state', err))
      }
      this.writing = null
    })()
  }

  override apply(changes: Changes): void {
    const dropped = changes.dropHistory.length > 0 ? Object.values(this.state.messages).filter((m) => changes.dropHistory.includes(m.conversationId)).map((m) => m.id) : []
    super.apply(changes)
    this.later(async (db) => {
      const tx = db.transaction([...tableNames], 'readwrite')
      for (const id of dropped) void tx.objectStore('messages').delete(id)
      for (const t of tableNames) {
        const store = tx.objectStore(t as TableName)
        for (const [key, row] of Object.entries(changes.put[t] ?? {})) void store.put(row, key)
        for (const key of changes.remove[t] ?? []) void store.delete(key)
      }
      await tx.done
    })
  }

  override outboxPut(entry: NewOutboxEntry): OutboxEntry {
    const stored = super.outboxPut(entry)
    this.later((db) => db.put('outbox', stored, stored.clientId).then(() => {}))
    this.changed()
    return stored
  }

  override outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    super.outboxUpdate(clientId, patch)
    const entry = super.outboxGet(clientId)
    if (entry) this.later((db) => db.put('outbox', entry, clientId).then(() => {}))
    this.changed()
  }

  override outboxRemove(clientId: string): boolean {
    const removed = super.outboxRemove(clientId)
    if (removed) {
      this.later((db) => db.delete('outbox', clientId))
      this.changed()
    }
    return removed
  }
}
