import { Type } from '@sinclair/typebox'
import { limits } from './limits.js'
import { FileRef, Id, Message, Nullable } from './schemas.js'
import { defineTransfer, type Transfer } from './transfer.js'

/** The routes that carry file bytes. Metadata is the `file.get` operation. See docs/reactions-pins-files.md. */

export const uploadFile = defineTransfer({
  name: 'file.upload',
  summary:
    'Upload a file into a conversation: the request body is the raw bytes (any Content-Type; it becomes the file\'s type, ' +
    'or is guessed from the name for application/octet-stream). The name comes from `name` or the `X-File-Name` header (percent-encoded). ' +
    'With `clientId` or `comment`, the message carrying the file is posted in the same step (a retry with the same clientId returns the original); ' +
    'without them the file stays unattached until `message.send` names it in `fileIds`. Needs posting rights; refused with payload_too_large above the server\'s limit.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/files' },
  auth: 'session',
  body: 'bytes',
  input: Type.Object(
    {
      conversationId: Id,
      name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.fileName })),
      clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      comment: Type.Optional(Type.String({ maxLength: limits.messageText })),
      threadRootId: Type.Optional(Id),
      alsoToChannel: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ file: FileRef, message: Nullable(Message) }),
})

export const downloadFile = defineTransfer({
  name: 'file.download',
  summary:
    'The bytes of a file, as an attachment. Access is checked on every request: whoever can read the message carrying it ' +
    '(an unattached file: its uploader). A deleted message\'s files are gone (404).',
  http: { method: 'GET', path: '/api/files/:fileId/content' },
  auth: 'session',
  body: 'none',
  input: Type.Object({ fileId: Id }, { additionalProperties: false }),
  output: 'bytes',
})

export const downloadExport = defineTransfer({
  name: 'export.download',
  summary: 'A finished workspace export (export.start), as a .tar.gz of the export format. Owners only.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/exports/:exportId/content' },
  auth: 'session',
  body: 'none',
  input: Type.Object({ workspaceId: Id, exportId: Id }, { additionalProperties: false }),
  output: 'bytes',
})

export const transfers = {
  [uploadFile.name]: uploadFile,
  [downloadFile.name]: downloadFile,
  [downloadExport.name]: downloadExport,
} as const satisfies Record<string, Transfer>
