import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { defineOperation } from '../operation.js'
import { Count, CustomStatus, Id, Nullable, Ok, SeqNumber, Timestamp } from '../schemas.js'
import { KEYWORD_MAX_LENGTH, KEYWORDS_MAX } from '../attention/keywords.js'
import {
  DndStatus,
  Draft,
  MentionItem,
  MentionPolicy,
  NotifyLevel,
  NotifyPref,
  PresenceInfo,
  PresenceMode,
  Unreads,
} from '../attention/schemas.js'

/** Mentions, notification preferences, presence and status, DND, unreads, drafts, typing (docs/attention.md). */

const WorkspaceScoped = { workspaceId: Id }
const ConversationScoped = { conversationId: Id }

// Mentions

export const listMentions = defineOperation({
  name: 'mentions.list',
  summary: 'Messages that mentioned you (by handle, @channel, @here or one of your keywords), newest first; only from conversations you can still read.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/mentions' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      limit: Type.Optional(Count({ minimum: 1, maximum: limits.historyPage })),
      before: Type.Optional(Timestamp),
    },
    { additionalProperties: false },
  ),
  output: Type.Array(MentionItem),
})

export const getMentionPolicy = defineOperation({
  name: 'mentionPolicy.get',
  summary: 'Who may use @channel and @here in channels of more than N members.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/mention-policy' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: MentionPolicy,
})

export const setMentionPolicy = defineOperation({
  name: 'mentionPolicy.set',
  summary: 'Set who may use @channel and @here in channels of more than `minMembers` members (workspace admins).',
  http: { method: 'PUT', path: '/api/workspaces/:workspaceId/mention-policy' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      who: Type.Optional(Type.Union([Type.Literal('everyone'), Type.Literal('admins')])),
      minMembers: Type.Optional(Count({ maximum: 1_000_000 })),
    },
    { additionalProperties: false },
  ),
  output: MentionPolicy,
})

// Notification preferences and keywords

export const getNotifyPref = defineOperation({
  name: 'notify.get',
  summary: 'Your notification preference for a conversation.',
  http: { method: 'GET', path: '/api/conversations/:conversationId/notify' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: NotifyPref,
})

export const setNotifyPref = defineOperation({
  name: 'notify.set',
  summary: 'Set your notification preference for a conversation: level all / mentions / none (null: the default), mute, ignore @channel and @here.',
  http: { method: 'PUT', path: '/api/conversations/:conversationId/notify' },
  auth: 'session',
  input: Type.Object(
    {
      ...ConversationScoped,
      level: Type.Optional(Nullable(NotifyLevel)),
      muted: Type.Optional(Type.Boolean()),
      ignoreChannelMentions: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: NotifyPref,
})

export const listNotifyPrefs = defineOperation({
  name: 'notify.list',
  summary: 'Your notification preferences that differ from the default, in a workspace.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/notify' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: Type.Array(NotifyPref),
})

const Keyword = Type.String({ minLength: 1, maxLength: KEYWORD_MAX_LENGTH })
const Keywords = Type.Object({ keywords: Type.Array(Type.String()) })

export const getKeywords = defineOperation({
  name: 'keywords.get',
  summary: 'Your personal keywords: messages containing one as a whole word (any case) notify you.',
  http: { method: 'GET', path: '/api/me/keywords' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Keywords,
})

export const addKeyword = defineOperation({
  name: 'keywords.add',
  summary: `Add a personal keyword (at most ${KEYWORDS_MAX}).`,
  http: { method: 'POST', path: '/api/me/keywords' },
  auth: 'session',
  input: Type.Object({ word: Keyword }, { additionalProperties: false }),
  output: Keywords,
})

export const removeKeyword = defineOperation({
  name: 'keywords.remove',
  summary: 'Remove a personal keyword.',
  http: { method: 'DELETE', path: '/api/me/keywords/:word' },
  auth: 'session',
  input: Type.Object({ word: Keyword }, { additionalProperties: false }),
  output: Keywords,
})

// Presence and custom status

export const setPresence = defineOperation({
  name: 'presence.set',
  summary: 'auto: online or away from your activity; away or busy: shown as set until you choose auto again.',
  http: { method: 'PUT', path: '/api/me/presence' },
  auth: 'session',
  input: Type.Object({ mode: PresenceMode }, { additionalProperties: false }),
  output: Type.Object({ mode: PresenceMode, presence: PresenceInfo }),
})

export const reportActivity = defineOperation({
  name: 'presence.activity',
  summary: 'The person is active (typing, reading) on this device: keeps them online rather than away.',
  http: { method: 'POST', path: '/api/me/activity' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Ok,
})

export const subscribePresence = defineOperation({
  name: 'presence.subscribe',
  summary:
    'Over a socket: receive `presence` signals for exactly these people (replaces the previous list; [] stops). Answers their presence now. People who share no workspace with you are left out.',
  http: { method: 'POST', path: '/api/me/presence/subscriptions' },
  auth: 'session',
  input: Type.Object({ userIds: Type.Array(Id, { maxItems: 1_000, uniqueItems: true }) }, { additionalProperties: false }),
  output: Type.Array(PresenceInfo),
})

export const setStatus = defineOperation({
  name: 'status.set',
  summary: 'Set your custom status: text, emoji (:shortcode: or the character) and an optional expiry.',
  http: { method: 'PUT', path: '/api/me/status' },
  auth: 'session',
  input: Type.Object(
    {
      text: Type.String({ maxLength: limits.statusText }),
      emoji: Type.Optional(Nullable(Type.String({ maxLength: limits.statusEmoji }))),
      expiresAt: Type.Optional(Nullable(Timestamp)),
      expiresInMinutes: Type.Optional(Count({ minimum: 1, maximum: 60 * 24 * 366 })),
    },
    { additionalProperties: false },
  ),
  output: Nullable(CustomStatus),
})

export const clearStatus = defineOperation({
  name: 'status.clear',
  summary: 'Clear your custom status.',
  http: { method: 'DELETE', path: '/api/me/status' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Ok,
})

// Do not disturb

export const getDnd = defineOperation({
  name: 'dnd.get',
  summary: 'Whether do-not-disturb is on now and until when, with your snooze, schedule and time zone.',
  http: { method: 'GET', path: '/api/me/dnd' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: DndStatus,
})

export const snoozeDnd = defineOperation({
  name: 'dnd.snooze',
  summary: 'Turn do-not-disturb on for some minutes or until a time.',
  http: { method: 'POST', path: '/api/me/dnd/snooze' },
  auth: 'session',
  input: Type.Object(
    {
      minutes: Type.Optional(Count({ minimum: 1, maximum: 60 * 24 * 30 })),
      until: Type.Optional(Timestamp),
    },
    { additionalProperties: false },
  ),
  output: DndStatus,
})

export const endDnd = defineOperation({
  name: 'dnd.off',
  summary: 'Turn do-not-disturb off now: ends a snooze and, during scheduled DND hours, suspends the schedule until its next allowed hours.',
  http: { method: 'DELETE', path: '/api/me/dnd/snooze' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: DndStatus,
})

export const setDndSchedule = defineOperation({
  name: 'dnd.schedule',
  summary:
    'Set the weekly hours when notifications are allowed, e.g. "mon-fri 09:00-18:00" (null: no schedule), and your IANA time zone.',
  http: { method: 'PUT', path: '/api/me/dnd/schedule' },
  auth: 'session',
  input: Type.Object(
    {
      spec: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
      timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  output: DndStatus,
})

// Unreads

export const getUnreads = defineOperation({
  name: 'unreads',
  summary:
    'Unread and mention counts of your conversations and followed threads in a workspace (only messages by others); with `all`, also those with nothing unread.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/unreads' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Unreads,
})

export const markRead = defineOperation({
  name: 'read.mark',
  summary: 'Mark a conversation (or a thread, with threadRootId) read up to the latest message or up to `seq`. Never moves the marker back.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/read' },
  auth: 'session',
  input: Type.Object(
    { ...ConversationScoped, threadRootId: Type.Optional(Id), seq: Type.Optional(SeqNumber()) },
    { additionalProperties: false },
  ),
  output: Type.Object({ conversationId: Id, threadRootId: Nullable(Id), lastReadSeq: SeqNumber() }),
})

export const markUnread = defineOperation({
  name: 'read.markUnread',
  summary: 'Make a message and everything after it unread (in its thread for a reply).',
  http: { method: 'POST', path: '/api/messages/:messageId/unread' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Type.Object({ conversationId: Id, threadRootId: Nullable(Id), lastReadSeq: SeqNumber() }),
})

// Drafts

export const setDraft = defineOperation({
  name: 'draft.set',
  summary: 'Keep a draft for a conversation or thread; every device of yours sees it. Empty text clears it.',
  http: { method: 'PUT', path: '/api/conversations/:conversationId/draft' },
  auth: 'session',
  input: Type.Object(
    { ...ConversationScoped, threadRootId: Type.Optional(Id), text: Type.String({ maxLength: limits.messageText }) },
    { additionalProperties: false },
  ),
  output: Nullable(Draft),
})

export const clearDraft = defineOperation({
  name: 'draft.clear',
  summary: 'Drop the draft of a conversation or thread.',
  http: { method: 'DELETE', path: '/api/conversations/:conversationId/draft' },
  auth: 'session',
  input: Type.Object({ ...ConversationScoped, threadRootId: Type.Optional(Id) }, { additionalProperties: false }),
  output: Ok,
})

export const listDrafts = defineOperation({
  name: 'draft.list',
  summary: 'Your drafts in a workspace, newest first.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/drafts' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: Type.Array(Draft),
})

// Typing

const TypingInput = Type.Object({ ...ConversationScoped, threadRootId: Type.Optional(Id) }, { additionalProperties: false })

export const startTyping = defineOperation({
  name: 'typing.start',
  summary: `You are typing in a conversation or thread. Other members see it until you stop, send, or it expires; renew every few seconds while typing.`,
  http: { method: 'POST', path: '/api/conversations/:conversationId/typing' },
  auth: 'session',
  input: TypingInput,
  output: Ok,
})

export const stopTyping = defineOperation({
  name: 'typing.stop',
  summary: 'You stopped typing.',
  http: { method: 'DELETE', path: '/api/conversations/:conversationId/typing' },
  auth: 'session',
  input: TypingInput,
  output: Ok,
})
