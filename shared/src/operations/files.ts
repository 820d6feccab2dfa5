import { Type } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { FileInfo, Id } from '../schemas.js'

/** File metadata. The bytes travel through the transfers in ../transfers.ts (upload, download). */
export const getFile = defineOperation({
  name: 'file.get',
  summary: 'A file\'s metadata. Readable by whoever can read the message carrying it; an unattached file only by its uploader.',
  http: { method: 'GET', path: '/api/files/:fileId' },
  auth: 'session',
  input: Type.Object({ fileId: Id }, { additionalProperties: false }),
  output: FileInfo,
})
