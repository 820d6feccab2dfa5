import { Type, type Static } from '@sinclair/typebox'
import { Count, CustomStatus, Id, SeqNumber, Message, Nullable, Presence, Timestamp, Conversation, ConversationKind } from '../schemas.js'

/** Protocol shapes of the attention features (docs/attention.md), declared once. */

export const NotifyLevel = Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('none')])
export const NotifyReason = Type.Union([
  Type.Literal('dm'),
  Type.Literal('mention'),
  Type.Literal('channel'),
  Type.Literal('here'),
  Type.Literal('keyword'),
  Type.Literal('thread'),
  Type.Literal('all'),
])
export type NotifyLevel = Static<typeof NotifyLevel>
export type NotifyReason = Static<typeof NotifyReason>

export const NotifyPref = Type.Object({
  conversationId: Id,
  /** null: the default for the kind of conversation. */
  level: Nullable(NotifyLevel),
  effectiveLevel: NotifyLevel,
  muted: Type.Boolean(),
  ignoreChannelMentions: Type.Boolean({ description: 'Do not notify for @channel and @here here.' }),
})
export type NotifyPref = Static<typeof NotifyPref>

export const MentionPolicy = Type.Object({
  workspaceId: Id,
  /** Who may use @channel and @here in channels of more than `minMembers` members. */
  who: Type.Union([Type.Literal('everyone'), Type.Literal('admins')]),
  minMembers: Count(),
})
export type MentionPolicy = Static<typeof MentionPolicy>

export const MentionKind = Type.Union([Type.Literal('user'), Type.Literal('channel'), Type.Literal('here'), Type.Literal('keyword')])
export type MentionKind = Static<typeof MentionKind>

/** A message that mentioned the caller, with how. */
export const MentionItem = Type.Composite([
  Message,
  Type.Object({ mention: Type.Object({ kind: MentionKind, keyword: Nullable(Type.String()), at: Timestamp }) }),
])
export type MentionItem = Static<typeof MentionItem>

export const DndStatus = Type.Object({
  active: Type.Boolean(),
  reason: Nullable(Type.Union([Type.Literal('snooze'), Type.Literal('schedule')])),
  until: Nullable(Timestamp),
  snoozeUntil: Nullable(Timestamp),
  /** DND was turned off during scheduled hours: the schedule is suspended until then. */
  scheduleOffUntil: Nullable(Timestamp),
  /** The weekly SPEC of allowed hours, canonical form; null for none. */
  schedule: Nullable(Type.String()),
  timeZone: Type.String(),
})
export type DndStatus = Static<typeof DndStatus>

export const PresenceMode = Type.Union([Type.Literal('auto'), Type.Literal('away'), Type.Literal('busy')])
export type PresenceMode = Static<typeof PresenceMode>

/** One member's presence as others see it; also the payload of the `presence` socket signal. */
export const PresenceInfo = Type.Object({
  userId: Id,
  presence: Presence,
  status: Nullable(CustomStatus),
  dnd: Type.Boolean(),
})
export type PresenceInfo = Static<typeof PresenceInfo>

export const UnreadConversation = Type.Object({
  conversation: Conversation,
  unread: Count(),
  mentions: Count(),
  lastReadSeq: SeqNumber(),
  /** You muted it: show it quietly (its counts are still there). */
  muted: Type.Boolean(),
})
export const UnreadThread = Type.Object({
  root: Message,
  unread: Count(),
  mentions: Count(),
  lastReadSeq: SeqNumber(),
})
export const Unreads = Type.Object({
  conversations: Type.Array(UnreadConversation),
  threads: Type.Array(UnreadThread),
  /** Unread messages in all of them. */
  total: Count(),
  totalMentions: Count(),
})
export type Unreads = Static<typeof Unreads>

export const Draft = Type.Object({
  conversationId: Id,
  threadRootId: Nullable(Id),
  text: Type.String(),
  updatedAt: Timestamp,
})
export type Draft = Static<typeof Draft>

/** Data of the user-stream `notification` event: enough for a desktop notification without a fetch. */
export const NotificationData = Type.Object({
  conversationId: Id,
  messageId: Id,
  threadRootId: Nullable(Id),
  reason: NotifyReason,
  conversation: Type.Object({ id: Id, kind: ConversationKind, name: Nullable(Type.String()) }),
  message: Message,
})
export type NotificationData = Static<typeof NotificationData>

/** Payload of the ephemeral `typing` socket signal. */
export const TypingSignal = Type.Object({
  conversationId: Id,
  threadRootId: Nullable(Id),
  userId: Id,
  handle: Type.String(),
  typing: Type.Boolean({ description: 'false: stopped (or expired).' }),
})
export type TypingSignal = Static<typeof TypingSignal>

/**
 * Socket events of ephemeral signals. They carry no seq and are never replayed by sync:
 * a client that missed one asks for the current state (presence.subscribe answers it).
 */
export const PRESENCE_EVENT = 'presence'
export const TYPING_EVENT = 'typing'

/** Typing indicators expire this long after the last start, unless renewed. */
export const TYPING_EXPIRY_MS = 6_000
/** A client should renew `typing.start` at most this often while the person types. */
export const TYPING_RENEW_MS = 3_000
