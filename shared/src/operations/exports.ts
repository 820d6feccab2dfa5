import { Type, type Static } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Nullable, Timestamp } from '../schemas.js'

/**
 * A workspace export run by the server for one of its owners: started, followed (progress), then
 * downloaded as a .tar.gz of the export format (the `export.download` transfer). See
 * docs/export-format.md.
 */

export const ExportJob = Type.Object({
  id: Id,
  workspaceId: Id,
  state: Type.Union([Type.Literal('running'), Type.Literal('ready'), Type.Literal('failed')]),
  /** The kind being written and how many of it so far. */
  progress: Type.Object({ kind: Type.Optional(Type.String()), done: Type.Optional(Type.Integer({ minimum: 0 })) }),
  /** Records per kind, once ready. */
  counts: Nullable(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  /** The archive's size in bytes, once ready. */
  size: Nullable(Type.Integer({ minimum: 0 })),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  /** Where to GET the archive (with the session token), once ready. */
  download: Nullable(Type.String()),
})
export type ExportJob = Static<typeof ExportJob>

export const startExport = defineOperation({
  name: 'export.start',
  summary: 'Start exporting the workspace in the background (owners only; one at a time). Follow it with export.get.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/exports' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id }, { additionalProperties: false }),
  output: ExportJob,
})

export const getExport = defineOperation({
  name: 'export.get',
  summary: 'An export job: its state, progress and, once ready, where to download it (owners only).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/exports/:exportId' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id, exportId: Id }, { additionalProperties: false }),
  output: ExportJob,
})
