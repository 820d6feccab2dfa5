import type { Message } from '@ocomms/shared'
import { LRUCache } from 'lru-cache'
import { readableConversationVersion } from '../access.js'
import type { Sql } from '../db/connect.js'
import * as load from '../queries.js'
import { perServer } from '../services.js'

/**
 * The newest page of a conversation is what nearly every history call asks for: opening a
 * channel, a client starting, a reconnect that has fallen too far behind. Many people read the
 * same page, and it changes far less often than it is read, so each process keeps the pages it
 * served, each with the version it was read at (`readableConversationVersion`).
 *
 * Every call still checks access and reads the version, in one statement; a kept page is served
 * only while the version is unchanged, so it is what the database would return now. That holds
 * across processes too: the version comes from the database, not from this process's events.
 * The page is read after its version, so a kept page is never older than its version (it may be
 * newer, and then the next call reads it again).
 *
 * One thing a page shows changes without an event that its version sees: the name of an author
 * who has left the workspace (a new name is announced to the workspaces one is in). Pages
 * therefore also expire after `maxAgeMs`.
 */
export interface NewestPagesOptions {
  /** Bytes kept in all (message text plus an allowance per message); least recently used go first. */
  maxBytes: number
  maxAgeMs: number
}

interface Kept {
  version: string
  page: readonly Message[]
}

const perMessage = 512

/** Channel history: top-level messages and the replies also sent to the channel. */
export const channelHistory = (sql: Sql, conversationId: string) =>
  sql`m.conversation_id = ${conversationId} and (m.thread_root_id is null or m.also_in_channel)`

export class NewestPages {
  readonly #kept: LRUCache<string, Kept> | null

  constructor(options: NewestPagesOptions) {
    this.#kept =
      options.maxBytes > 0
        ? new LRUCache({
            maxSize: options.maxBytes,
            ttl: options.maxAgeMs,
            sizeCalculation: ({ page }) => page.reduce((bytes, m) => bytes + perMessage + 2 * m.text.length, perMessage),
          })
        : null
  }

  /** The newest `limit` messages of the conversation's history, oldest first, if the caller may read it. */
  async read(sql: Sql, conversationId: string, userId: string, limit: number): Promise<readonly Message[]> {
    const { conversation, version } = await readableConversationVersion(sql, conversationId, userId)
    const key = `${conversation.id}/${limit}`
    const kept = this.#kept?.get(key)
    if (kept?.version === version) return kept.page
    const newest = await load.messages(sql, channelHistory(sql, conversation.id), sql`order by m.seq desc`, limit)
    // Frozen: one array answers many calls, so nothing may change it in place.
    const page = Object.freeze(newest.reverse())
    this.#kept?.set(key, { version, page })
    return page
  }

  /** How many pages are kept. */
  get size(): number {
    return this.#kept?.size ?? 0
  }
}

/** The server's NewestPages, sized by OCOMMS_HISTORY_CACHE_MB. */
export const newestPagesOf = perServer(
  (services) => new NewestPages({ maxBytes: services.config.historyCacheMb * 1024 * 1024, maxAgeMs: 60_000 }),
)
