import { readableFile } from '../../access.js'
import * as load from '../../queries.js'
import type { HandlersFor } from '../handler.js'

export const fileHandlers: HandlersFor<'file'> = {
  'file.get': async (ctx, input) => {
    const f = await readableFile(ctx.services.sql, input.fileId, ctx.caller.userId)
    return {
      id: f.id,
      name: f.name,
      size: f.size,
      mimeType: f.mimeType,
      conversationId: f.conversationId,
      messageId: f.messageId,
      uploader: await load.personRef(ctx.services.sql, f.uploaderId),
      createdAt: f.createdAt.toISOString(),
    }
  },
}
