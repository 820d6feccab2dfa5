import { Type, type Static } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Nullable } from '../schemas.js'

/**
 * Retention: how long a workspace keeps messages and files. Owners set it; a sweep on the
 * server deletes what is older, in bounded batches, and records it in the audit log.
 * See docs/retention.md.
 */

const Days = Nullable(Type.Integer({ minimum: 1, maximum: 36500, description: 'Days to keep; null keeps everything.' }))

export const RetentionSettings = Type.Object({
  workspaceId: Id,
  messageDays: Days,
  fileDays: Days,
})
export type RetentionSettings = Static<typeof RetentionSettings>

export const getRetention = defineOperation({
  name: 'retention.get',
  summary: 'The workspace\'s message and file retention (owners only).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/retention' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id }, { additionalProperties: false }),
  output: RetentionSettings,
})

export const setRetention = defineOperation({
  name: 'retention.set',
  summary: 'Set how many days the workspace keeps messages and files (null: forever). Owners only; recorded in the audit log.',
  http: { method: 'PUT', path: '/api/workspaces/:workspaceId/retention' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id, messageDays: Type.Optional(Days), fileDays: Type.Optional(Days) }, { additionalProperties: false }),
  output: RetentionSettings,
})
