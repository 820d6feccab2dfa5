import type { Message, PersonRef } from '@ocomms/shared'

/**
 * Server operations the TUI reaches through the daemon's `call` that are not yet declared in
 * `shared/src/operations/` (reactions, pins, saved items, unreads, mentions, drafts, presence,
 * typing, search, notification preferences). Every name the TUI uses for them lives here and
 * nowhere else, so aligning with the final declarations is a one-file change; the shapes below
 * are what the TUI reads of their answers and should then become imports from `@ocomms/shared`.
 * Operations that already exist are called by their declared names directly.
 */
export const serverOps = {
  reactionAdd: 'reaction.add', // { messageId, emoji }
  reactionRemove: 'reaction.remove', // { messageId, emoji }
  pinAdd: 'pin.add', // { messageId }
  pinRemove: 'pin.remove', // { messageId }
  pinList: 'pin.list', // { conversationId } -> Message[]
  saveAdd: 'saved.add', // { messageId }
  saveRemove: 'saved.remove', // { messageId }
  savedList: 'saved.list', // {} -> Message[]
  unreadsList: 'unreads.list', // { workspaceId } -> UnreadsAnswer
  markRead: 'unreads.markRead', // { conversationId, seq, threadRootId? }
  markUnread: 'unreads.markUnread', // { messageId }
  mentionsList: 'mentions.list', // { workspaceId, limit } -> Message[]
  threadsList: 'thread.listFollowed', // { workspaceId } -> ThreadSummary[]
  draftList: 'draft.list', // { workspaceId } -> Draft[]
  draftSet: 'draft.set', // { conversationId, threadRootId, text } (empty text clears)
  presenceSubscribe: 'presence.subscribe', // { workspaceId, userIds }
  typingStart: 'typing.start', // { conversationId, threadRootId? }
  typingStop: 'typing.stop', // { conversationId, threadRootId? }
  search: 'search', // { workspaceId, query, limit } -> SearchAnswer
  notifyPrefsList: 'notify.list', // { workspaceId } -> NotifyPref[]
  dndStatus: 'dnd.status', // {} -> DndStatus
} as const

export type ServerOp = (typeof serverOps)[keyof typeof serverOps]

/** Event types of those features, as the TUI expects them in `subscribe` notifications. */
export const featureEvents = {
  reactionAdded: 'reaction.added', // { messageId, emoji, userId }
  reactionRemoved: 'reaction.removed',
  pinAdded: 'pin.added', // { messageId }
  pinRemoved: 'pin.removed',
  typing: 'typing', // { conversationId, threadRootId, userId, typing: boolean }
  presence: 'presence', // { userId, presence, status, dnd }
  unreadsChanged: 'unreads.updated', // { conversationId, unread, mentions, lastReadSeq? }
  draftUpdated: 'draft.updated', // Draft
} as const

export interface UnreadCount {
  conversation: { id: string }
  unread: number
  mentions: number
  /** The last seq this member read, when the server reports it; else the marker is derived from `unread`. */
  lastReadSeq?: number
}

export interface ThreadSummary {
  root: Message
  unread: number
  mentions: number
}

export interface UnreadsAnswer {
  conversations: UnreadCount[]
  threads: ThreadSummary[]
  total: number
}

export interface Draft {
  conversationId: string
  threadRootId: string | null
  text: string
  updatedAt?: string
}

export interface NotifyPref {
  conversationId: string
  level?: 'all' | 'mentions' | 'none'
  muted: boolean
}

export interface SearchAnswer {
  messages: Array<Message & { conversation?: { id: string; name: string | null; kind: string } }>
  people?: PersonRef[]
  channels?: Array<{ id: string; name: string | null }>
}

export interface DndStatus {
  active: boolean
  until?: string | null
}
