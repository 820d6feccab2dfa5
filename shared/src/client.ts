import { OCommsError } from './errors.js'
import { limits, tooLargeSentence } from './limits.js'
import { fieldsBesidePath, fillPath, pathWithQuery, type InputOf, type OutputOf } from './operation.js'
import { operations, type OperationMap, type OperationName } from './operations/index.js'
import { transferRequestFor, type TransferInput, type TransferOutput } from './transfer.js'
import { downloadFile, uploadFile } from './transfers.js'

/**
 * Calling operations from their declarations, so no client spells a path or a shape:
 * over HTTP (bots, the CLI's sign-in, tests) or over a socket with acknowledgements.
 */

export type CallInput<N extends OperationName> = InputOf<OperationMap[N]>
export type CallOutput<N extends OperationName> = OutputOf<OperationMap[N]>

export interface HttpClientOptions {
  token?: string | null
  fetch?: typeof fetch
  headers?: Record<string, string>
}

export function httpRequestFor<N extends OperationName>(name: N, input: CallInput<N>) {
  const { http } = operations[name]
  const fields = input as Record<string, unknown>
  if (http.method === 'GET' || http.method === 'DELETE') return { method: http.method, path: pathWithQuery(http.path, fields), body: undefined }
  return { method: http.method, path: fillPath(http.path, fields), body: JSON.stringify(Object.fromEntries(fieldsBesidePath(http.path, fields))) }
}

export async function callHttp<N extends OperationName>(
  baseUrl: string,
  name: N,
  input: CallInput<N>,
  options: HttpClientOptions = {},
): Promise<CallOutput<N>> {
  const { method, path, body } = httpRequestFor(name, input)
  const headers: Record<string, string> = { ...options.headers }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const res = await (options.fetch ?? fetch)(baseUrl.replace(/\/+$/, '') + path, { method, headers, body })
  const text = await res.text()
  const json: unknown = text ? JSON.parse(text) : undefined
  if (!res.ok) throw OCommsError.from((json as { error?: unknown } | undefined)?.error)
  return json as CallOutput<N>
}

/** The part of a Socket.IO client socket this needs. */
export interface AckSocket {
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>
}

type Ack = { ok: true; data: unknown } | { ok: false; error: unknown }

/**
 * Calls an operation over the socket. A frame over the request limit is refused here, before it is
 * sent: the transport would otherwise drop the whole connection for it, with no answer.
 */
export async function callSocket<N extends OperationName>(socket: AckSocket, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const bytes = frameBytes(name, input)
  if (bytes > limits.requestBytes) throw new OCommsError('payload_too_large', tooLargeSentence(bytes, limits.requestBytes))
  const ack = (await socket.emitWithAck(name, input)) as Ack
  if (ack && ack.ok) return ack.data as CallOutput<N>
  throw OCommsError.from(ack?.error)
}

/** About the size of the Socket.IO frame that carries this call (its JSON plus a few bytes of framing). */
function frameBytes(name: string, input: unknown): number {
  const json = JSON.stringify([name, input]) ?? ''
  // Cheap when small: a UTF-8 byte count is at most three bytes per UTF-16 unit.
  return 16 + (json.length * 3 <= limits.requestBytes ? json.length : new TextEncoder().encode(json).byteLength)
}

export type UploadInput = TransferInput<typeof uploadFile>
export type UploadOutput = TransferOutput<typeof uploadFile>

export interface UploadOptions extends HttpClientOptions {
  /** The file's type; the server guesses from the name when absent or application/octet-stream. */
  contentType?: string
  /** The byte count when known: sent as Content-Length, so an oversized file is refused before it travels. */
  size?: number
}

/**
 * Uploads bytes (a Buffer, a Blob, a web ReadableStream or any async iterable of chunks, such as
 * `fs.createReadStream(path)`) as a file; the body is streamed, never assembled in memory.
 */
export async function uploadHttp(
  baseUrl: string,
  input: UploadInput,
  body: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: UploadOptions = {},
): Promise<UploadOutput> {
  const { method, path } = transferRequestFor(uploadFile, input as Record<string, unknown>)
  const headers: Record<string, string> = { ...options.headers, 'content-type': options.contentType ?? 'application/octet-stream' }
  if (options.size !== undefined) headers['content-length'] = String(options.size)
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const res = await (options.fetch ?? fetch)(baseUrl.replace(/\/+$/, '') + path, {
    method,
    headers,
    body: (isAsyncIterable(body) && !(body instanceof ReadableStream) ? pulled(body) : body) as never,
    duplex: 'half',
  } as RequestInit)
  const text = await res.text()
  const json: unknown = text ? JSON.parse(text) : undefined
  if (!res.ok) throw OCommsError.from((json as { error?: unknown } | undefined)?.error)
  return json as UploadOutput
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<Uint8Array> =>
  typeof x === 'object' && x !== null && Symbol.asyncIterator in x

/**
 * An async iterable as a web stream that reads one chunk per pull. fetch (undici) drains an
 * async-iterable body as fast as it can produce it, buffering a whole file in memory; a
 * pull-driven stream moves only as fast as the socket.
 */
function pulled(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await it.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel(reason) {
        await it.return?.(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** Starts a download; the caller streams `response.body` wherever it wants. Errors are thrown as OCommsError. */
export async function downloadHttp(baseUrl: string, input: TransferInput<typeof downloadFile>, options: HttpClientOptions = {}): Promise<Response> {
  const { method, path } = transferRequestFor(downloadFile, input as Record<string, unknown>)
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const res = await (options.fetch ?? fetch)(baseUrl.replace(/\/+$/, '') + path, { method, headers })
  if (!res.ok) {
    const text = await res.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    throw OCommsError.from((json as { error?: unknown } | undefined)?.error)
  }
  return res
}
