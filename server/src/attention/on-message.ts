import {
  decideNotification,
  matchKeyword,
  OCommsError,
  type MentionKind,
  type Message,
  type NotifyLevel,
  type NotifyReason,
} from '@ocomms/shared'
import { isAdmin, type ConversationAccess } from '../access.js'
import { pipelinedTransaction, type Change } from '../events/transaction.js'
import type { Services } from '../services.js'
import { findMentions, type FoundMentions } from './mentions.js'

/**
 * What a message means for the attention of the people it reaches: the mentions it makes
 * (stored, for `mentions.list` and mention counts) and who it notifies (a `notification`
 * event in each recipient's user stream). Called inside the send and edit transactions; the
 * events a send causes are written right after it commits (see deliver).
 */

export interface Recipient {
  conversation_id: string
  user_id: string
  handle: string
  keywords: string[]
  level: NotifyLevel | null
  muted: boolean | null
  ignore_channel_mentions: boolean | null
  follows_thread: boolean
}

const isChannel = (c: ConversationAccess) => c.kind === 'public' || c.kind === 'private'

/** Refuses @channel / @here where the workspace reserves them for admins; nothing is stored then. */
async function assertMayBroadcast(change: Change, c: ConversationAccess, word: string): Promise<void> {
  if (!isChannel(c) || isAdmin(c.role)) return
  const [policy] = await change.sql<{ who: string; min: number; members: number }[]>`
    select w.broadcast_mentions as who, w.broadcast_mentions_min_members as min,
           (select count(*)::int from conversation_members where conversation_id = ${c.id}) as members
      from workspaces w where w.id = ${c.workspaceId}`
  if (policy && policy.who === 'admins' && policy.members > policy.min) {
    throw new OCommsError(
      'forbidden',
      `Only workspace admins can use ${word} in channels of more than ${policy.min} members; #${c.name ?? ''} has ${policy.members}.`,
    )
  }
}

/** What deciding a message's mentions and notifications needs: known before it is stored. */
export interface MessageFacts {
  text: string
  author: { id: string }
  threadRootId: string | null
  alsoInChannel: boolean
  /**
   * A reply's root author. The send makes them follow the thread (unless they unfollowed it)
   * after planning, so planning counts them as following already.
   */
  rootAuthorId?: string | null
}

/** Whom a message can concern beyond its conversation's kind and its members' own settings. */
export interface Reach {
  /** Handles it mentions. */
  handles: string[]
  /** @channel or @here: every member. */
  everyone: boolean
  /** The thread a reply goes to, and its first message's author, who follows it unless they unfollowed. */
  threadRootId: string | null
  rootAuthorId: string | null
}

/**
 * The active members of some conversations a message can mention or notify, each with what
 * deciding that needs. In a channel that is not everyone: only the members it names, those with
 * keywords, those who asked for every message, and a reply's thread followers (see
 * decideNotification: anyone else gets neither a mention nor a notification), so a message to
 * a channel of thousands reads a handful of rows instead of thousands.
 * In a DM, or with @channel/@here, every member. Each member's row comes from primary-key
 * lookups (the lateral subquery, kept apart by `offset 0`): written as plain joins,
 * PostgreSQL's generic plan for this statement scanned the whole users, attention_settings and
 * notify_prefs tables on every message.
 */
export async function conversationRecipients(change: Change, conversationIds: string[], reach: Reach): Promise<Recipient[]> {
  return change.sql<Recipient[]>`
    select cm.conversation_id, cm.user_id, p.handle, coalesce(p.keywords, '{}') as keywords,
           p.level, p.muted, p.ignore_channel_mentions,
           coalesce(p.following, cm.user_id = ${reach.rootAuthorId}::uuid, false) as follows_thread
      from conversation_members cm
      join conversations c on c.id = cm.conversation_id
      cross join lateral (
        select u.handle, s.keywords, np.level, np.muted, np.ignore_channel_mentions, tf.following
          from users u
          join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = u.id and wm.state = 'active'
          left join attention_settings s on s.user_id = u.id
          left join notify_prefs np on np.user_id = u.id and np.conversation_id = cm.conversation_id
          left join thread_follows tf on tf.root_id = ${reach.threadRootId}::uuid and tf.user_id = u.id
         where u.id = cm.user_id
        offset 0) p
     where cm.conversation_id = any (${conversationIds}::uuid[])
       and (${reach.everyone} or c.kind in ('dm', 'group_dm')
            or cm.user_id = ${reach.rootAuthorId}::uuid
            or cm.user_id in (select id from users where handle = any (${reach.handles}::text[]))
            or cm.user_id in (select user_id from attention_settings where cardinality(keywords) > 0)
            or (cm.conversation_id, cm.user_id) in (
                 select conversation_id, user_id from notify_prefs
                  where conversation_id = any (${conversationIds}::uuid[]) and level = 'all')
            or cm.user_id in (select user_id from thread_follows where root_id = ${reach.threadRootId}::uuid and following))
     order by cm.conversation_id, cm.user_id`
}

export interface Evaluated {
  mentions: Array<{ userId: string; kind: MentionKind; keyword: string | null }>
  notifications: Array<{ userId: string; reason: NotifyReason }>
}

/**
 * Who a message mentions and notifies. It reads memberships and settings only, so a send runs
 * it before taking the conversation's seq lock, and a refused @channel costs no seq.
 */
export async function planMessageAttention(
  change: Change,
  message: MessageFacts,
  c: ConversationAccess,
  found: FoundMentions = findMentions(message.text),
): Promise<Evaluated> {
  if (found.channel) await assertMayBroadcast(change, c, '@channel')
  if (found.here) await assertMayBroadcast(change, c, '@here')
  const members = await conversationRecipients(change, [c.id], {
    handles: found.handles,
    everyone: found.channel || found.here,
    threadRootId: message.threadRootId,
    rootAuthorId: message.rootAuthorId ?? null,
  })
  const list = members.filter((r) => r.user_id !== message.author.id)
  const present = found.here ? await change.services.attention.presence.here(list.map((r) => r.user_id), change.sql) : new Set<string>()
  return evaluateAttention(message, c, found, list, present)
}

/**
 * The mentions and notifications of a message, from its mentions as found, the people it
 * reaches besides its author, and which of them are present (for @here).
 */
export function evaluateAttention(message: MessageFacts, c: ConversationAccess, found: FoundMentions, list: Recipient[], present: Set<string>): Evaluated {
  const facts = {
    authorId: message.author.id,
    conversationKind: c.kind,
    threadRootId: message.threadRootId,
    alsoInChannel: message.alsoInChannel,
  }
  const out: Evaluated = { mentions: [], notifications: [] }
  for (const r of list) {
    const mentioned = found.handles.includes(r.handle)
    const here = present.has(r.user_id)
    const keyword = r.keywords.length > 0 ? matchKeyword(found.prose, r.keywords) : null
    const kind: MentionKind | null = mentioned ? 'user' : found.channel ? 'channel' : here ? 'here' : keyword ? 'keyword' : null
    if (kind) out.mentions.push({ userId: r.user_id, kind, keyword: kind === 'keyword' ? keyword : null })
    const decision = decideNotification(
      facts,
      { userId: r.user_id, mentioned, channelMention: found.channel, hereMention: here, keyword, followsThread: r.follows_thread },
      { level: r.level, muted: r.muted ?? false, ignoreChannelMentions: r.ignore_channel_mentions ?? false },
    )
    if (decision.notify) out.notifications.push({ userId: r.user_id, reason: decision.reason! })
  }
  return out
}

async function storeMentions(change: Change, made: Array<{ message: Message; mentions: Evaluated['mentions'] }>, replace: boolean): Promise<void> {
  if (replace) await change.sql`delete from mentions where message_id = any (${made.map((m) => m.message.id)}::uuid[])`
  const rows = made.flatMap(({ message, mentions }) => mentions.map((m) => ({ message, ...m })))
  if (rows.length === 0) return
  const column = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f)
  await change.sql`
    insert into mentions (message_id, user_id, conversation_id, seq, thread_root_id, in_channel, kind, keyword, created_at)
    select * from unnest(
      ${column((r) => r.message.id)}::uuid[], ${column((r) => r.userId)}::uuid[], ${column((r) => r.message.conversationId)}::uuid[],
      ${column((r) => r.message.seq)}::bigint[], ${column((r) => r.message.threadRootId)}::uuid[],
      ${column((r) => String(r.message.threadRootId === null || r.message.alsoInChannel))}::text[]::boolean[],
      ${column((r) => r.kind)}::text[], ${column((r) => r.keyword)}::text[], ${column((r) => r.message.createdAt)}::timestamptz[])`
}

/**
 * One `notification` event per recipient, in their user streams, in one statement however many
 * people a broadcast reaches (the message sent once, each recipient's reason added to it).
 */
async function notify(change: Change, message: Message, c: ConversationAccess, list: Evaluated['notifications']): Promise<void> {
  await change.appendToEach<'notification', 'reason'>(
    'user',
    'notification',
    {
      conversationId: c.id,
      messageId: message.id,
      threadRootId: message.threadRootId,
      conversation: { id: c.id, kind: c.kind, name: c.name },
      message,
    },
    new Map(list.map((n) => [n.userId, { reason: n.reason }])),
    { conversationId: c.id, workspaceId: c.workspaceId },
  )
}

/** People named in a thread reply follow the thread from then on (unless they unfollowed it before). */
async function followOnMention(change: Change, message: Message, c: ConversationAccess, mentions: Evaluated['mentions']): Promise<void> {
  const named = mentions.filter((m) => m.kind === 'user').map((m) => m.userId).sort()
  if (!message.threadRootId || named.length === 0) return
  const added = await change.sql<{ user_id: string }[]>`
    insert into thread_follows (root_id, user_id, following, updated_at)
    -- following since the reply that named them, so that reply counts as unread
    select ${message.threadRootId}::uuid, u, true, ${message.createdAt}::timestamptz from unnest(${named}::uuid[]) as u
    on conflict (root_id, user_id) do nothing
    returning user_id`
  for (const userId of added.map((r) => r.user_id)) {
    await change.emit('user', userId, 'thread.followed', { messageId: message.threadRootId, reason: 'mention' }, { conversationId: c.id })
  }
}

const retryable = new Set(['40P01', '40001']) // deadlock detected, serialization failure

/**
 * After the message committed: the follows and notifications it causes, in a transaction of
 * their own. It locks every user stream it writes up front, in id order, so it cannot deadlock
 * with another delivery; against other changes that lock user streams in another order, the
 * database breaks a deadlock by aborting one side, and this side tries again. The send does not
 * hold its conversation locked while a broadcast writes hundreds of events. Without thread
 * follows (every DM, most mentions) it is one round trip: BEGIN, the lock, the notifications
 * and COMMIT go out together (pipelinedTransaction), and the sender's answer waits for that.
 */
async function deliver(services: Services, message: Message, c: ConversationAccess, result: Evaluated): Promise<void> {
  const users = [...new Set([...result.notifications.map((n) => n.userId), ...(message.threadRootId ? result.mentions.filter((m) => m.kind === 'user').map((m) => m.userId) : [])])]
  if (users.length === 0) return
  for (let attempt = 1; ; attempt++) {
    try {
      await pipelinedTransaction(services, async (change) => {
        if (message.threadRootId) {
          // The follows' events come first, each stream on its own: lock every user stream this
          // writes to, in id order, before any of them.
          await change.sql`select id from users where id = any (${users.sort()}::uuid[]) order by id for update`
          await followOnMention(change, message, c, result.mentions)
        }
        await Promise.all([notify(change, message, c, result.notifications), change.commit()])
      })
      return
    } catch (err) {
      if (attempt >= 3 || !retryable.has((err as { code?: string }).code ?? '')) throw err
    }
  }
}

/** New messages, once stored: the mentions planned for them, in one statement. */
export function storeNewMentions(change: Change, made: Array<{ message: Message; planned: Evaluated }>): Promise<void> {
  return storeMentions(change, made.map(({ message, planned }) => ({ message, mentions: planned.mentions })), false)
}

/**
 * A new message, after its own event was recorded: after commit, the follows and
 * notifications it causes and the end of the author's typing, in that order behind it.
 */
export function afterMessageCreated(change: Change, message: Message, c: ConversationAccess, planned: Evaluated): void {
  change.afterCommit(() => deliver(change.services, message, c, planned))
  change.afterCommit(() => change.services.attention.typing.stop(message.author.id, c.id, message.threadRootId))
}

/** An edited message: its mentions are worked out again (an edit does not notify again). */
export async function onMessageEdited(change: Change, message: Message, c: ConversationAccess): Promise<void> {
  const result = await planMessageAttention(change, message, c)
  await storeMentions(change, [{ message, mentions: result.mentions }], true)
}
