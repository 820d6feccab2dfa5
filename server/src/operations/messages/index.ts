import { messageTextProblem, OCommsError, type EventData } from '@ocomms/shared'
import { assertCanPost, assertNotArchived, isAdmin, readableConversation, readableMessage } from '../../access.js'
import { transaction } from '../../events/transaction.js'
import { onMessageEdited } from '../../attention/on-message.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'
import { unpinDeleted } from '../../messages/unpin.js'
import { channelHistory, newestPagesOf } from '../../messages/newest-page.js'
import { follow, rootSummary, sendMessage } from '../../messages/send.js'

export const messageHandlers: HandlersFor<'message'> & HandlersFor<'thread'> = {
  'message.send': (ctx, input) => sendMessage(ctx, input),

  'message.list': async (ctx, input) => {
    const { sql } = ctx.services
    const limit = input.limit ?? 50
    if (input.afterSeq === undefined && input.beforeSeq === undefined) {
      return [...(await newestPagesOf(ctx.services).read(sql, input.conversationId, ctx.caller.userId, limit))]
    }
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    if (input.afterSeq !== undefined) {
      return load.messages(sql, sql`${channelHistory(sql, c.id)} and m.seq > ${input.afterSeq}`, sql`order by m.seq asc`, limit)
    }
    const older = await load.messages(sql, sql`${channelHistory(sql, c.id)} and m.seq < ${input.beforeSeq!}`, sql`order by m.seq desc`, limit)
    return older.reverse()
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
      // Only a message that carries files may lose all its text.
      const blank = input.text.trim() === ''
      const problem = messageTextProblem(input.text, { withFiles: blank && (await load.message(change.sql, m.id)).files.length > 0 })
      if (problem) throw new OCommsError('invalid_input', problem)
      assertCanPost(m.conversation)
      const seq = await change.nextSeq('conversation', m.conversation.id)
      await change.sql`update messages set text = ${input.text}, edited_at = now() where id = ${m.id}`
      const message = await load.message(change.sql, m.id)
      await onMessageEdited(change, message, m.conversation)
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
      const data: EventData<'message.deleted'> = { messageId: m.id, threadRootId: m.threadRootId }
      if (m.threadRootId) {
        await change.sql`update messages set reply_count = greatest(reply_count - 1, 0) where id = ${m.threadRootId}`
        data.root = rootSummary(await load.message(change.sql, m.threadRootId))
      }
      await change.record('conversation', m.conversation.id, seq, 'message.deleted', data, {
        conversationId: m.conversation.id,
        workspaceId: m.conversation.workspaceId,
      })
      // A deleted message leaves the pins (its reactions and files are hidden with it).
      await unpinDeleted(change, m.id, m.conversation)
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
