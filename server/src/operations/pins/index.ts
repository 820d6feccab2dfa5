import { limits, OCommsError, type PersonRef, type PinnedMessage } from '@ocomms/shared'
import { assertCanTouch, lockedMessage, readableConversation } from '../../access.js'
import { transaction } from '../../events/transaction.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

export const pinHandlers: HandlersFor<'pin'> = {
  'pin.add': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await lockedMessage(change.sql, input.messageId, userId)
      if (input.conversationId !== undefined && input.conversationId !== m.conversation.id) {
        throw new OCommsError('invalid_input', 'That message belongs to another conversation; pin it there.')
      }
      assertCanTouch(m, 'pin messages')
      const [pin] = await change.sql<{ pinned_at: Date }[]>`
        insert into pins (message_id, conversation_id, pinned_by) values (${m.id}, ${m.conversation.id}, ${userId})
        on conflict do nothing returning pinned_at`
      // Already pinned: nothing changes and nobody hears about it.
      if (!pin) return load.message(change.sql, m.id)
      const [{ pins }] = await change.sql<[{ pins: number }]>`
        select count(*)::int as pins from pins where conversation_id = ${m.conversation.id}`
      if (pins > limits.pinsPerConversation) {
        throw new OCommsError('conflict', `A conversation holds at most ${limits.pinsPerConversation} pins; unpin one first.`)
      }
      const message = await load.message(change.sql, m.id)
      await change.emit(
        'conversation',
        m.conversation.id,
        'message.pinned',
        { messageId: m.id, pinnedBy: await load.personRef(change.sql, userId), pinnedAt: pin.pinned_at.toISOString(), message },
        { conversationId: m.conversation.id, workspaceId: m.conversation.workspaceId },
      )
      return message
    })
  },

  'pin.remove': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await lockedMessage(change.sql, input.messageId, userId)
      assertCanTouch(m, 'unpin messages')
      const gone = await change.sql`delete from pins where message_id = ${m.id} returning 1`
      if (gone.length === 0) return load.message(change.sql, m.id)
      await change.emit(
        'conversation',
        m.conversation.id,
        'message.unpinned',
        { messageId: m.id, by: await load.personRef(change.sql, userId), reason: 'unpinned' },
        { conversationId: m.conversation.id, workspaceId: m.conversation.workspaceId },
      )
      return load.message(change.sql, m.id)
    })
  },

  'pin.list': async (ctx, input) => {
    const { sql } = ctx.services
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    const pins = await sql<{ message_id: string; pinned_at: Date; pinned_by: PersonRef }[]>`
      select p.message_id, p.pinned_at, json_build_object('id', u.id, 'handle', u.handle, 'name', u.name) as pinned_by
        from pins p join users u on u.id = p.pinned_by
       where p.conversation_id = ${c.id}
       order by p.pinned_at desc, p.message_id
       limit ${limits.pinsPerConversation}`
    if (pins.length === 0) return []
    const messages = await load.messages(sql, sql`m.id = any (${pins.map((p) => p.message_id)}::uuid[]) and m.deleted_at is null`, sql``, pins.length)
    const byId = new Map(messages.map((m) => [m.id, m]))
    return pins.flatMap((p): PinnedMessage[] => {
      const m = byId.get(p.message_id)
      return m ? [{ ...m, pinnedBy: p.pinned_by, pinnedAt: p.pinned_at.toISOString() }] : []
    })
  },
}
