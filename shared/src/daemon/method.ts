import type { Static, TSchema } from '@sinclair/typebox'

/**
 * One method of the daemon's local JSON-RPC 2.0 API, declared once: the daemon serves it,
 * and every frontend (CLI, TUI, GUI bridge) calls it through the same declaration.
 */
export interface DaemonMethod<Name extends string = string, Params extends TSchema = TSchema, Result extends TSchema = TSchema> {
  readonly name: Name
  readonly summary: string
  readonly params: Params
  readonly result: Result
}

export function defineMethod<Name extends string, Params extends TSchema, Result extends TSchema>(
  method: DaemonMethod<Name, Params, Result>,
): DaemonMethod<Name, Params, Result> {
  return method
}

export type ParamsOf<M> = M extends DaemonMethod<string, infer P, TSchema> ? Static<P> : never
export type ResultOf<M> = M extends DaemonMethod<string, TSchema, infer R> ? Static<R> : never
