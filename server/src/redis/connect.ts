import { Redis } from 'ioredis'
import type { Logger } from 'pino'

/**
 * The Redis connections of one server process when REDIS_URL is set: `pub` publishes
 * broadcasts and serves commands, `sub` sits in subscribe mode for the Socket.IO adapter,
 * `limiter` counts login attempts and fails fast (its limiter falls back to memory) instead
 * of queueing while Redis is unreachable, and `presence` holds who is connected where; it
 * fails fast too (member lists then show what this process knows) and has a command timeout,
 * so a stuck Redis cannot hold up a request.
 */
export interface RedisClients {
  pub: Redis
  sub: Redis
  limiter: Redis
  presence: Redis
  close(): Promise<void>
}

export async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  const common = { connectTimeout: 5_000, lazyConnect: true, connectionName: 'ocomms' }
  const pub = new Redis(url, { ...common, maxRetriesPerRequest: 20 })
  const sub = pub.duplicate()
  const limiter = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  const presence = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 })
  const named = { pub, sub, limiter, presence }
  const clients = Object.values(named)
  for (const [name, c] of Object.entries(named)) {
    // ioredis reconnects by itself; without a listener an error event would crash the process.
    c.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis connection error'))
  }
  try {
    // A wrong REDIS_URL should stop the start with a clear message, not surface later.
    await Promise.all(clients.map((c) => c.connect()))
  } catch (err) {
    clients.forEach((c) => c.disconnect())
    throw new Error(`cannot reach Redis at ${redacted(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  return {
    ...named,
    async close() {
      await Promise.allSettled(clients.map((c) => c.quit()))
    },
  }
}

/** The URL without its password, for messages and logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'the configured REDIS_URL'
  }
}
