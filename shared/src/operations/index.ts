import * as auth from './auth.js'
import * as conversations from './conversations.js'
import * as messages from './messages.js'
import * as search from './search.js'
import * as sync from './sync.js'
import * as workspaces from './workspaces.js'

export * from './auth.js'
export * from './conversations.js'
export * from './messages.js'
export * from './search.js'
export * from './sync.js'
export * from './workspaces.js'

type Ops = typeof auth & typeof workspaces & typeof conversations & typeof messages & typeof sync & typeof search
type OpValues = Extract<Ops[keyof Ops], { name: string; http: unknown }>

/** Every operation, keyed by its name. */
export type OperationMap = { [Op in OpValues as Op['name']]: Op }
export type OperationName = keyof OperationMap

const isOperation = (value: unknown): value is OpValues =>
  typeof value === 'object' && value !== null && 'name' in value && 'http' in value && 'input' in value

export const operations = Object.fromEntries(
  [auth, workspaces, conversations, messages, sync, search]
    .flatMap((mod) => Object.values(mod))
    .filter(isOperation)
    .map((op) => [op.name, op]),
) as OperationMap
