import { createAdapter } from '@socket.io/redis-adapter'
import type { Server } from 'socket.io'
import type { RedisClients } from '../redis/connect.js'

/**
 * Rooms shared by every server process: a broadcast is delivered to this process's
 * sockets and published once on Redis for the others, and room operations on a user's
 * sockets (join a new conversation, disconnect on logout) reach them wherever they are.
 */
export function useRedisAdapter(io: Server, redis: RedisClients): void {
  io.adapter(createAdapter(redis.pub, redis.sub, { key: 'ocomms', requestsTimeout: 5_000 }))
}
