import { randomUUID } from 'node:crypto'
import { messageTextProblem, OCommsError, type Message } from '@ocomms/shared'
import type { ProfileSession } from '../session.js'
import type { HandlersFor } from './handler.js'

const DEFAULT_LIMIT = 50

/** The cache can answer a history page when it follows the stream live and holds the whole range. */
function cacheCovers(session: ProfileSession, conversationId: string, limit: number, beforeSeq?: number): boolean {
  if (!session.live) return false
  const cached = session.cache.conversation(conversationId)
  if (!cached || !cached.conversation.isMember || cached.completeFrom === null) return false
  if (cached.completeFrom <= 1) return true
  if (beforeSeq !== undefined && beforeSeq <= cached.completeFrom) return false
  return session.cache.countHistory(conversationId, cached.completeFrom, beforeSeq) >= limit
}

async function readHistory(session: ProfileSession, conversationId: string, limit: number, beforeSeq?: number) {
  if (cacheCovers(session, conversationId, limit, beforeSeq)) {
    return { messages: session.cache.history(conversationId, limit, beforeSeq), stale: false, source: 'cache' as const }
  }
  let messages: Message[]
  try {
    messages = await session.call('message.list', { conversationId, limit, ...(beforeSeq === undefined ? {} : { beforeSeq }) })
  } catch (err) {
    if (err instanceof OCommsError && err.code === 'unavailable' && session.cache.conversation(conversationId)) {
      return { messages: session.cache.history(conversationId, limit, beforeSeq), stale: true, source: 'cache' as const }
    }
    throw err
  }
  const cache = session.cache
  cache.transaction(() => {
    for (const m of messages) cache.putMessage(m)
    const cached = cache.conversation(conversationId)
    if (!cached || !cached.conversation.isMember) return
    // This page joins the complete range when it reaches the newest message or the range's start.
    const joins = beforeSeq === undefined || (cached.completeFrom !== null && beforeSeq <= cached.completeFrom)
    if (joins) cache.setCompleteFrom(conversationId, messages.length < limit ? 1 : messages[0]!.seq)
  })
  cache.prune(conversationId)
  return { messages, stale: false, source: 'server' as const }
}

/** A thread: its root, then the replies. Always asked of the server when it answers. */
async function readThread(session: ProfileSession, rootId: string, limit: number) {
  try {
    const thread = await session.call('thread.replies', { messageId: rootId, limit })
    session.cache.transaction(() => {
      session.cache.putMessage(thread.root)
      for (const m of thread.replies) session.cache.putMessage(m)
    })
    return { messages: [thread.root, ...thread.replies], stale: false, source: 'server' as const }
  } catch (err) {
    const root = session.cache.message(rootId)
    if (!(err instanceof OCommsError && err.code === 'unavailable') || !root) throw err
    return { messages: [root, ...session.cache.thread(rootId).slice(0, limit)], stale: true, source: 'cache' as const }
  }
}

export const messageHandlers: HandlersFor<'messages.'> = {
  'messages.send': async (params, { daemon }) => {
    // Refused here, before the outbox: an entry the server would refuse must never wait in it.
    const problem = messageTextProblem(params.text, { withFiles: Boolean(params.fileIds?.length) })
    if (problem) throw new OCommsError('invalid_input', problem)
    const session = daemon.session(params.profile)
    const clientId = params.clientId ?? randomUUID()
    if (params.fileIds?.length) {
      // Files live on the server already, so a message carrying them cannot wait in the outbox.
      const message = await session.call('message.send', {
        conversationId: params.conversationId,
        text: params.text,
        clientId,
        fileIds: params.fileIds,
        ...(params.threadRootId ? { threadRootId: params.threadRootId } : {}),
        ...(params.alsoToChannel ? { alsoToChannel: true } : {}),
      })
      session.cache.putMessage(message)
      return { queued: false, clientId, message }
    }
    const message = await session.send({
      clientId,
      conversationId: params.conversationId,
      text: params.text,
      threadRootId: params.threadRootId ?? null,
      alsoToChannel: params.alsoToChannel ?? false,
    })
    return { queued: message === null, clientId, message }
  },

  'messages.read': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    await session.settle()
    const limit = params.limit ?? DEFAULT_LIMIT
    if (params.threadRootId) return readThread(session, params.threadRootId, limit)
    return readHistory(session, params.conversationId, limit, params.beforeSeq)
  },
}
