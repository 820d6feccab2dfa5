import { limits, OCommsError, type SavedMessage } from '@ocomms/shared'
import { mayRead, readableMessage } from '../../access.js'
import { transaction } from '../../events/transaction.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

/** Saved items are personal: every query here is scoped to the caller, and events go to their own stream. */
export const savedHandlers: HandlersFor<'saved'> = {
  'saved.add': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const m = await readableMessage(change.sql, input.messageId, userId)
      if (m.deleted) throw new OCommsError('conflict', 'That message was deleted.')
      // Locking the user's row orders their saves, so each gets a distinct savedAt (millisecond
      // precision, what clients hand back as the paging cursor) and the user stream stays gap-free.
      await change.sql`select 1 from users where id = ${userId} for update`
      const [row] = await change.sql<{ created_at: Date }[]>`
        insert into saved_items (user_id, message_id, created_at)
        values (${userId}, ${m.id}, greatest(
          date_trunc('milliseconds', now()),
          (select max(created_at) + interval '1 millisecond' from saved_items where user_id = ${userId})))
        on conflict do nothing returning created_at`
      const message = await load.message(change.sql, m.id)
      if (!row) {
        const [was] = await change.sql<{ created_at: Date }[]>`
          select created_at from saved_items where user_id = ${userId} and message_id = ${m.id}`
        return { ...message, savedAt: was!.created_at.toISOString() }
      }
      const savedAt = row.created_at.toISOString()
      await change.emit('user', userId, 'saved.added', { messageId: m.id, savedAt, message }, {
        conversationId: m.conversation.id,
        workspaceId: m.conversation.workspaceId,
      })
      return { ...message, savedAt }
    })
  },

  'saved.remove': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      await change.sql`select 1 from users where id = ${userId} for update`
      const [gone] = await change.sql<{ conversation_id: string; workspace_id: string }[]>`
        delete from saved_items s using messages m, conversations c
         where s.user_id = ${userId} and s.message_id = ${input.messageId} and m.id = s.message_id and c.id = m.conversation_id
        returning m.conversation_id, c.workspace_id`
      // Removing a bookmark is allowed even after losing access to the message; an unknown
      // message is not found, a readable one that was not saved is already unsaved.
      if (!gone) {
        await readableMessage(change.sql, input.messageId, userId)
        return
      }
      await change.emit('user', userId, 'saved.removed', { messageId: input.messageId }, {
        conversationId: gone.conversation_id,
        workspaceId: gone.workspace_id,
      })
    })
    return { ok: true as const }
  },

  'saved.list': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    const limit = input.limit ?? 50
    // Only what the caller can read now: not deleted, in an active workspace, in a public
    // channel or a conversation they are still in.
    const rows = await sql<{ message_id: string; created_at: Date }[]>`
      select s.message_id, s.created_at
        from saved_items s
        join messages m on m.id = s.message_id
        join conversations c on c.id = m.conversation_id
       where s.user_id = ${userId}
         and m.deleted_at is null
         and ${mayRead(sql, userId)}
         ${input.workspaceId ? sql`and c.workspace_id = ${input.workspaceId}` : sql``}
         ${input.before ? sql`and s.created_at < ${input.before}::timestamptz` : sql``}
       order by s.created_at desc, s.message_id
       limit ${Math.min(limit, limits.savedPage)}`
    if (rows.length === 0) return []
    const messages = await load.messages(sql, sql`m.id = any (${rows.map((r) => r.message_id)}::uuid[])`, sql``, rows.length)
    const byId = new Map(messages.map((m) => [m.id, m]))
    return rows.flatMap((r): SavedMessage[] => {
      const m = byId.get(r.message_id)
      return m ? [{ ...m, savedAt: r.created_at.toISOString() }] : []
    })
  },
}
