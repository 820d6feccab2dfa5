import { OCommsError } from '@ocomms/shared'
import { currentWorkspace } from './call.js'
import type { HandlersFor } from './handler.js'

export const conversationHandlers: HandlersFor<'conversations.'> = {
  'conversations.list': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const workspaceId = currentWorkspace(session)
    try {
      const conversations = await session.call('conversation.list', { workspaceId, all: params.all ?? false })
      session.cache.transaction(() => {
        for (const c of conversations) {
          const known = session.cache.conversation(c.id)
          // Refresh what is shown; a stream we follow keeps its cursor (sync moves it).
          if (known && known.conversation.isMember === c.isMember) session.cache.putConversation({ ...c, lastSeq: known.conversation.lastSeq })
          else session.cache.putConversation(c, c.lastSeq)
        }
      })
      return { conversations, stale: false }
    } catch (err) {
      if (!(err instanceof OCommsError && err.code === 'unavailable')) throw err
      return { conversations: session.cache.conversations(workspaceId, params.all ?? false), stale: true }
    }
  },
}
