import type { Logger } from 'pino'
import type { ServerConfig } from './config.js'
import type { Sql } from './db/connect.js'
import type { Mailer } from './auth/mailer.js'
import type { Throttle } from './auth/throttle.js'
import type { Realtime } from './realtime/realtime.js'
import type { AttentionRuntime } from './attention/runtime.js'
import type { Admission } from './admission/admission.js'

/** What every handler may use. One instance per server process. */
export interface Services {
  config: ServerConfig
  sql: Sql
  log: Logger
  mailer: Mailer
  throttle: Throttle
  realtime: Realtime
  /** Presence, typing and the status sweeper of this process. */
  attention: AttentionRuntime
  /** Rate limits and slots per person, the expensive lane, sockets per person. */
  admission: Admission
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
  /** The socket the call came over; absent for REST. */
  socketId?: string
  /** Its rate limit was already counted by fair admission (the socket path does it first). */
  charged?: boolean
}

export interface AuthedContext extends CallContext {
  caller: Caller
}

/**
 * What a module keeps for each running server (its batchers, its caches), made on first use.
 * Kept by the server's Services, so several servers in one process (as in tests) each have their own.
 */
export function perServer<T>(make: (services: Services) => T): (services: Services) => T {
  const made = new WeakMap<Services, T>()
  return (services) => {
    if (!made.has(services)) made.set(services, make(services))
    return made.get(services)!
  }
}
