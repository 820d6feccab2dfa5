import * as attention from './attention.js'
import * as audit from './audit.js'
import * as auth from './auth.js'
import * as conversations from './conversations.js'
import * as exportsOps from './exports.js'
import * as files from './files.js'
import * as messages from './messages.js'
import * as pins from './pins.js'
import * as reactions from './reactions.js'
import * as retention from './retention.js'
import * as saved from './saved.js'
import * as search from './search.js'
import * as sso from './sso.js'
import * as sync from './sync.js'
import * as workspaces from './workspaces.js'

export * from './attention.js'
export * from './audit.js'
export * from './auth.js'
export * from './conversations.js'
export * from './exports.js'
export * from './files.js'
export * from './messages.js'
export * from './pins.js'
export * from './reactions.js'
export * from './retention.js'
export * from './saved.js'
export * from './search.js'
export * from './sso.js'
export * from './sync.js'
export * from './workspaces.js'

type Ops = typeof auth &
  typeof attention &
  typeof workspaces &
  typeof conversations &
  typeof messages &
  typeof reactions &
  typeof pins &
  typeof saved &
  typeof search &
  typeof files &
  typeof sync &
  typeof sso &
  typeof audit &
  typeof retention &
  typeof exportsOps
type OpValues = Extract<Ops[keyof Ops], { name: string; http: unknown }>

/** Every operation, keyed by its name. */
export type OperationMap = { [Op in OpValues as Op['name']]: Op }
export type OperationName = keyof OperationMap

const isOperation = (value: unknown): value is OpValues =>
  typeof value === 'object' && value !== null && 'name' in value && 'http' in value && 'input' in value

export const operations = Object.fromEntries(
  [auth, workspaces, conversations, messages, reactions, pins, saved, files, sync, attention, search, sso, audit, retention, exportsOps]
    .flatMap((mod) => Object.values(mod))
    .filter(isOperation)
    .map((op) => [op.name, op]),
) as OperationMap
