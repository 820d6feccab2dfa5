import type { InputOf, OperationMap, OperationName, OutputOf } from '@ocomms/shared'
import type { AuthedContext, CallContext } from '../services.js'

type ContextFor<N extends OperationName> = OperationMap[N]['auth'] extends 'session' ? AuthedContext : CallContext

/** The server half of an operation: its input is already validated against the schema. */
export type Handler<N extends OperationName> = (
  ctx: ContextFor<N>,
  input: InputOf<OperationMap[N]>,
) => Promise<OutputOf<OperationMap[N]>>

/** The handlers of every operation whose name starts with `Prefix.` */
export type HandlersFor<Prefix extends string> = { [N in Extract<OperationName, `${Prefix}.${string}` | Prefix>]: Handler<N> }
