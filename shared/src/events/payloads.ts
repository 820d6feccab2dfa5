import { Type, type TSchema } from '@sinclair/typebox'
import { Draft, DndStatus, MentionPolicy, NotificationData, NotifyPref, PresenceMode } from '../attention/schemas.js'
import { Conversation, CustomStatus, Id, Member, MemberState, Message, Nullable, PersonRef, Reaction, Timestamp } from '../schemas.js'
import type { EventType } from './envelope.js'

/**
 * The payload (`data`) of every event type, declared once. The server writes events through
 * these types and every client reads them through them: nobody casts `event.data`.
 */

/** A thread's first message as a reply changed it: enough to update its summary line. */
export const RootSummary = Type.Object({
  id: Id,
  replyCount: Type.Integer({ minimum: 0 }),
  lastReplyAt: Nullable(Timestamp),
  replyParticipants: Type.Array(PersonRef),
})

/** A conversation as everyone sees it (without the viewer's own `isMember`). */
const SharedConversation = Type.Omit(Conversation, ['isMember'])

const LeaveReason = Type.Optional(Type.String({ description: 'left, kicked, deactivated, ...' }))

export const eventPayloads = {
  // conversation streams
  'message.created': Type.Object({ message: Message, root: Type.Optional(RootSummary) }),
  'message.updated': Type.Object({ message: Message }),
  'message.deleted': Type.Object({ messageId: Id, threadRootId: Nullable(Id), root: Type.Optional(RootSummary) }),
  'thread.updated': Type.Object({ message: Type.Optional(Message), root: Type.Optional(RootSummary) }),
  'conversation.updated': Type.Object({ conversation: SharedConversation, by: Nullable(Id) }),
  'conversation.archived': Type.Object({ conversation: SharedConversation, by: Nullable(Id) }),
  'conversation.unarchived': Type.Object({ conversation: SharedConversation, by: Nullable(Id) }),
  'conversation.member_joined': Type.Object({ userId: Id, by: Type.Optional(Nullable(Id)) }),
  'conversation.member_left': Type.Object({ userId: Id, by: Type.Optional(Nullable(Id)), reason: LeaveReason }),
  'reaction.added': Type.Object({ messageId: Id, threadRootId: Nullable(Id), emoji: Type.String(), member: PersonRef, reactions: Type.Array(Reaction) }),
  'reaction.removed': Type.Object({ messageId: Id, threadRootId: Nullable(Id), emoji: Type.String(), member: PersonRef, reactions: Type.Array(Reaction) }),
  'message.pinned': Type.Object({ messageId: Id, pinnedBy: PersonRef, pinnedAt: Timestamp, message: Message }),
  'message.unpinned': Type.Object({ messageId: Id, by: Nullable(PersonRef), reason: Type.Union([Type.Literal('unpinned'), Type.Literal('deleted')]) }),
  // user streams
  'conversation.added': Type.Object({ conversation: Conversation, by: Type.Optional(Nullable(Id)) }),
  'conversation.removed': Type.Object({ conversationId: Id, by: Type.Optional(Nullable(Id)), reason: LeaveReason }),
  'thread.followed': Type.Object({ messageId: Id, reason: Type.Optional(Type.String()) }),
  'thread.unfollowed': Type.Object({ messageId: Id }),
  'session.revoked': Type.Object({ sessionId: Type.Optional(Id) }),
  'saved.added': Type.Object({ messageId: Id, savedAt: Timestamp, message: Message }),
  'saved.removed': Type.Object({ messageId: Id }),
  notification: NotificationData,
  'read.marked': Type.Object({ conversationId: Id, threadRootId: Nullable(Id), lastReadSeq: Type.Integer({ minimum: 0 }), unread: Type.Boolean() }),
  'draft.updated': Type.Object({ draft: Draft }),
  'draft.cleared': Type.Object({ conversationId: Id, threadRootId: Nullable(Id) }),
  'dnd.updated': Type.Object({ dnd: DndStatus }),
  'status.updated': Type.Object({ status: Nullable(CustomStatus), expired: Type.Optional(Type.Boolean()) }),
  'presence.updated': Type.Object({ mode: PresenceMode }),
  'keywords.updated': Type.Object({ keywords: Type.Array(Type.String()) }),
  'notify.updated': Type.Object({ pref: NotifyPref }),
  // workspace streams
  'conversation.created': Type.Object({ conversation: SharedConversation }),
  'member.joined': Type.Object({ member: Member }),
  'member.updated': Type.Object({ member: Member }),
  'member.left': Type.Object({ userId: Id, state: MemberState }),
  'workspace.updated': Type.Object({ mentionPolicy: MentionPolicy }),
} satisfies Record<EventType, TSchema>
