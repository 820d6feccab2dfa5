import { OCommsError } from '@ocomms/shared/core'
import { JSONRPCErrorCode, JSONRPCErrorException } from 'json-rpc-2.0'

/** JSON-RPC error code for a refused request; `data` carries the OComms error body. */
export const APPLICATION_ERROR = -32000

/** An OComms error as a JSON-RPC error: the closed code set travels in `data`. */
export function toRpcError(err: unknown): JSONRPCErrorException {
  if (err instanceof JSONRPCErrorException) return err
  const e = err instanceof OCommsError ? err : new OCommsError('internal', err instanceof Error ? err.message : String(err))
  const rpcCode = e.code === 'invalid_input' ? JSONRPCErrorCode.InvalidParams : APPLICATION_ERROR
  return new JSONRPCErrorException(e.message, rpcCode, e.toJSON())
}

/** The other way round, for clients: any JSON-RPC error becomes an OCommsError. */
export function fromRpcError(error: { code: number; message: string; data?: unknown }): OCommsError {
  const data = error.data as { code?: unknown } | undefined
  // The sentence is the error's own; `data` may repeat it or carry only the code.
  if (data && typeof data === 'object' && typeof data.code === 'string') return OCommsError.from({ message: error.message, ...data })
  if (error.code === JSONRPCErrorCode.MethodNotFound) {
    return new OCommsError('not_found', `${error.message} (the daemon may be older than this client: run ocomms daemon stop)`)
  }
  if (error.code === JSONRPCErrorCode.InvalidParams || error.code === JSONRPCErrorCode.InvalidRequest) {
    return new OCommsError('invalid_input', error.message)
  }
  return new OCommsError('internal', error.message)
}
