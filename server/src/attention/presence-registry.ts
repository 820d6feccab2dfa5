/**
 * Which people have sockets open on THIS server process, and when each was last active.
 * Presence is computed from it (online while any socket is connected and the person was
 * active within the idle time).
 *
 * Scale-out: with several processes behind the Redis adapter, this structure is the one
 * piece to move to Redis. Keep the same methods and store, per user, a hash
 * `presence:sockets:<userId>` of socketId -> processId (HSET on connect, HDEL on disconnect,
 * and each process deletes its own entries on start and refreshes a `presence:process:<id>`
 * key with a TTL so a crashed process's sockets can be swept), plus `presence:active:<userId>`
 * holding the last-activity time. `connected()` becomes HLEN > 0. Everything else in
 * presence.ts only calls these methods.
 */
export class PresenceRegistry {
  private readonly sockets = new Map<string, Set<string>>()
  private readonly activeAt = new Map<string, number>()

  /** Records a socket; true when it is the person's first. */
  add(userId: string, socketId: string, now = Date.now()): boolean {
    let set = this.sockets.get(userId)
    const first = !set || set.size === 0
    if (!set) this.sockets.set(userId, (set = new Set()))
    set.add(socketId)
    this.activeAt.set(userId, now)
    return first
  }

  /** Forgets a socket; true when it was the person's last. */
  remove(userId: string, socketId: string): boolean {
    const set = this.sockets.get(userId)
    if (!set) return false
    set.delete(socketId)
    if (set.size > 0) return false
    this.sockets.delete(userId)
    this.activeAt.delete(userId)
    return true
  }

  connected(userId: string): boolean {
    return (this.sockets.get(userId)?.size ?? 0) > 0
  }

  socketCount(userId: string): number {
    return this.sockets.get(userId)?.size ?? 0
  }

  touch(userId: string, now = Date.now()): void {
    if (this.connected(userId)) this.activeAt.set(userId, now)
  }

  lastActive(userId: string): number | null {
    return this.activeAt.get(userId) ?? null
  }

  connectedUsers(): string[] {
    return [...this.sockets.keys()]
  }
}
