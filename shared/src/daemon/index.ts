import * as methodDecls from './methods.js'

export * from './method.js'
export * from './methods.js'
export type * from './renderer-bridge.js'

type Decls = typeof methodDecls
type MethodValues = Extract<Decls[keyof Decls], { name: string; params: unknown; result: unknown }>

/** Every daemon method, keyed by its name. */
export type DaemonMethodMap = { [M in MethodValues as M['name']]: M }
export type DaemonMethodName = keyof DaemonMethodMap

const isMethod = (value: unknown): value is MethodValues =>
  typeof value === 'object' && value !== null && 'name' in value && 'params' in value && 'result' in value

export const daemonMethods = Object.fromEntries(
  Object.values(methodDecls).filter(isMethod).map((m) => [m.name, m]),
) as DaemonMethodMap
