import type { PresenceInfo } from '@ocomms/shared'
import { offlineAfter, pick, type Candidates, type PresenceRegistry, type PresenceState, type SettleOptions } from './presence-registry.js'

/** Presence facts of a single server process, in its memory (see presence-registry.ts). */
export class MemoryPresenceRegistry implements PresenceRegistry {
  private readonly sockets = new Map<string, Set<string>>()
  private readonly activeAt = new Map<string, number>()
  /** JSON of the presence last signalled, per connected person. */
  private readonly sent = new Map<string, string>()

  async start(): Promise<void> {}

  /** Every socket closes with this process; there is nobody else to tell. */
  async stop(): Promise<PresenceInfo[]> {
    this.sockets.clear()
    this.activeAt.clear()
    this.sent.clear()
    return []
  }

  async add(userId: string, socketId: string, now: number): Promise<void> {
    let set = this.sockets.get(userId)
    if (!set) this.sockets.set(userId, (set = new Set()))
    set.add(socketId)
    this.activeAt.set(userId, Math.max(now, this.activeAt.get(userId) ?? 0))
  }

  async remove(userId: string, socketId: string): Promise<PresenceInfo | null> {
    const set = this.sockets.get(userId)
    if (!set?.delete(socketId) || set.size > 0) return null
    this.sockets.delete(userId)
    this.activeAt.delete(userId)
    const last = this.sent.get(userId)
    this.sent.delete(userId)
    return last === undefined ? null : offlineAfter(last)
  }

  async touch(userId: string, now: number): Promise<number | null> {
    if (!this.sockets.has(userId)) return null
    const previous = this.activeAt.get(userId) ?? 0
    this.activeAt.set(userId, Math.max(now, previous))
    return previous
  }

  async settle(userId: string, candidates: Candidates, { now, idleMs, force = false }: SettleOptions): Promise<PresenceInfo | null> {
    const last = this.sent.get(userId)
    if (!this.sockets.has(userId)) {
      this.sent.delete(userId)
      return last !== undefined || force ? candidates.offline : null
    }
    const info = pick(candidates, this.state(userId), now, idleMs)
    const json = JSON.stringify(info)
    if (json === last && !force) return null
    this.sent.set(userId, json)
    return info
  }

  async states(userIds: string[]): Promise<PresenceState[]> {
    return userIds.map((id) => this.state(id))
  }

  private state(userId: string): PresenceState {
    return { sockets: this.sockets.get(userId)?.size ?? 0, lastActive: this.activeAt.get(userId) ?? null }
  }

  holds(userId: string): boolean {
    return this.sockets.has(userId)
  }

  localUsers(): string[] {
    return [...this.sockets.keys()]
  }

  /** Every socket held, as [socketId, userId] pairs. */
  socketPairs(): Array<[string, string]> {
    return [...this.sockets].flatMap(([userId, set]) => [...set].map((socketId): [string, string] => [socketId, userId]))
  }
}
