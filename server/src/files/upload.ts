import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { OCommsError, type FileRef, type TransferInput, type TransferOutput, type uploadFile } from '@ocomms/shared'
import { assertCanPost, readableConversation, type ConversationAccess } from '../access.js'
import type { TxSql } from '../db/connect.js'
import { transaction } from '../events/transaction.js'
import { cleanName, textOf, typeOf } from './kind.js'
import { place, receive, release, tooLarge, type Received } from './store.js'
import type { AuthedContext } from '../services.js'
import { existingSend, sendMessage } from '../messages/send.js'

export interface UploadRequest {
  input: TransferInput<typeof uploadFile>
  body: Readable
  /** Content-Type, X-File-Name and Content-Length as sent. */
  contentType: string | undefined
  headerName: string | undefined
  contentLength: number | null
}

function decodeHeaderName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    return decodeURIComponent(value)
  } catch {
    throw new OCommsError('invalid_input', 'X-File-Name must be percent-encoded UTF-8.')
  }
}

/**
 * An upload: checks access before reading a byte, streams the body to disk, then in one
 * transaction places the blob and stores its row (and, with a clientId or comment, the
 * message carrying it). Any failure removes what it wrote.
 */
export async function upload(ctx: AuthedContext, req: UploadRequest): Promise<TransferOutput<typeof uploadFile>> {
  const { input } = req
  const { services } = ctx
  const userId = ctx.caller.userId
  const limit = services.config.fileSizeLimit
  const name = cleanName(input.name ?? decodeHeaderName(req.headerName) ?? '')
  if (req.contentLength !== null && req.contentLength > limit) throw tooLarge(limit)

  const posting = input.clientId !== undefined || input.comment !== undefined
  if (!posting && (input.threadRootId !== undefined || input.alsoToChannel !== undefined)) {
    throw new OCommsError('invalid_input', 'threadRootId and alsoToChannel need a clientId or a comment: they place the message carrying the file.')
  }
  const clientId = input.clientId ?? randomUUID()
  if (input.clientId !== undefined) {
    // A retried upload whose message already committed: the original, without storing again.
    const earlier = await existingSend(ctx, input.clientId, input.conversationId)
    if (earlier) {
      req.body.resume()
      const file = earlier.files[0]
      if (!file) throw new OCommsError('conflict', 'That clientId was already used for a message without a file.')
      return { file, message: earlier }
    }
  }
  const c = await readableConversation(services.sql, input.conversationId, userId)
  assertCanPost(c)

  const received = await receive(services, req.body, limit)
  const type = typeOf(req.contentType, name)
  const { text, type: finalType } = textOf(received.small, type)
  const stored = { id: '' }
  const store = async (sql: TxSql, conv: ConversationAccess): Promise<string> => {
    await place(sql, services, received)
    const [row] = await sql<{ id: string }[]>`
      insert into files (workspace_id, conversation_id, uploader_id, name, size, mime_type, sha256, text_content)
      values (${conv.workspaceId}, ${conv.id}, ${userId}, ${name}, ${received.size}, ${finalType}, ${received.sha256}, ${text})
      returning id`
    stored.id = row!.id
    return row!.id
  }
  try {
    if (!posting) {
      await transaction(services, (change) => store(change.sql, c))
      const file: FileRef = { id: stored.id, name, size: received.size, mimeType: finalType }
      return { file, message: null }
    }
    const message = await sendMessage(
      ctx,
      {
        conversationId: c.id,
        text: input.comment ?? '',
        clientId,
        ...(input.threadRootId !== undefined ? { threadRootId: input.threadRootId } : {}),
        ...(input.alsoToChannel !== undefined ? { alsoToChannel: input.alsoToChannel } : {}),
      },
      { beforeInsert: async (change, conv) => [await store(change.sql, conv)] },
    )
    const file = message.files.find((f) => f.id === stored.id) ?? message.files[0]
    // A concurrent retry committed first: its message is the answer, and these bytes are not needed.
    if (!message.files.some((f) => f.id === stored.id)) await cleanup(ctx, received)
    if (!file) throw new OCommsError('conflict', 'That clientId was already used for a message without a file.')
    return { file, message }
  } catch (err) {
    await cleanup(ctx, received)
    throw err
  }
}

async function cleanup(ctx: AuthedContext, received: Received) {
  try {
    await rm(received.tempPath, { force: true })
    await release(ctx.services, received.sha256)
  } catch (err) {
    ctx.services.log.error({ err }, 'could not remove the bytes of a failed upload')
  }
}
