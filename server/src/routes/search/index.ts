import { isEmptyQuery, isValidTimeZone, OCommsError, parseSearchQuery, printSearchQuery, type SearchType } from '@ocomms/shared'
import { decodeCursor } from '../../search/cursor.js'
import { searchFiles } from '../../search/files.js'
import { searchMessages } from '../../search/messages.js'
import { searchChannels, searchPeople } from '../../search/names.js'
import type { Page } from '../../search/page.js'
import { buildScope, type Scope } from '../../search/scope.js'
import type { HandlersFor } from '../handler.js'

/** Longest a search may run before it is cut off with a request to narrow it. */
const STATEMENT_TIMEOUT = '10s'

export const searchHandlers: HandlersFor<'search'> = {
  search: async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    const timeZone = input.timeZone ?? 'UTC'
    if (!isValidTimeZone(timeZone)) throw new OCommsError('invalid_input', `"${timeZone}" is not a time zone name such as Europe/Paris.`)
    const q = parseSearchQuery(input.query, { now: new Date(), timeZone })
    if (isEmptyQuery(q)) throw new OCommsError('invalid_input', 'Type something to search for.')
    const sort = input.sort ?? 'recent'
    const limit = input.limit ?? 20
    const only = input.type
    const ranked = only === 'people' || only === 'channels'
    const cursor = input.cursor === undefined ? null : decodeCursor(input.cursor, only, ranked ? 'relevance' : sort)
    const wanted = (type: SearchType) => only === undefined || only === type

    try {
      const shared = await buildScope(sql, userId, input.workspaceId, timeZone, q)
      // Each type runs on its own connection, at the same time as the others.
      const run = <T>(type: SearchType, fn: (scope: Scope) => Promise<Page<T>>): Promise<Page<T>> =>
        wanted(type)
          ? sql.begin(async (tx) => {
              // Planned for its own words: a generic plan cannot tell a rare word from a common one.
              // Not awaited first: it goes down the connection ahead of the search's own queries.
              const settings = tx`select set_config('plan_cache_mode', 'force_custom_plan', true),
                                         set_config('statement_timeout', ${STATEMENT_TIMEOUT}, true),
                                         set_config('pg_trgm.similarity_threshold', '0.2', true),
                                         set_config('pg_trgm.word_similarity_threshold', '0.5', true)`
              const [, page] = await Promise.all([settings, fn({ ...shared, sql: tx })])
              return page
            })
          : Promise.resolve({ items: [], next: null })
      const [messages, files, people, channels] = await Promise.all([
        run('messages', (s) => searchMessages(s, sort, limit, cursor)),
        run('files', (s) => searchFiles(s, sort, limit, cursor)),
        run('people', (s) => searchPeople(s, limit, cursor?.offset ?? 0)),
        run('channels', (s) => searchChannels(s, limit, cursor?.offset ?? 0)),
      ])
      return {
        query: printSearchQuery(q),
        messages: messages.items,
        files: files.items,
        people: people.items,
        channels: channels.items,
        hasMore: { messages: messages.next !== null, files: files.next !== null, people: people.next !== null, channels: channels.next !== null },
        next: { messages: messages.next, files: files.next, people: people.next, channels: channels.next },
      }
    } catch (err) {
      if ((err as { code?: string }).code === '57014') {
        throw new OCommsError('unavailable', 'That search took too long; add words or filters to narrow it.')
      }
      throw err
    }
  },
}
