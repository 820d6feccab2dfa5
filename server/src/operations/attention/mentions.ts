import { OCommsError, type MentionItem, type MentionKind } from '@ocomms/shared'
import { isAdmin, mayRead, workspaceRole } from '../../access.js'
import { transaction } from '../../events/transaction.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

interface MentionRow {
  message_id: string
  kind: MentionKind
  keyword: string | null
  created_at: Date
}

const policyOut = (workspaceId: string, row: { who: 'everyone' | 'admins'; min: number }) => ({
  workspaceId,
  who: row.who,
  minMembers: row.min,
})

export const mentionHandlers: HandlersFor<'mentions'> & HandlersFor<'mentionPolicy'> = {
  'mentions.list': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    await workspaceRole(sql, input.workspaceId, userId)
    const before = input.before ? sql`and x.created_at < ${input.before}` : sql``
    // Only conversations the caller can read now: a private channel they left drops out.
    const rows = await sql<MentionRow[]>`
      select x.message_id, x.kind, x.keyword, x.created_at
        from mentions x
        join conversations c on c.id = x.conversation_id and c.workspace_id = ${input.workspaceId}
        join messages m on m.id = x.message_id and m.deleted_at is null
       where x.user_id = ${userId} ${before}
         and ${mayRead(sql, userId)}
       order by x.created_at desc, x.seq desc
       limit ${input.limit ?? 50}`
    if (rows.length === 0) return []
    const messages = new Map((await load.messages(sql, sql`m.id = any (${rows.map((r) => r.message_id)}::uuid[])`, sql``)).map((m) => [m.id, m]))
    return rows.map((r): MentionItem => ({
      ...messages.get(r.message_id)!,
      mention: { kind: r.kind, keyword: r.keyword, at: r.created_at.toISOString() },
    }))
  },

  'mentionPolicy.get': async (ctx, input) => {
    const { sql } = ctx.services
    await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    const [row] = await sql<{ who: 'everyone' | 'admins'; min: number }[]>`
      select broadcast_mentions as who, broadcast_mentions_min_members as min from workspaces where id = ${input.workspaceId}`
    return policyOut(input.workspaceId, row!)
  },

  'mentionPolicy.set': async (ctx, input) => {
    return transaction(ctx.services, async (change) => {
      const role = await workspaceRole(change.sql, input.workspaceId, ctx.caller.userId)
      if (!isAdmin(role)) throw new OCommsError('forbidden', 'Only workspace admins can change who may use @channel and @here.')
      const [row] = await change.sql<{ who: 'everyone' | 'admins'; min: number }[]>`
        update workspaces
           set broadcast_mentions = coalesce(${input.who ?? null}, broadcast_mentions),
               broadcast_mentions_min_members = coalesce(${input.minMembers ?? null}::int, broadcast_mentions_min_members)
         where id = ${input.workspaceId}
        returning broadcast_mentions as who, broadcast_mentions_min_members as min`
      const policy = policyOut(input.workspaceId, row!)
      await change.emit('workspace', input.workspaceId, 'workspace.updated', { mentionPolicy: policy }, { workspaceId: input.workspaceId })
      return policy
    })
  },
}
