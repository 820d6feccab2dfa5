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
