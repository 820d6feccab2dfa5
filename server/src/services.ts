import type { Logger } from 'pino'
import type { ServerConfig } from './config.js'
import type { Sql } from './db/connect.js'
import type { Mailer } from './auth/mailer.js'
import type { Throttle } from './auth/throttle.js'
import type { Realtime } from './realtime/realtime.js'

/** What every handler may use. One instance per server process. */
export interface Services {
  config: ServerConfig
  sql: Sql
  log: Logger
  mailer: Mailer
  throttle: Throttle
  realtime: Realtime
}

export interface Caller {
  userId: string
  sessionId: string
}

/** One call of an operation, from REST or from a socket. */
export interface CallContext {
  services: Services
  caller: Caller | null
  ip: string
  userAgent: string | null
}

export interface AuthedContext extends CallContext {
  caller: Caller
}
