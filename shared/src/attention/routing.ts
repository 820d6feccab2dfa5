/**
 * Notification routing: for one message and one recipient, does it notify, and why?
 * The server runs this for every member a message reaches and pushes a `notification`
 * event to those it notifies; DND is applied afterwards by the daemon (it holds the
 * desktop notification back but keeps it in history and counts). Pure, so it is tested
 * as a table (shared/test/routing.test.ts) and the daemon can explain a decision offline.
 */

import type { NotifyLevel, NotifyReason } from './schemas.js'

export interface MessageFacts {
  authorId: string
  conversationKind: 'public' | 'private' | 'dm' | 'group_dm'
  /** The thread root's id for a reply, null for a top-level message. */
  threadRootId: string | null
  /** A reply that was also sent to the channel. */
  alsoInChannel: boolean
}

/** What the message says about this recipient, worked out by the server. */
export interface RecipientFacts {
  userId: string
  /** Named with @handle. */
  mentioned: boolean
  /** The message used @channel (or @everyone). */
  channelMention: boolean
  /** The message used @here and this recipient was online when it was sent. */
  hereMention: boolean
  /** The recipient's keyword the message contains, or null. */
  keyword: string | null
  /** The message is a reply in a thread the recipient follows. */
  followsThread: boolean
}

export interface RecipientPrefs {
  /** null: the default (`all` for DMs and group DMs, `mentions` for channels). */
  level: NotifyLevel | null
  muted: boolean
  ignoreChannelMentions: boolean
}

export interface RoutingDecision {
  notify: boolean
  reason: NotifyReason | null
}

export const defaultPrefs: RecipientPrefs = { level: null, muted: false, ignoreChannelMentions: false }

export function effectiveLevel(kind: MessageFacts['conversationKind'], level: NotifyLevel | null): NotifyLevel {
  return level ?? (kind === 'dm' || kind === 'group_dm' ? 'all' : 'mentions')
}

const yes = (reason: NotifyReason): RoutingDecision => ({ notify: true, reason })
const no: RoutingDecision = { notify: false, reason: null }

/**
 * The rules, in order (docs/attention.md):
 * 1. Your own message never notifies you.
 * 2. Level `none` silences the conversation completely.
 * 3. An @handle mention of you notifies, even in a muted conversation.
 * 4. Muted: nothing else notifies.
 * 5. DMs and group DMs at level `all` notify for every message.
 * 6. @channel and @here notify unless you ignore them in this conversation.
 * 7. Your keywords notify.
 * 8. Replies in threads you follow notify.
 * 9. Level `all` notifies for every message shown in the channel (not for other thread replies).
 */
export function decideNotification(message: MessageFacts, recipient: RecipientFacts, prefs: RecipientPrefs = defaultPrefs): RoutingDecision {
  if (recipient.userId === message.authorId) return no
  const level = effectiveLevel(message.conversationKind, prefs.level)
  if (level === 'none') return no
  if (recipient.mentioned) return yes('mention')
  if (prefs.muted) return no
  const isDm = message.conversationKind === 'dm' || message.conversationKind === 'group_dm'
  const inChannel = message.threadRootId === null || message.alsoInChannel
  if (isDm && level === 'all' && inChannel) return yes('dm')
  if (!prefs.ignoreChannelMentions) {
    if (recipient.channelMention) return yes('channel')
    if (recipient.hereMention) return yes('here')
  }
  if (recipient.keyword !== null) return yes('keyword')
  if (message.threadRootId !== null && recipient.followsThread) return yes('thread')
  if (level === 'all' && inChannel) return yes('all')
  return no
}
