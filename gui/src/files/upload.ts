import { OCommsError, transferRequestFor, uploadFile, webSession, type FileRef, type Message } from '@ocomms/shared'
import { csrfToken } from '../backend/http'

/**
 * A file the system's dialog chose (the desktop app): the shell holds it behind an opaque,
 * single-use handle; the page knows only its name and size, never where it is.
 */
export interface ChosenFile {
  handle: string
  name: string
  size: number
}

export interface UploadRequest {
  conversationId: string
  threadRootId?: string | null
  /** Bytes the page holds (picked by its file input, dropped, pasted), or a file the system's dialog chose. */
  file: Blob | ChosenFile
  name: string
  /** Text posted with the file, in the same message. */
  comment?: string
}

/**
 * Sends a file's bytes to the server's upload route (`file.upload`) and posts the message that
 * carries it in the same step (a client id makes a retry return the same message). Over
 * XMLHttpRequest, because fetch cannot report how much of a request body has gone out; the
 * session cookie goes along and the CSRF header is added, as for every change by cookie.
 */
export function uploadOverHttp(request: UploadRequest, onProgress?: (fraction: number) => void): Promise<{ file: FileRef; message: Message | null }> {
  const blob = request.file
  // A browser page chooses with its own file input: its files are always bytes it holds.
  if (!(blob instanceof Blob)) return Promise.reject(new OCommsError('invalid_input', 'This file was not chosen in this page.'))
  const { method, path } = transferRequestFor(uploadFile, {
    conversationId: request.conversationId,
    name: request.name,
    clientId: crypto.randomUUID(),
    ...(request.comment ? { comment: request.comment } : {}),
    ...(request.threadRootId ? { threadRootId: request.threadRootId } : {}),
  })
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(method, path)
    xhr.withCredentials = true
    xhr.setRequestHeader('content-type', blob.type || 'application/octet-stream')
    const csrf = csrfToken()
    if (csrf) xhr.setRequestHeader(webSession.csrfHeader, csrf)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new OCommsError('unavailable', 'The server cannot be reached; check the connection.'))
    xhr.onload = () => {
      let json: unknown
      try {
        json = JSON.parse(xhr.responseText)
      } catch {
        return reject(new OCommsError('unavailable', `The server answered ${xhr.status} without a readable body.`))
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as { file: FileRef; message: Message | null })
      else reject(OCommsError.from((json as { error?: unknown }).error))
    }
    xhr.send(blob)
  })
}
