import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { DndStatus, NotificationRecord } from '@ocomms/shared'
import type { Static } from '@sinclair/typebox'

export type NotificationEntry = Static<typeof NotificationRecord>

/** Most notifications kept in the history; older ones are dropped. */
export const KEEP_NOTIFICATIONS = 500

const schema = `
create table if not exists notifications (
  id text primary key,
  at text not null,
  json text not null
);
create index if not exists notifications_at on notifications (at);
create table if not exists settings (
  key text primary key,
  json text not null
);
create table if not exists pending_drafts (
  conversation_id text not null,
  thread_root_id text not null,
  text text not null,
  updated_at text not null,
  primary key (conversation_id, thread_root_id)
);
`

export interface PendingDraft {
  conversationId: string
  threadRootId: string | null
  text: string
  updatedAt: string
}

/**
 * The attention part of a profile's cache: the notification history, the member's DND settings
 * (so DND is judged locally, also offline) and drafts written while the server was unreachable.
 */
export class AttentionStore {
  constructor(private readonly db: Database.Database) {
    db.exec(schema)
  }

  // notifications

  addNotification(entry: Omit<NotificationEntry, 'id'>): NotificationEntry {
    const full = { id: randomUUID(), ...entry }
    this.db.prepare('insert into notifications (id, at, json) values (?, ?, ?)').run(full.id, full.at, JSON.stringify(full))
    this.db
      .prepare('delete from notifications where id not in (select id from notifications order by at desc, rowid desc limit ?)')
      .run(KEEP_NOTIFICATIONS)
    return full
  }

  notifications(limit: number): NotificationEntry[] {
    return this.db
      .prepare<[number], { json: string }>('select json from notifications order by at desc, rowid desc limit ?')
      .all(limit)
      .map((r) => JSON.parse(r.json) as NotificationEntry)
  }

  // settings

  private setting<T>(key: string): T | null {
    const row = this.db.prepare<[string], { json: string }>('select json from settings where key = ?').get(key)
    return row ? (JSON.parse(row.json) as T) : null
  }

  private putSetting(key: string, value: unknown): void {
    this.db.prepare('insert into settings (key, json) values (?, ?) on conflict do update set json = excluded.json').run(key, JSON.stringify(value))
  }

  dnd(): DndStatus | null {
    return this.setting<DndStatus>('dnd')
  }

  setDnd(status: DndStatus): void {
    this.putSetting('dnd', status)
  }

  /** Conversations whose notifications the member turned off (muted or level none), as last heard. */
  quietConversations(): Set<string> {
    return new Set(this.setting<string[]>('quiet') ?? [])
  }

  setQuiet(conversationId: string, quiet: boolean): void {
    const set = this.quietConversations()
    if (quiet) set.add(conversationId)
    else set.delete(conversationId)
    this.putSetting('quiet', [...set])
  }

  // drafts written while offline

  putPendingDraft(d: Omit<PendingDraft, 'updatedAt'>): void {
    this.db
      .prepare(
        `insert into pending_drafts (conversation_id, thread_root_id, text, updated_at) values (?, ?, ?, ?)
         on conflict do update set text = excluded.text, updated_at = excluded.updated_at`,
      )
      .run(d.conversationId, d.threadRootId ?? '', d.text, new Date().toISOString())
  }

  pendingDrafts(): PendingDraft[] {
    return this.db
      .prepare<[], { conversation_id: string; thread_root_id: string; text: string; updated_at: string }>('select * from pending_drafts order by updated_at')
      .all()
      .map((r) => ({ conversationId: r.conversation_id, threadRootId: r.thread_root_id || null, text: r.text, updatedAt: r.updated_at }))
  }

  /** Drops a pending draft once written, unless it changed meanwhile. */
  removePendingDraft(d: PendingDraft): void {
    this.db
      .prepare('delete from pending_drafts where conversation_id = ? and thread_root_id = ? and updated_at = ?')
      .run(d.conversationId, d.threadRootId ?? '', d.updatedAt)
  }
}
