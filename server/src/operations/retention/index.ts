import { OCommsError, type RetentionSettings } from '@ocomms/shared'
import { workspaceRole } from '../../access.js'
import { recordAudit } from '../../audit/record.js'
import type { Sql, TxSql } from '../../db/connect.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'

async function asOwner(ctx: AuthedContext, workspaceId: string): Promise<void> {
  const role = await workspaceRole(ctx.services.sql, workspaceId, ctx.caller.userId)
  if (role !== 'owner') throw new OCommsError('forbidden', 'Only the workspace\'s owners can see or change its retention.')
}

async function settings(sql: Sql | TxSql, workspaceId: string): Promise<RetentionSettings> {
  const [row] = await sql<{ m: number | null; f: number | null }[]>`
    select message_retention_days as m, file_retention_days as f from workspaces where id = ${workspaceId}`
  return { workspaceId, messageDays: row!.m, fileDays: row!.f }
}

export const retentionHandlers: HandlersFor<'retention'> = {
  'retention.get': async (ctx, input) => {
    await asOwner(ctx, input.workspaceId)
    return settings(ctx.services.sql, input.workspaceId)
  },

  'retention.set': async (ctx, input) => {
    await asOwner(ctx, input.workspaceId)
    return ctx.services.sql.begin(async (tx) => {
      const sql = tx as unknown as TxSql
      const before = await settings(sql, input.workspaceId)
      const after = {
        workspaceId: input.workspaceId,
        messageDays: input.messageDays !== undefined ? input.messageDays : before.messageDays,
        fileDays: input.fileDays !== undefined ? input.fileDays : before.fileDays,
      }
      if (after.messageDays === before.messageDays && after.fileDays === before.fileDays) return before
      await sql`
        update workspaces set message_retention_days = ${after.messageDays}, file_retention_days = ${after.fileDays}
         where id = ${input.workspaceId}`
      await recordAudit(sql, {
        workspaceId: input.workspaceId,
        actorId: ctx.caller.userId,
        action: 'retention.changed',
        target: { type: 'workspace', id: input.workspaceId },
        details: { from: { messageDays: before.messageDays, fileDays: before.fileDays }, to: { messageDays: after.messageDays, fileDays: after.fileDays } },
      })
      return after
    }) as Promise<RetentionSettings>
  },
}
