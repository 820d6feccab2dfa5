import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { downloadHttp, OCommsError, uploadHttp } from '@ocomms/shared'
import { unreachable, type ProfileSession } from '../session.js'
import type { HandlersFor } from './handler.js'

function absolute(path: string): string {
  if (!isAbsolute(path)) throw new OCommsError('invalid_input', `"${path}" is not an absolute path.`)
  return path
}

/** Server refusals pass through; anything else (refused connection, reset) means unreachable. */
function asServerError(session: ProfileSession, err: unknown): OCommsError {
  return err instanceof OCommsError ? err : unreachable(session.profile.server)
}

export const fileHandlers: HandlersFor<'files.'> = {
  'files.upload': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const path = absolute(params.path)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) throw new OCommsError('not_found', `No file at ${path}.`)
    await session.settle()
    try {
      const out = await uploadHttp(
        session.profile.server,
        {
          conversationId: params.conversationId,
          name: params.name ?? basename(path),
          ...(params.comment !== undefined ? { comment: params.comment } : {}),
          ...(params.clientId ? { clientId: params.clientId } : {}),
          ...(params.threadRootId ? { threadRootId: params.threadRootId } : {}),
        },
        createReadStream(path),
        { token: session.profile.token, size: info.size },
      )
      if (out.message) session.cache.putMessage(out.message)
      return out
    } catch (err) {
      throw asServerError(session, err)
    }
  },

  'files.download': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const path = absolute(params.path)
    // The metadata first: it checks access and says what is coming.
    const file = await session.call('file.get', { fileId: params.fileId })
    let res: Response
    try {
      res = await downloadHttp(session.profile.server, { fileId: params.fileId }, { token: session.profile.token })
    } catch (err) {
      throw asServerError(session, err)
    }
    // Written next to the destination and renamed, so a failed transfer leaves no half file.
    const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`)
    try {
      await pipeline(Readable.fromWeb(res.body! as never), createWriteStream(partial, { mode: 0o600 }))
      await rename(partial, path)
    } catch (err) {
      await rm(partial, { force: true })
      if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('E') && err.code !== 'ECONNRESET') {
        throw new OCommsError('invalid_input', `Cannot write ${path}: ${err.message}`)
      }
      throw unreachable(session.profile.server)
    }
    const { size } = await stat(path)
    return { path, size, name: file.name, mimeType: file.mimeType }
  },
}
