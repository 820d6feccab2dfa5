import { isEmptyQuery, isValidTimeZone, OCommsError, parseSearchQuery, printSearchQuery, type SearchType } from '@ocomms/shared'
import { decodeCursor } from '../../search/cursor.js'
import { searchFiles } from '../../search/files.js'
import { searchMessages } from '../../search/messages.js'
import { searchChannels, searchPeople } from '../../search/names.js'
import type { Page } from '../../search/page.js'
import { buildScope, type Scope } from '../../search/scope.js'
import { searchTransaction } from '../../search/settings.js'
import type { HandlersFor } from '../handler.js'

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
      const shared = await searchTransaction(sql, (tx) => buildScope(tx, userId, input.workspaceId, timeZone, q))
      // Each type runs on its own connection, at the same time as the others.
      const run = <T>(type: SearchType, fn: (scope: Scope) => Promise<Page<T>>): Promise<Page<T>> =>
        wanted(type) ? searchTransaction(sql, (tx) => fn({ ...shared, sql: tx })) : Promise.resolve({ items: [], next: null })
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
