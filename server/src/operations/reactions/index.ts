import { emojiShortcode, limits, OCommsError, resolveEmoji, type PersonRef, type ReactionDetail } from '@ocomms/shared'
import { assertCanTouch, lockedMessage, readableMessage } from '../../access.js'
import { transaction, type Change } from '../../events/transaction.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

function emojiOf(input: string): string {
  const emoji = resolveEmoji(input)
  if (!emoji) throw new OCommsError('invalid_input', `"${input}" is not an emoji; use a :shortcode: such as :+1: or the emoji itself.`)
  return emoji
}

/** Records a reaction change with the message's new summary, so a replay needs nothing else. */
async function recordReaction(change: Change, type: 'reaction.added' | 'reaction.removed', messageId: string, emoji: string, userId: string) {
  const message = await load.message(change.sql, messageId)
  const seq = await change.nextSeq('conversation', message.conversationId)
  const [c] = await change.sql<{ workspace_id: string }[]>`select workspace_id from conversations where id = ${message.conversationId}`
  await change.record(
    'conversation',
    message.conversationId,
    seq,
    type,
    { messageId, threadRootId: message.threadRootId, emoji, member: await load.personRef(change.sql, userId), reactions: message.reactions },
    { conversationId: message.conversationId, workspaceId: c!.workspace_id },
  )
  return message
}

export const reactionHandlers: HandlersFor<'reaction'> = {
  'reaction.add': async (ctx, input) => {
    const emoji = emojiOf(input.emoji)
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await lockedMessage(change.sql, input.messageId, userId)
      assertCanTouch(m, 'react')
      const added = await change.sql`
        insert into reactions (message_id, user_id, emoji) values (${m.id}, ${userId}, ${emoji})
        on conflict do nothing returning 1`
      // Already there: nothing changes and nobody hears about it.
      if (added.length === 0) return load.message(change.sql, m.id)
      const [{ kinds }] = await change.sql<[{ kinds: number }]>`
        select count(distinct emoji)::int as kinds from reactions where message_id = ${m.id}`
      if (kinds > limits.reactionsPerMessage) {
        throw new OCommsError('conflict', `A message holds at most ${limits.reactionsPerMessage} different reactions.`)
      }
      return recordReaction(change, 'reaction.added', m.id, emoji, userId)
    })
  },

  'reaction.remove': async (ctx, input) => {
    const emoji = emojiOf(input.emoji)
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await lockedMessage(change.sql, input.messageId, userId)
      assertCanTouch(m, 'react')
      const removed = await change.sql`
        delete from reactions where message_id = ${m.id} and user_id = ${userId} and emoji = ${emoji} returning 1`
      if (removed.length === 0) return load.message(change.sql, m.id)
      return recordReaction(change, 'reaction.removed', m.id, emoji, userId)
    })
  },

  'reaction.list': async (ctx, input) => {
    const { sql } = ctx.services
    const m = await readableMessage(sql, input.messageId, ctx.caller.userId)
    if (m.deleted) return []
    const rows = await sql<{ emoji: string; people: PersonRef[] }[]>`
      select r.emoji, json_agg(json_build_object('id', u.id, 'handle', u.handle, 'name', u.name) order by r.created_at, u.handle) as people
        from reactions r join users u on u.id = r.user_id
       where r.message_id = ${m.id}
       group by r.emoji
       order by min(r.created_at), r.emoji`
    return rows.map(
      (r): ReactionDetail => ({
        emoji: r.emoji,
        shortcode: emojiShortcode(r.emoji),
        count: r.people.length,
        members: r.people.map((p) => p.handle),
        people: r.people,
      }),
    )
  },
}
