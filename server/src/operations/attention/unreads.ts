import { OCommsError, type Unreads } from '@ocomms/shared'
import { mayRead, readableConversation, readableMessage, workspaceRole } from '../../access.js'
import type { Sql } from '../../db/connect.js'
import { transaction, type Change } from '../../events/transaction.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

/**
 * Read markers and unread counts. A marker is the last seq the member has read; counts are
 * messages by others after it (channel: top level and replies also sent to the channel;
 * thread: its replies). Without a marker, what came before the member joined (or started
 * following the thread) counts as read. Each count walks only the index entries after the
 * marker (indexes messages_in_channel_seq, messages_thread_live, mentions_user_*), so it
 * costs what is unread, not the length of the history. Nothing here marks anything read
 * on its own: only read.mark and read.markUnread move markers.
 */

interface ConvCount {
  id: string
  kind: string
  muted: boolean
  marker: number
  unread: number
  mentions: number
}

interface ThreadCount {
  root_id: string
  marker: number
  unread: number
  mentions: number
}

async function conversationCounts(sql: Sql, userId: string, workspaceId: string) {
  return sql<ConvCount[]>`
    with mine as (
      select c.id, c.kind, coalesce(np.muted, false) as muted,
             coalesce(rm.last_read_seq,
                      (select m.seq from messages m
                        where m.conversation_id = c.id and m.created_at < cm.joined_at
                        order by m.seq desc limit 1),
                      0) as marker
        from conversation_members cm
        join conversations c on c.id = cm.conversation_id and c.workspace_id = ${workspaceId}
        left join read_markers rm on rm.user_id = cm.user_id and rm.conversation_id = c.id
        left join notify_prefs np on np.user_id = cm.user_id and np.conversation_id = c.id
       where cm.user_id = ${userId}
    )
    select mine.id, mine.kind, mine.muted, mine.marker,
           (select count(*)::int from messages m
             where m.conversation_id = mine.id and m.seq > mine.marker and m.author_id <> ${userId}
               and m.deleted_at is null and (m.thread_root_id is null or m.also_in_channel)) as unread,
           (select count(*)::int from mentions x join messages m on m.id = x.message_id and m.deleted_at is null
             where x.user_id = ${userId} and x.conversation_id = mine.id and x.seq > mine.marker and x.in_channel) as mentions
      from mine`
}

async function threadCounts(sql: Sql, userId: string, workspaceId: string) {
  return sql<ThreadCount[]>`
    with followed as (
      select tf.root_id,
             coalesce(trm.last_read_seq,
                      (select m.seq from messages m
                        where m.thread_root_id = tf.root_id and m.created_at < tf.updated_at
                        order by m.seq desc limit 1),
                      r.seq) as marker
        from thread_follows tf
        join messages r on r.id = tf.root_id
        join conversations c on c.id = r.conversation_id and c.workspace_id = ${workspaceId}
        left join thread_read_markers trm on trm.user_id = tf.user_id and trm.root_id = tf.root_id
       where tf.user_id = ${userId} and tf.following
         and ${mayRead(sql, userId)}
    )
    select f.root_id, f.marker,
           (select count(*)::int from messages m
             where m.thread_root_id = f.root_id and m.seq > f.marker and m.author_id <> ${userId} and m.deleted_at is null) as unread,
           (select count(*)::int from mentions x join messages m on m.id = x.message_id and m.deleted_at is null
             where x.user_id = ${userId} and x.thread_root_id = f.root_id and x.seq > f.marker) as mentions
      from followed f`
}

type MarkerResult = { conversationId: string; threadRootId: string | null; lastReadSeq: number }

/** Moves a marker (forward only unless `back`), recording a read.marked event when it moved. */
async function moveMarker(
  change: Change,
  userId: string,
  where: { conversationId: string; workspaceId: string; threadRootId: string | null },
  seq: number,
  back: boolean,
): Promise<MarkerResult> {
  const { conversationId, workspaceId, threadRootId } = where
  const rows = threadRootId
    ? await change.sql<{ last_read_seq: number }[]>`
        insert into thread_read_markers (user_id, root_id, last_read_seq) values (${userId}, ${threadRootId}, ${seq})
        on conflict (user_id, root_id) do update set last_read_seq = excluded.last_read_seq, updated_at = now()
         where thread_read_markers.last_read_seq ${back ? change.sql`<>` : change.sql`<`} excluded.last_read_seq
        returning last_read_seq`
    : await change.sql<{ last_read_seq: number }[]>`
        insert into read_markers (user_id, conversation_id, last_read_seq) values (${userId}, ${conversationId}, ${seq})
        on conflict (user_id, conversation_id) do update set last_read_seq = excluded.last_read_seq, updated_at = now()
         where read_markers.last_read_seq ${back ? change.sql`<>` : change.sql`<`} excluded.last_read_seq
        returning last_read_seq`
  if (rows.length > 0) {
    const result = { conversationId, threadRootId, lastReadSeq: rows[0]!.last_read_seq }
    await change.emit('user', userId, 'read.marked', { ...result, unread: back }, { conversationId, workspaceId })
    return result
  }
  const [current] = threadRootId
    ? await change.sql<{ last_read_seq: number }[]>`select last_read_seq from thread_read_markers where user_id = ${userId} and root_id = ${threadRootId}`
    : await change.sql<{ last_read_seq: number }[]>`select last_read_seq from read_markers where user_id = ${userId} and conversation_id = ${conversationId}`
  return { conversationId, threadRootId, lastReadSeq: current!.last_read_seq }
}

export const unreadHandlers: HandlersFor<'unreads'> & HandlersFor<'read'> = {
  unreads: async (ctx, input): Promise<Unreads> => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    await workspaceRole(sql, input.workspaceId, userId)
    const [convs, threads] = await Promise.all([conversationCounts(sql, userId, input.workspaceId), threadCounts(sql, userId, input.workspaceId)])
    // In a DM every message is addressed to you: it counts as a mention (the badge Slack shows).
    for (const c of convs) if (c.kind === 'dm' || c.kind === 'group_dm') c.mentions = c.unread
    const wantedConvs = convs.filter((c) => input.all || c.unread > 0 || c.mentions > 0)
    const wantedThreads = threads.filter((t) => input.all || t.unread > 0 || t.mentions > 0)
    const [conversations, roots] = await Promise.all([
      wantedConvs.length === 0 ? [] : load.conversations(sql, userId, sql`c.id = any (${wantedConvs.map((c) => c.id)}::uuid[])`),
      wantedThreads.length === 0 ? [] : load.messages(sql, sql`m.id = any (${wantedThreads.map((t) => t.root_id)}::uuid[])`, sql``),
    ])
    const convById = new Map(conversations.map((c) => [c.id, c]))
    const rootById = new Map(roots.map((m) => [m.id, m]))
    const outConvs = wantedConvs
      .map((c) => ({ conversation: convById.get(c.id)!, unread: c.unread, mentions: c.mentions, lastReadSeq: c.marker, muted: c.muted }))
      .sort((a, b) => b.mentions - a.mentions || b.unread - a.unread || (a.conversation.name ?? '').localeCompare(b.conversation.name ?? ''))
    const outThreads = wantedThreads
      .map((t) => ({ root: rootById.get(t.root_id)!, unread: t.unread, mentions: t.mentions, lastReadSeq: t.marker }))
      .sort((a, b) => (b.root.lastReplyAt ?? '').localeCompare(a.root.lastReplyAt ?? ''))
    const sum = (xs: Array<{ unread: number; mentions: number }>, k: 'unread' | 'mentions') => xs.reduce((n, x) => n + x[k], 0)
    return {
      conversations: outConvs,
      threads: outThreads,
      total: sum(outConvs, 'unread') + sum(outThreads, 'unread'),
      totalMentions: sum(outConvs, 'mentions') + sum(outThreads, 'mentions'),
    }
  },

  'read.mark': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await readableConversation(change.sql, input.conversationId, userId)
      if (input.threadRootId) {
        const root = await readableMessage(change.sql, input.threadRootId, userId)
        if (root.conversation.id !== c.id || root.threadRootId) throw new OCommsError('not_found', 'No such thread in this conversation.')
      }
      const [head] = await change.sql<{ last_seq: number }[]>`select last_seq from conversations where id = ${c.id}`
      const seq = Math.min(input.seq ?? head!.last_seq, head!.last_seq)
      return moveMarker(change, userId, { conversationId: c.id, workspaceId: c.workspaceId, threadRootId: input.threadRootId ?? null }, seq, false)
    })
  },

  'read.markUnread': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      const [row] = await change.sql<{ seq: number; also_in_channel: boolean }[]>`
        select seq, also_in_channel from messages where id = ${m.id}`
      const where = { conversationId: m.conversation.id, workspaceId: m.conversation.workspaceId }
      const before = row!.seq - 1
      if (!m.threadRootId) return moveMarker(change, userId, { ...where, threadRootId: null }, before, true)
      // A reply: unread in its thread, and in the channel too when it was also sent there.
      const result = await moveMarker(change, userId, { ...where, threadRootId: m.threadRootId }, before, true)
      if (row!.also_in_channel) await moveMarker(change, userId, { ...where, threadRootId: null }, before, true)
      return result
    })
  },
}
