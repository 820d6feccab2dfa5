import { deleteDB, openDB, unwrap, type IDBPDatabase } from 'idb'
import { MemoryStore, tableNames, type Changes, type NewOutboxEntry, type OutboxEntry } from '@ocomms/shared/client'

/** Bumped when the shape of the stored tables changes: an older copy is thrown away and rebuilt from the server. */
const SCHEMA = 1
const dbName = (userId: string) => `ocomms-${userId}`

/**
 * The client state in IndexedDB: loaded into memory at start (the engine reads synchronously),
 * every change written behind. The page opens with what it had, offline too, and the outbox
 * survives a reload. One database per person; signing out deletes it.
 */
/** A write waiting its turn: the object stores it touches, and its requests. */
interface Write {
  stores: string[]
  run(tx: IDBTransaction): void
}

export class IdbStore extends MemoryStore {
  private pending: Write[] = []
  private writing: Promise<void> | null = null
  /** A write failed for good: nothing more is written (see later). */
  private stuck = false

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

  /**
   * Writes in order behind the page. What is queued while a transaction runs goes into the next
   * one, all of it: one transaction per turn however many changes came meanwhile. A transaction
   * stores all of its writes or none, and they commit in order, so what a crash loses is always
   * the newest writes, an event's cursor with it. A transaction that fails (the storage quota
   * full, the database closing) is tried again with what came after it; nothing behind it is
   * written before it is, since a later cursor stored over a lost event would skip that event at
   * the next start. After three failures the page stops writing: what IndexedDB holds stays a
   * consistent earlier state, which the next start syncs forward from.
   */
  private later(write: Write): void {
    if (this.stuck) return
    this.pending.push(write)
    if (this.writing) return
    this.writing = (async () => {
      let failures = 0
      while (this.pending.length > 0 && !this.stuck) {
        const writes = this.pending
        this.pending = []
        try {
          const tx = this.db.transaction([...new Set(writes.flatMap((w) => w.stores))], 'readwrite')
          // Plain requests: the transaction's end tells whether they all went in, and a promise
          // per row is work the page does not need.
          const raw = unwrap(tx)
          for (const w of writes) w.run(raw)
          await tx.done
          failures = 0
        } catch (err) {
          this.pending = [...writes, ...this.pending]
          if (++failures >= 3) {
            this.stuck = true
            this.pending = []
            console.warn('stopped storing the client state in this browser; it is kept in the page until reload', err)
          } else {
            await new Promise((resolve) => setTimeout(resolve, 500 * failures))
          }
        }
      }
      this.writing = null
    })()
  }

  override apply(changes: Changes): void {
    const dropped = changes.dropHistory.length > 0 ? Object.values(this.state.messages).filter((m) => changes.dropHistory.includes(m.conversationId)).map((m) => m.id) : []
    super.apply(changes)
    const stores = tableNames.filter((t) => Object.keys(changes.put[t] ?? {}).length > 0 || (changes.remove[t]?.length ?? 0) > 0 || (t === 'messages' && dropped.length > 0))
    if (stores.length === 0) return
    this.later({
      stores,
      run: (tx) => {
        for (const id of dropped) tx.objectStore('messages').delete(id)
        for (const t of stores) {
          const store = tx.objectStore(t)
          for (const [key, row] of Object.entries(changes.put[t] ?? {})) store.put(row, key)
          for (const key of changes.remove[t] ?? []) store.delete(key)
        }
      },
    })
  }

  private outboxWrite(run: (outbox: IDBObjectStore) => void): void {
    this.later({ stores: ['outbox'], run: (tx) => run(tx.objectStore('outbox')) })
  }

  override outboxPut(entry: NewOutboxEntry): OutboxEntry {
    const stored = super.outboxPut(entry)
    this.outboxWrite((outbox) => outbox.put(stored, stored.clientId))
    this.changed()
    return stored
  }

  override outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    super.outboxUpdate(clientId, patch)
    const entry = super.outboxGet(clientId)
    if (entry) this.outboxWrite((outbox) => outbox.put(entry, clientId))
    this.changed()
  }

  override outboxRemove(clientId: string): boolean {
    const removed = super.outboxRemove(clientId)
    if (removed) {
      this.outboxWrite((outbox) => outbox.delete(clientId))
      this.changed()
    }
    return removed
  }
}
