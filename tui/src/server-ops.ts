import type {
  DndStatus,
  Draft,
  InputOf,
  Message,
  NotifyPref,
  OperationMap,
  OperationName,
  OutputOf,
  PresenceInfo,
  SearchResults,
  TypingSignal,
  Unreads,
} from '@ocomms/shared'

/**
 * The server operations the TUI reaches through the daemon's `call`, by their declared names
 * (shared/src/operations/), and the live events of those features it listens to. `call` is typed
 * by the declarations, so a renamed operation or a changed input is a compile error here.
 */
export const serverOps = {
  reactionAdd: 'reaction.add',
  reactionRemove: 'reaction.remove',
  pinAdd: 'pin.add',
  pinRemove: 'pin.remove',
  pinList: 'pin.list',
  saveAdd: 'saved.add',
  saveRemove: 'saved.remove',
  savedList: 'saved.list',
  /** Unread counts; with `all`, also the followed threads with nothing unread (the threads view). */
  unreadsList: 'unreads',
  markRead: 'read.mark',
  markUnread: 'read.markUnread',
  mentionsList: 'mentions.list',
  draftList: 'draft.list',
  draftSet: 'draft.set',
  typingStart: 'typing.start',
  typingStop: 'typing.stop',
  search: 'search',
  notifyPrefsList: 'notify.list',
  dndStatus: 'dnd.get',
} as const satisfies Record<string, OperationName>

export type ServerOp = (typeof serverOps)[keyof typeof serverOps]
export type OpInput<N extends OperationName> = InputOf<OperationMap[N]>
export type OpOutput<N extends OperationName> = OutputOf<OperationMap[N]>

/**
 * Event types of those features in `subscribe` notifications (shared/src/events.ts, docs/events.md).
 * `presence` and `typing` are ephemeral socket signals (PRESENCE_EVENT, TYPING_EVENT), not seq
 * events: the daemon forwards them with the signal's fields beside `type` instead of in `data`.
 */
export const featureEvents = {
  reactionAdded: 'reaction.added', // { messageId, threadRootId, emoji, member, reactions }
  reactionRemoved: 'reaction.removed',
  pinAdded: 'message.pinned', // { messageId, pinnedBy, pinnedAt, message }
  pinRemoved: 'message.unpinned', // { messageId, by, reason }
  savedAdded: 'saved.added', // { messageId, savedAt, message }
  savedRemoved: 'saved.removed', // { messageId }
  readMarked: 'read.marked', // { conversationId, threadRootId, lastReadSeq, unread }
  draftUpdated: 'draft.updated', // { draft }
  draftCleared: 'draft.cleared', // { conversationId, threadRootId }
  dndUpdated: 'dnd.updated', // { dnd: DndStatus }
  notifyUpdated: 'notify.updated', // { pref: NotifyPref }
  typing: 'typing', // TypingSignal
  presence: 'presence', // PresenceInfo
} as const

export type UnreadsAnswer = Unreads
export type ThreadSummary = Unreads['threads'][number]
export type SearchAnswer = SearchResults
export type { DndStatus, Draft, Message, NotifyPref, PresenceInfo, TypingSignal }
