import type { AuditAction } from '@ocomms/shared'
import type { Sql, TxSql } from '../db/connect.js'

export interface AuditRecord {
  workspaceId: string
  /** Null when the server acts by itself (a retention sweep, an import run from the command line). */
  actorId: string | null
  action: AuditAction
  target?: { type: string; id: string }
  details?: Record<string, unknown>
}

/**
 * Writes one audit log entry. Called inside the transaction that makes the change when there is
 * one, so the entry exists exactly when the change does.
 */
export async function recordAudit(sql: Sql | TxSql, entry: AuditRecord): Promise<void> {
  await sql`
    insert into audit_log (workspace_id, actor_id, action, target_type, target_id, details)
    values (${entry.workspaceId}, ${entry.actorId}, ${entry.action}, ${entry.target?.type ?? null}, ${entry.target?.id ?? null},
            ${sql.json((entry.details ?? {}) as never)})`
}
