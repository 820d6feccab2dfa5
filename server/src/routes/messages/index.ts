import { OCommsError, type Message } from '@ocomms/shared'
import { randomUUID } from 'node:crypto'
import {
  assertCanPost,
  assertNotArchived,
  isAdmin,
  readableConversation,
  readableMessage,
  type ConversationAccess,
} from '../../access.js'
import { pipelinedTransaction, transaction, type Change } from '../../events/transaction.js'
import * as load from '../../queries.js'
import { messageOut } from '../../serialize.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'

/** Thrown inside a send transaction to roll it back when the message already exists. */
class AlreadySent {}

const rootSummary = (root: Message) => ({
  id: root.id,
  replyCount: root.replyCount,
  lastReplyAt: root.lastReplyAt,
  replyParticipants: root.replyParticipants,
})

/** Follows a thread for a user; `force` turns an earlier unfollow back into following. */
async function follow(change: Change, rootId: string, conversationId: string, userId: string, force: boolean) {
  const rows = await change.sql`
    insert into thread_follows (root_id, user_id, following) values (${rootId}, ${userId}, true)
    on conflict (root_id, user_id) do update set following = true, updated_at = now()
      where ${force} and not thread_follows.following
    returning 1`
  if (rows.length > 0) {
    await change.emit('user', userId, 'thread.followed', { messageId: rootId }, { conversationId })
  }
}

async function existingSend(ctx: AuthedContext, clientId: string, conversationId: string): Promise<Message | null> {
  const [row] = await ctx.services.sql<{ id: string; conversation_id: string }[]>`
    select id, conversation_id from messages where author_id = ${ctx.caller.userId} and client_id = ${clientId}`
  if (!row) return null
  if (row.conversation_id !== conversationId) {
    throw new OCommsError('conflict', 'That clientId was already used for a message in another conversation.')
  }
  return load.message(ctx.services.sql, row.id)
}

/**
 * A top-level message in three round trips: the access check, then BEGIN with the seq
 * (which locks the conversation and reads the transaction time and the author's name, so
 * the message is built here), then the insert, its event, and the COMMIT together. The
 * insert happens only if the author is still a member once the lock is held (a kick that
 * committed meanwhile is seen) and has not used this clientId; when it stores nothing, the
 * event is not stored and the seq is given back, so the stream keeps no gap. Null then.
 */
async function sendTopLevel(ctx: AuthedContext, c: ConversationAccess, text: string, clientId: string): Promise<Message | null> {
  const userId = ctx.caller.userId
  return pipelinedTransaction(ctx.services, async (change, finish) => {
    const { sql } = change
    const [head] = await sql<{ seq: number; at: Date; handle: string; name: string }[]>`
      update conversations c set last_seq = c.last_seq + 1
        from users u
       where c.id = ${c.id} and u.id = ${userId}
      returning c.last_seq as seq, now() as at, u.handle, u.name`
    if (!head) throw new Error(`no conversation stream ${c.id}`)
    const message = messageOut({
      id: randomUUID(),
      seq: head.seq,
      conversation_id: c.id,
      thread_root_id: null,
      also_in_channel: false,
      client_id: clientId,
      author_id: userId,
      author_handle: head.handle,
      author_name: head.name,
      text,
      created_at: head.at,
      edited_at: null,
      deleted_at: null,
      reply_count: 0,
      last_reply_at: null,
      participants: null,
    })
    const stored = sql`exists (select 1 from messages where id = ${message.id})`
    const insert = sql<{ id: string }[]>`
      insert into messages (id, conversation_id, seq, author_id, client_id, text)
      select ${message.id}::uuid, ${c.id}::uuid, ${head.seq}::bigint, ${userId}::uuid, ${clientId}, ${text}
       where exists (select 1 from conversation_members where conversation_id = ${c.id} and user_id = ${userId})
      on conflict (author_id, client_id) do nothing
      returning id`.execute()
    const event = change.recordIf(stored, 'conversation', c.id, head.seq, 'message.created', { message }, {
      conversationId: c.id,
      workspaceId: c.workspaceId,
    })
    const giveBack = sql`
      update conversations set last_seq = last_seq - 1
       where id = ${c.id} and last_seq = ${head.seq} and not ${stored}`.execute()
    const [inserted] = await finish(insert, event, giveBack)
    return inserted.length > 0 ? message : null
  })
}

export const messageHandlers: HandlersFor<'message'> & HandlersFor<'thread'> = {
  'message.send': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    let c: ConversationAccess
    try {
      c = await readableConversation(sql, input.conversationId, userId)
      assertCanPost(c)
    } catch (err) {
      // A retry of a send that already committed gets the original, even if access changed since.
      const earlier = await existingSend(ctx, input.clientId, input.conversationId)
      if (earlier) return earlier
      throw err
    }
    if (input.alsoToChannel && !input.threadRootId) throw new OCommsError('invalid_input', 'alsoToChannel is for thread replies.')
    if (!input.threadRootId) {
      const sent = await sendTopLevel(ctx, c, input.text, input.clientId)
      if (sent) return sent
      // Nothing was stored: a retry of an earlier send (the original, or a conflict when it
      // went to another conversation), or the sender left the conversation a moment ago.
      const original = await existingSend(ctx, input.clientId, input.conversationId)
      if (original) return original
      throw new OCommsError('forbidden', 'You are no longer in this conversation.')
    }
    try {
      return await transaction(ctx.services, async (change) => {
        // Taking the seq locks the conversation: concurrent sends to it queue here. The same
        // statement reads the transaction's timestamp (every now() below is this one) and the
        // author's name, so the message can be built here instead of read back after insert.
        const [head] = await change.sql<{ seq: number; at: Date; handle: string; name: string }[]>`
          update conversations c set last_seq = c.last_seq + 1
            from users u
           where c.id = ${c.id} and u.id = ${userId}
          returning c.last_seq as seq, now() as at, u.handle, u.name`
        if (!head) throw new Error(`no conversation stream ${c.id}`)

        let root: { id: string; thread_root_id: string | null; author_id: string } | undefined
        if (input.threadRootId) {
          ;[root] = await change.sql<{ id: string; thread_root_id: string | null; author_id: string }[]>`
            select id, thread_root_id, author_id from messages
             where id = ${input.threadRootId} and conversation_id = ${c.id} and deleted_at is null for update`
          if (!root) throw new OCommsError('not_found', 'The message you are replying to does not exist in this conversation.')
          if (root.thread_root_id) throw new OCommsError('invalid_input', 'Reply to the thread\'s first message, not to a reply.')
        }
        const message = messageOut({
          id: randomUUID(),
          seq: head.seq,
          conversation_id: c.id,
          thread_root_id: root?.id ?? null,
          also_in_channel: Boolean(root && input.alsoToChannel),
          client_id: input.clientId,
          author_id: userId,
          author_handle: head.handle,
          author_name: head.name,
          text: input.text,
          created_at: head.at,
          edited_at: null,
          deleted_at: null,
          reply_count: 0,
          last_reply_at: null,
          participants: null,
        })
        // These statements go out together (pipelined on the transaction's connection): the
        // membership check runs after the lock above, so a kick that committed meanwhile is
        // seen; a clientId this author already used inserts nothing. Either rolls back.
        const still = change.sql`select 1 from conversation_members where conversation_id = ${c.id} and user_id = ${userId}`
        const insert = change.sql<{ id: string }[]>`
          insert into messages (id, conversation_id, seq, author_id, client_id, thread_root_id, also_in_channel, text)
          values (${message.id}, ${c.id}, ${message.seq}, ${userId}, ${input.clientId}, ${message.threadRootId},
                  ${message.alsoInChannel}, ${input.text})
          on conflict (author_id, client_id) do nothing
          returning id`
        const extras = { conversationId: c.id, workspaceId: c.workspaceId }
        if (!root) {
          const [member, inserted] = await Promise.all([
            still,
            insert,
            change.record('conversation', c.id, head.seq, 'message.created', { message }, extras),
          ])
          if (member.length === 0) throw new OCommsError('forbidden', 'You are no longer in this conversation.')
          if (inserted.length === 0) throw new AlreadySent()
          return message
        }

        const [member, inserted] = await Promise.all([still, insert])
        if (member.length === 0) throw new OCommsError('forbidden', 'You are no longer in this conversation.')
        if (inserted.length === 0) throw new AlreadySent()
        await change.sql`
          update messages
             set reply_count = reply_count + 1,
                 last_reply_at = now(),
                 reply_participants = case when ${userId}::uuid = any (reply_participants) then reply_participants
                                           else reply_participants || ${userId}::uuid end
           where id = ${root.id}`
        const data = { message, root: rootSummary(await load.message(change.sql, root.id)) }
        await change.record('conversation', c.id, head.seq, 'message.created', data, extras)
        // The thread's author keeps an explicit unfollow; a replier follows again.
        await follow(change, root.id, c.id, root.author_id, false)
        await follow(change, root.id, c.id, userId, true)
        return message
      })
    } catch (err) {
      // AlreadySent: this author used the clientId before (committed, maybe a moment ago in a
      // concurrent transaction): the original, or a conflict if it went to another conversation.
      if (err instanceof AlreadySent || (err as { code?: string }).code === '23505') {
        const original = await existingSend(ctx, input.clientId, input.conversationId)
        if (original) return original
      }
      throw err
    }
  },

  'message.list': async (ctx, input) => {
    const { sql } = ctx.services
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    const limit = input.limit ?? 50
    const inChannel = sql`m.conversation_id = ${c.id} and (m.thread_root_id is null or m.also_in_channel)`
    if (input.afterSeq !== undefined) {
      return load.messages(sql, sql`${inChannel} and m.seq > ${input.afterSeq}`, sql`order by m.seq asc`, limit)
    }
    const before = input.beforeSeq !== undefined ? sql`and m.seq < ${input.beforeSeq}` : sql``
    const newest = await load.messages(sql, sql`${inChannel} ${before}`, sql`order by m.seq desc`, limit)
    return newest.reverse()
  },

  'message.get': async (ctx, input) => {
    await readableMessage(ctx.services.sql, input.messageId, ctx.caller.userId)
    return load.message(ctx.services.sql, input.messageId)
  },

  'message.getBySeq': async (ctx, input) => {
    const { sql } = ctx.services
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    const [m] = await load.messages(sql, sql`m.conversation_id = ${c.id} and m.seq = ${input.seq}`, sql``, 1)
    if (!m) throw new OCommsError('not_found', `No message ${input.seq} in this conversation.`)
    return m
  },

  'message.edit': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      if (m.authorId !== userId) throw new OCommsError('forbidden', 'You can only edit your own messages.')
      if (m.deleted) throw new OCommsError('conflict', 'That message was deleted.')
      assertCanPost(m.conversation)
      const seq = await change.nextSeq('conversation', m.conversation.id)
      await change.sql`update messages set text = ${input.text}, edited_at = now() where id = ${m.id}`
      const message = await load.message(change.sql, m.id)
      await change.record('conversation', m.conversation.id, seq, 'message.updated', { message }, {
        conversationId: m.conversation.id,
        workspaceId: m.conversation.workspaceId,
      })
      return message
    })
  },

  'message.delete': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      if (m.authorId !== userId && !isAdmin(m.conversation.role)) {
        throw new OCommsError('forbidden', 'You can only delete your own messages.')
      }
      if (m.authorId === userId && !m.conversation.isMember) throw new OCommsError('forbidden', 'You are no longer in this conversation.')
      assertNotArchived(m.conversation)
      const seq = await change.nextSeq('conversation', m.conversation.id)
      const [done] = await change.sql`
        update messages set deleted_at = now(), text = '' where id = ${m.id} and deleted_at is null returning id`
      if (!done) throw new OCommsError('not_found', 'That message was already deleted.')
      const data: Record<string, unknown> = { messageId: m.id, threadRootId: m.threadRootId }
      if (m.threadRootId) {
        await change.sql`update messages set reply_count = greatest(reply_count - 1, 0) where id = ${m.threadRootId}`
        data.root = rootSummary(await load.message(change.sql, m.threadRootId))
      }
      await change.record('conversation', m.conversation.id, seq, 'message.deleted', data, {
        conversationId: m.conversation.id,
        workspaceId: m.conversation.workspaceId,
      })
    })
    return { ok: true as const }
  },

  'thread.replies': async (ctx, input) => {
    const { sql } = ctx.services
    const m = await readableMessage(sql, input.messageId, ctx.caller.userId)
    const rootId = m.threadRootId ?? m.id
    const root = await load.message(sql, rootId)
    const after = input.afterSeq !== undefined ? sql`and m.seq > ${input.afterSeq}` : sql``
    const replies = await load.messages(sql, sql`m.thread_root_id = ${rootId} ${after}`, sql`order by m.seq asc`, input.limit ?? 200)
    const [f] = await sql<{ following: boolean }[]>`
      select following from thread_follows where root_id = ${rootId} and user_id = ${ctx.caller.userId}`
    return { root, replies, following: f?.following ?? false }
  },

  'thread.follow': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      if (m.threadRootId) throw new OCommsError('invalid_input', 'Follow the thread\'s first message.')
      await follow(change, m.id, m.conversation.id, userId, true)
    })
    return { ok: true as const }
  },

  'thread.unfollow': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      if (m.threadRootId) throw new OCommsError('invalid_input', 'Unfollow the thread\'s first message.')
      const rows = await change.sql`
        insert into thread_follows (root_id, user_id, following) values (${m.id}, ${userId}, false)
        on conflict (root_id, user_id) do update set following = false, updated_at = now() where thread_follows.following
        returning 1`
      if (rows.length > 0) await change.emit('user', userId, 'thread.unfollowed', { messageId: m.id }, { conversationId: m.conversation.id })
    })
    return { ok: true as const }
  },
}
