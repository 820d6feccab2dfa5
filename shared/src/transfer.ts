import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { AuthLevel, HttpMethod } from './operation.js'
import { pathWithQuery } from './operation.js'

/**
 * An HTTP route that carries bytes (a file upload or download), declared once like an
 * operation. Bytes cannot ride a JSON operation or a socket acknowledgement, so transfers
 * are REST only: `input` is the path parameters plus the query string; an upload's body is
 * the raw bytes; `output` is the JSON answer of an upload, or `'bytes'` for a download.
 */
export interface Transfer<
  Name extends string = string,
  Input extends TObject = TObject,
  Output extends TSchema | 'bytes' = TSchema | 'bytes',
> {
  readonly name: Name
  readonly summary: string
  readonly http: { readonly method: HttpMethod; readonly path: string }
  readonly auth: AuthLevel
  /** `'bytes'`: the request body is the raw content (an upload). */
  readonly body: 'bytes' | 'none'
  readonly input: Input
  readonly output: Output
}

export function defineTransfer<Name extends string, Input extends TObject, Output extends TSchema | 'bytes'>(
  transfer: Transfer<Name, Input, Output>,
): Transfer<Name, Input, Output> {
  return transfer
}

export type TransferInput<T> = T extends Transfer<string, infer I, TSchema | 'bytes'> ? Static<I> : never
export type TransferOutput<T> = T extends Transfer<string, TObject, infer O> ? (O extends TSchema ? Static<O> : Response) : never

/** The method and path (with query string) of a transfer for this input. */
export function transferRequestFor(transfer: Transfer, input: Record<string, unknown>): { method: HttpMethod; path: string } {
  return { method: transfer.http.method, path: pathWithQuery(transfer.http.path, input) }
}
