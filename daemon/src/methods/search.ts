import { OCommsError, parseSearchQuery, printSearchQuery, searchLocally, type SearchResults } from '@ocomms/shared'
import type { ProfileSession } from '../session.js'
import { currentWorkspace } from './call.js'
import type { HandlersFor } from './handler.js'

const none = { messages: false, files: false, people: false, channels: false }
const noCursor = { messages: null, files: null, people: null, channels: null }

/**
 * The same query over the cache while the server is unreachable: messages only (the cache
 * holds no file contents and not every person or channel), from conversations the profile is in.
 */
function searchCache(session: ProfileSession, workspaceId: string, query: string, limit: number, timeZone?: string): SearchResults {
  const q = parseSearchQuery(query)
  const conversations = session.cache.conversations(workspaceId, false).filter((c) => c.isMember)
  const messages = conversations.flatMap((conversation) =>
    session.cache.messagesIn(conversation.id).filter((m) => !m.deleted).map((m) => ({ ...m, conversation })),
  )
  const found = searchLocally(q, messages, { me: session.profile.user.handle, ...(timeZone ? { timeZone } : {}) }, { limit })
  return { query: printSearchQuery(q), messages: found, files: [], people: [], channels: [], hasMore: none, next: noCursor, local: true }
}

export const searchHandlers: HandlersFor<'search'> = {
  search: async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const workspaceId = currentWorkspace(session)
    const limit = params.limit ?? 20
    try {
      return await session.call('search', {
        workspaceId,
        query: params.query,
        limit,
        ...(params.type ? { type: params.type } : {}),
        ...(params.timeZone ? { timeZone: params.timeZone } : {}),
      })
    } catch (err) {
      if (!(err instanceof OCommsError && err.code === 'unavailable')) throw err
      if (params.type && params.type !== 'messages') throw err
      return searchCache(session, workspaceId, params.query, limit, params.timeZone)
    }
  },
}
