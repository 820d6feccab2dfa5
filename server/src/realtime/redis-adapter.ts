import { createAdapter } from '@socket.io/redis-adapter'
import type { Server } from 'socket.io'
import type { RedisClients } from '../redis/connect.js'

/**
 * Rooms shared by every server process: a broadcast is delivered to this process's
 * sockets and published once on Redis for the others, and room operations on a user's
 * sockets (join a new conversation, disconnect on logout) reach them wherever they are.
 *
 * While the subscriber connection is down, events published by other processes are lost
 * for this process's sockets (Redis pub/sub keeps nothing). So when it comes back, every
 * local socket is closed: clients reconnect and `sync` from their cursors, and nothing
 * committed in the meantime is missed.
 */
export function useRedisAdapter(io: Server, redis: RedisClients): void {
  io.adapter(createAdapter(redis.pub, redis.sub, { key: 'ocomms', requestsTimeout: 5_000 }))
  let lost = false
  redis.sub.on('close', () => {
    lost = true
  })
  redis.sub.on('ready', () => {
    if (!lost) return
    lost = false
    // Give ioredis a moment to subscribe again before the clients come back and sync.
    setTimeout(() => io.local.disconnectSockets(true), 500).unref()
  })
}
