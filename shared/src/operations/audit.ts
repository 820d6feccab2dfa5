import { Type, type Static } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Nullable, Timestamp } from '../schemas.js'

/**
 * The audit log: administrative actions on a workspace, who did them and when. Only the
 * workspace's owners read it. The actions are a closed list, so a reader (or a script) can
 * rely on their names. See docs/audit-log.md.
 */

export const AuditAction = Type.Union([
  Type.Literal('member.role_changed'),
  Type.Literal('member.deactivated'),
  Type.Literal('member.reactivated'),
  Type.Literal('sso.changed'),
  Type.Literal('retention.changed'),
  Type.Literal('retention.swept'),
  Type.Literal('workspace.exported'),
  Type.Literal('workspace.imported'),
  Type.Literal('conversation.archived'),
  Type.Literal('conversation.unarchived'),
])
export type AuditAction = Static<typeof AuditAction>

export const AuditEntry = Type.Object({
  id: Type.String({ description: 'Increasing: a later entry has a larger id (as a decimal string).' }),
  at: Timestamp,
  action: AuditAction,
  /** Null when the server did it by itself (a retention sweep, an import from the command line). */
  actor: Nullable(Type.Object({ id: Id, handle: Type.String() })),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
})
export type AuditEntry = Static<typeof AuditEntry>

export const listAudit = defineOperation({
  name: 'audit.list',
  summary: 'The workspace\'s audit log, newest first (owners only).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/audit' },
  auth: 'session',
  input: Type.Object(
    {
      workspaceId: Id,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'At most this many entries (default 50).' })),
      before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'Only entries older than this entry id (to page back).' })),
      action: Type.Optional(AuditAction),
    },
    { additionalProperties: false },
  ),
  output: Type.Array(AuditEntry),
})
