import type { Changes, ClientStorage, ClientTables, NewOutboxEntry, OutboxEntry, TableName } from '@ocomms/shared/client'
import { tableNames } from '@ocomms/shared/client'
import type { Conversation, Member, Message, StreamKind } from '@ocomms/shared'
import type { Cache } from './cache.js'

/** The tables the cache has columns for; the others are JSON records (table `records`). */
const ownTables = new Set<TableName>(['conversations', 'messages', 'members', 'cursors'])

const splitKey = (key: string, sep: string): [string, string] => {
  const at = key.indexOf(sep)
  return [key.slice(0, at), key.slice(at + 1)]
}

/**
 * The client engine's storage over the daemon's SQLite cache. What the reducer produces for an
 * event is written in one transaction, so a cursor moves with the change it covers.
 */
export class SqliteStorage implements ClientStorage {
  constructor(readonly cache: Cache) {}

  get<T extends TableName>(table: T, key: string): ClientTables[T] | undefined {
    return this.read(table, key) as ClientTables[T] | undefined
  }

  private read(table: TableName, key: string): unknown {
    const cache = this.cache
    switch (table) {
      case 'conversations':
        return cache.conversation(key)?.conversation
      case 'messages':
        return cache.message(key) ?? undefined
      case 'members': {
        const [ws, id] = splitKey(key, '/')
        return cache.member(ws, id) ?? undefined
      }
      case 'cursors': {
        const [stream, id] = splitKey(key, ':')
        if (stream === 'conversation') return cache.conversation(id)?.cursor
        return cache.cursor(stream as StreamKind | 'snapshot', id) ?? undefined
      }
      default:
        return cache.record(table, key)
    }
  }

  apply(changes: Changes): void {
    const cache = this.cache
    cache.transaction(() => {
      for (const id of changes.dropHistory) {
        cache.db.prepare('delete from messages where conversation_id = ?').run(id)
        cache.setCompleteFrom(id, null)
      }
      const grown = new Set<string>()
      for (const table of tableNames) {
        for (const [key, value] of Object.entries(changes.put[table] ?? {})) {
          switch (table) {
            case 'conversations':
              cache.putConversation(value as Conversation)
              break
            case 'messages': {
              const m = value as Message
              if (!cache.message(m.id)) grown.add(m.conversationId)
              cache.putMessage(m)
              break
            }
            case 'members':
              cache.putMember(splitKey(key, '/')[0], value as Member)
              break
            case 'cursors': {
              const [stream, id] = splitKey(key, ':')
              if (stream === 'conversation') cache.setCursor(id, value as number)
              else cache.setStreamCursor(stream as StreamKind | 'snapshot', id, value as number)
              break
            }
            default:
              cache.putRecord(table, key, value)
          }
        }
        for (const key of changes.remove[table] ?? []) {
          if (!ownTables.has(table)) cache.removeRecord(table, key)
          else if (table === 'conversations') cache.removeConversation(key)
          else if (table === 'messages') cache.db.prepare('delete from messages where id = ?').run(key)
          else if (table === 'members') cache.removeMember(...splitKey(key, '/'))
          else {
            const [stream, id] = splitKey(key, ':')
            if (stream !== 'conversation') cache.removeStreamCursor(stream as StreamKind, id)
          }
        }
      }
      // Only the newest messages of a conversation are kept (cache.prune).
      for (const id of grown) cache.prune(id)
    })
  }

  followedCursors(): Record<string, number> {
    return this.cache.memberCursors()
  }

  outboxPut(entry: NewOutboxEntry): OutboxEntry {
    return this.cache.enqueue(entry)
  }

  outboxGet(clientId: string): OutboxEntry | null {
    return this.cache.outboxEntry(clientId)
  }

  outboxList(): OutboxEntry[] {
    return this.cache.outbox()
  }

  outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    this.cache.outboxUpdate(clientId, patch)
  }

  outboxRemove(clientId: string): boolean {
    return this.cache.dequeue(clientId)
  }
}
