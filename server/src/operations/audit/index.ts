import { OCommsError, type AuditEntry } from '@ocomms/shared'
import { workspaceRole } from '../../access.js'
import type { HandlersFor } from '../handler.js'

interface AuditRow {
  id: string
  created_at: Date
  action: AuditEntry['action']
  actor_id: string | null
  actor_handle: string | null
  target_type: string | null
  target_id: string | null
  details: Record<string, unknown>
}

export const auditHandlers: HandlersFor<'audit'> = {
  'audit.list': async (ctx, input) => {
    const { sql } = ctx.services
    // Non-members get not_found from workspaceRole; members and admins are refused.
    const role = await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    if (role !== 'owner') throw new OCommsError('forbidden', 'Only the workspace\'s owners can read its audit log.')
    const rows = await sql<AuditRow[]>`
      select a.id::text as id, a.created_at, a.action, a.actor_id, u.handle as actor_handle, a.target_type, a.target_id, a.details
        from audit_log a left join users u on u.id = a.actor_id
       where a.workspace_id = ${input.workspaceId}
         ${input.before ? sql`and a.id < ${input.before}::bigint` : sql``}
         ${input.action ? sql`and a.action = ${input.action}` : sql``}
       order by a.id desc
       limit ${input.limit ?? 50}`
    return rows.map((r) => ({
      id: r.id,
      at: r.created_at.toISOString(),
      action: r.action,
      actor: r.actor_id && r.actor_handle ? { id: r.actor_id, handle: r.actor_handle } : null,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
    }))
  },
}
