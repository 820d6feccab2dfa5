import * as methodDecls from './methods.js'
import * as shellDecls from './shell-methods.js'

export * from './method.js'
export * from './methods.js'
export * from './shell-methods.js'
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

type ShellValues = Extract<(typeof shellDecls)[keyof typeof shellDecls], { name: string; params: unknown; result: unknown }>

/** The desktop shell's own methods (shell-methods.ts), keyed by name. */
export type ShellMethodMap = { [M in ShellValues as M['name']]: M }
export type ShellMethodName = keyof ShellMethodMap

export const shellMethods = Object.fromEntries(
  (Object.values(shellDecls) as unknown[]).filter(isMethod).map((m) => [m.name, m]),
) as unknown as ShellMethodMap

/** What a desktop page may name in a call: the daemon's methods and the shell's. */
export type BridgeMethodMap = DaemonMethodMap & ShellMethodMap
export type BridgeMethodName = keyof BridgeMethodMap
