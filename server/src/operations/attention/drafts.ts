import { OCommsError, type Draft } from '@ocomms/shared'
import { mayRead, readableConversation, readableMessage, workspaceRole } from '../../access.js'
import { transaction, type Change } from '../../events/transaction.js'
import type { HandlersFor } from '../handler.js'

interface DraftRow {
  conversation_id: string
  thread_root_id: string | null
  text: string
  updated_at: Date
}

const draftOut = (r: DraftRow): Draft => ({
  conversationId: r.conversation_id,
  threadRootId: r.thread_root_id,
  text: r.text,
  updatedAt: r.updated_at.toISOString(),
})

/** The conversation (and thread root, when given) a draft belongs to, as the caller may read them. */
async function target(change: Change, userId: string, conversationId: string, threadRootId: string | undefined) {
  const c = await readableConversation(change.sql, conversationId, userId)
  if (threadRootId) {
    const root = await readableMessage(change.sql, threadRootId, userId)
    if (root.conversation.id !== c.id || root.threadRootId) throw new OCommsError('not_found', 'No such thread in this conversation.')
  }
  return c
}

async function clear(change: Change, userId: string, conversationId: string, threadRootId: string | null, workspaceId: string) {
  const gone = await change.sql`
    delete from drafts where user_id = ${userId} and conversation_id = ${conversationId}
       and thread_root_id is not distinct from ${threadRootId}::uuid
    returning 1`
  if (gone.length > 0) {
    await change.emit('user', userId, 'draft.cleared', { conversationId, threadRootId }, { conversationId, workspaceId })
  }
}

export const draftHandlers: HandlersFor<'draft'> = {
  'draft.set': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await target(change, userId, input.conversationId, input.threadRootId)
      const threadRootId = input.threadRootId ?? null
      if (!input.text.trim()) {
        await clear(change, userId, c.id, threadRootId, c.workspaceId)
        return null
      }
      const [row] = await change.sql<DraftRow[]>`
        insert into drafts (user_id, conversation_id, thread_root_id, text) values (${userId}, ${c.id}, ${threadRootId}, ${input.text})
        on conflict (user_id, conversation_id, thread_root_id) do update set text = excluded.text, updated_at = now()
        returning conversation_id, thread_root_id, text, updated_at`
      const draft = draftOut(row!)
      await change.emit('user', userId, 'draft.updated', { draft }, { conversationId: c.id, workspaceId: c.workspaceId })
      return draft
    })
  },

  'draft.clear': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const c = await target(change, userId, input.conversationId, input.threadRootId)
      await clear(change, userId, c.id, input.threadRootId ?? null, c.workspaceId)
    })
    return { ok: true as const }
  },

  'draft.list': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    await workspaceRole(sql, input.workspaceId, userId)
    const rows = await sql<DraftRow[]>`
      select d.conversation_id, d.thread_root_id, d.text, d.updated_at
        from drafts d join conversations c on c.id = d.conversation_id and c.workspace_id = ${input.workspaceId}
       where d.user_id = ${userId}
         and ${mayRead(sql, userId)}
       order by d.updated_at desc`
    return rows.map(draftOut)
  },
}
