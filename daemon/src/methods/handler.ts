import type { DaemonMethodMap, DaemonMethodName, ParamsOf, ResultOf } from '@ocomms/shared'
import type { CallContext } from '../daemon.js'

export type Handler<N extends DaemonMethodName> = (
  params: ParamsOf<DaemonMethodMap[N]>,
  ctx: CallContext,
) => Promise<ResultOf<DaemonMethodMap[N]>> | ResultOf<DaemonMethodMap[N]>

/** Handlers for the methods whose names start with `Prefix`. */
export type HandlersFor<Prefix extends string> = { [N in Extract<DaemonMethodName, `${Prefix}${string}`>]: Handler<N> }
