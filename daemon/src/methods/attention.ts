import { OCommsError } from '@ocomms/shared'
import type { Handler } from './handler.js'

export const attentionHandlers: { 'notifications.list': Handler<'notifications.list'>; 'drafts.set': Handler<'drafts.set'> } = {
  'notifications.list': (params, { daemon }) => daemon.session(params.profile).attention.store.notifications(params.limit ?? 50),

  'drafts.set': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const draft = { conversationId: params.conversationId, text: params.text, ...(params.threadRootId ? { threadRootId: params.threadRootId } : {}) }
    try {
      return { queued: false, draft: await session.call('draft.set', draft) }
    } catch (err) {
      if (!(err instanceof OCommsError && err.code === 'unavailable')) throw err
      // Kept here and written through after the next catch-up with the server.
      session.attention.store.putPendingDraft({ conversationId: params.conversationId, threadRootId: params.threadRootId ?? null, text: params.text })
      return { queued: true, draft: null }
    }
  },
}
