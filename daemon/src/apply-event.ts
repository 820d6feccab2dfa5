import type { Conversation, Event, Member, Message } from '@ocomms/shared'
import type { Cache } from './cache.js'

/** What happened to an event offered to the cache. */
export type Applied = 'applied' | 'old' | 'gap' | 'unknown'

type RootSummary = Pick<Message, 'id' | 'replyCount' | 'lastReplyAt' | 'replyParticipants'>

/**
 * Applies one event to the cache if it is the next in its stream (docs/events.md): an older
 * seq was seen already, a newer one means something is missing and the stream must be synced.
 * Runs in one SQLite transaction, so the cursor moves with the change it covers.
 */
export function applyEvent(cache: Cache, event: Event, me: string): Applied {
  return cache.transaction(() => {
    if (event.stream === 'conversation') {
      const cached = cache.conversation(event.streamId)
      if (!cached) return 'unknown'
      if (event.seq <= cached.cursor) return 'old'
      if (event.seq > cached.cursor + 1) return 'gap'
      applyConversationEvent(cache, event, cached.conversation)
      cache.setCursor(event.streamId, event.seq)
      return 'applied'
    }
    const cursor = cache.cursor(event.stream, event.streamId)
    if (cursor !== null && event.seq <= cursor) return 'old'
    if (cursor !== null && event.seq > cursor + 1) return 'gap'
    if (event.stream === 'user') applyUserEvent(cache, event, me)
    else applyWorkspaceEvent(cache, event)
    cache.setStreamCursor(event.stream, event.streamId, event.seq)
    return 'applied'
  })
}

function applyConversationEvent(cache: Cache, event: Event, conversation: Conversation): void {
  const data = event.data
  let next: Conversation = { ...conversation, lastSeq: event.seq }
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
    case 'thread.updated':
      if (data.message) cache.putMessage(data.message as Message)
      break
    case 'message.deleted':
      cache.patchMessage(data.messageId as string, { deleted: true, text: '', reactions: [], files: [] })
      break
    case 'conversation.updated':
    case 'conversation.archived':
    case 'conversation.unarchived':
      if (data.conversation) next = { ...next, ...(data.conversation as Partial<Conversation>), isMember: conversation.isMember, lastSeq: event.seq }
      break
    case 'conversation.member_joined':
      next.memberCount = conversation.memberCount + 1
      break
    case 'conversation.member_left':
      next.memberCount = Math.max(0, conversation.memberCount - 1)
      break
  }
  if (data.root) {
    const root = data.root as RootSummary
    cache.patchMessage(root.id, { replyCount: root.replyCount, lastReplyAt: root.lastReplyAt, replyParticipants: root.replyParticipants })
  }
  cache.putConversation(next)
  if (event.type === 'message.created') cache.prune(conversation.id)
}

function applyUserEvent(cache: Cache, event: Event, _me: string): void {
  const data = event.data
  switch (event.type) {
    case 'conversation.added': {
      // The conversation as of the event that added us: its stream is followed from there.
      const c = data.conversation as Conversation
      const known = cache.conversation(c.id)
      if (known && known.conversation.isMember) return
      cache.putConversation({ ...c, isMember: true }, c.lastSeq)
      break
    }
    case 'conversation.removed': {
      const id = data.conversationId as string
      const known = cache.conversation(id)
      // A public channel we left stays listed (for `channel list --all`), no longer followed.
      if (known && known.conversation.kind === 'public') {
        cache.resetConversation({ ...known.conversation, isMember: false, memberCount: Math.max(0, known.conversation.memberCount - 1) })
      } else {
        cache.removeConversation(id)
      }
      break
    }
  }
}

function applyWorkspaceEvent(cache: Cache, event: Event): void {
  const data = event.data
  switch (event.type) {
    case 'conversation.created': {
      const c = data.conversation as Conversation
      if (!cache.conversation(c.id)) cache.putConversation({ ...c, isMember: false }, c.lastSeq)
      break
    }
    case 'member.joined':
    case 'member.updated':
      if (data.member) cache.putMember(event.streamId, data.member as Member)
      break
  }
}
