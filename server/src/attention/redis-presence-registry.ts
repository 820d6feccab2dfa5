import { randomUUID } from 'node:crypto'
import type { PresenceInfo } from '@ocomms/shared'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import {
  offlineAfter,
  type Candidates,
  type PresenceRegistry,
  type PresenceState,
  type RegistryEvents,
  type SettleOptions,
} from './presence-registry.js'
import { MemoryPresenceRegistry } from './memory-presence-registry.js'
import { keys, scripts, type PresenceCommands } from './redis-presence-scripts.js'

export interface RedisPresenceOptions {
  /** How long a process's heartbeat lasts; it is renewed every third of that. */
  processTtlMs: number
  log: Logger
}

/**
 * Presence facts shared by every server process through Redis (keys and scripts in
 * redis-presence-scripts.ts; the design in presence-registry.ts).
 *
 * Crashes: each process has a random id per start and renews `alive:<id>` (TTL
 * `processTtlMs`) every third of the TTL. In the same script every process withdraws the
 * sockets of any registered process whose heartbeat has expired, and signals offline the
 * people left without a socket. So a process that dies without cleaning up (killed, out of
 * memory, host lost) leaves its people online for at most the TTL plus one heartbeat period,
 * whichever process sweeps, and whether or not it ever comes back: a restarted process is a
 * new process, and it sweeps its predecessor like any other once that heartbeat expires.
 * Sweeping in the surviving processes (rather than only at restart) is what bounds that time;
 * the sweep is atomic, so when several processes race exactly one of them signals.
 *
 * The other way round: a live process can be swept by mistake (an event-loop stall longer than
 * the TTL, Redis restarted and lost everything). Its next heartbeat or socket finds it is no
 * longer registered, and it writes back the sockets it holds (this process's own view, kept in
 * memory, is the truth for its sockets); its people then get their presence signalled again.
 * The same happens after any write that failed or timed out, since Redis may or may not have
 * applied it.
 *
 * The connection fails fast (no offline queue, short command timeout): while Redis is away,
 * reads fall back to what this process knows (its own sockets), and writes are put right by
 * that resync once Redis answers.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  readonly processId = randomUUID()
  private readonly redis: Redis & PresenceCommands
  /** This process's own sockets and the activity it saw: the truth for resync, and the answer while Redis does not answer. */
  private readonly here = new MemoryPresenceRegistry()
  private events: RegistryEvents | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private ticking: Promise<void> | null = null
  /** A write may have been lost: put this process's sockets back at the next heartbeat. */
  private dirty = false
  private warnedAt = 0

  constructor(
    redis: Redis,
    private readonly options: RedisPresenceOptions,
  ) {
    for (const [name, lua] of Object.entries(scripts)) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua })
    }
    this.redis = redis as Redis & PresenceCommands
    // Back after a drop: find out at once whether Redis lost our sockets (a restart) or we missed writes.
    redis.on('ready', () => {
      if (this.heartbeat) void this.tick()
    })
  }

  private get ttl(): number {
    return this.options.processTtlMs
  }

  async start(events: RegistryEvents): Promise<void> {
    this.events = events
    await this.resync()
    await this.tick()
    this.heartbeat = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.ttl / 3)))
    this.heartbeat.unref()
  }

  async stop(): Promise<PresenceInfo[]> {
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = null
    await this.ticking
    await this.here.stop()
    try {
      return (await this.redis.presenceWithdraw(this.processId)).map(offlineAfter)
    } catch (err) {
      // The others sweep this process once its heartbeat expires.
      this.options.log.warn({ err }, 'could not withdraw presence from Redis')
      return []
    }
  }

  async add(userId: string, socketId: string, now: number): Promise<void> {
    await this.here.add(userId, socketId, now)
    const fresh = await this.write(this.redis.presenceAdd(socketId, this.processId, userId, now, this.ttl))
    if (fresh === 1 && this.heartbeat) {
      this.dirty = true
      void this.tick()
    }
  }

  async remove(userId: string, socketId: string): Promise<PresenceInfo | null> {
    // Only Redis knows whether it was their last socket anywhere; the local answer is not used.
    await this.here.remove(userId, socketId)
    const last = await this.write(this.redis.presenceRemove(socketId, this.processId, userId))
    return last ? offlineAfter(last) : null
  }

  async touch(userId: string, now: number): Promise<number | null> {
    await this.here.touch(userId, now)
    const previous = await this.redis.presenceTouch(userId, now)
    return previous === null ? null : Number(previous)
  }

  async settle(userId: string, c: Candidates, { now, idleMs, force = false }: SettleOptions): Promise<PresenceInfo | null> {
    const json = [c.offline, c.active, c.idle].map((i) => JSON.stringify(i))
    const info = await this.redis.presenceSettle(userId, now, idleMs, force ? '1' : '0', json[0]!, json[1]!, json[2]!)
    return info === null ? null : (JSON.parse(info) as PresenceInfo)
  }

  async states(userIds: string[]): Promise<PresenceState[]> {
    if (userIds.length === 0) return []
    try {
      const pipe = this.redis.pipeline()
      for (const id of userIds) pipe.hlen(keys.sockets(id)).get(keys.active(id))
      const replies = (await pipe.exec()) ?? []
      return userIds.map((_, i) => {
        const [[e1, sockets], [e2, active]] = [replies[2 * i]!, replies[2 * i + 1]!]
        if (e1 || e2) throw e1 ?? e2
        return { sockets: Number(sockets), lastActive: active === null ? null : Number(active) }
      })
    } catch (err) {
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now()
        this.options.log.warn({ err }, 'presence: Redis does not answer; showing only the people connected to this process')
      }
      return this.here.states(userIds)
    }
  }

  holds(userId: string): boolean {
    return this.here.holds(userId)
  }

  localUsers(): string[] {
    return this.here.localUsers()
  }

  /** A write whose outcome is unknown when it fails: the next heartbeat puts our sockets back. */
  private async write<T>(command: Promise<T>): Promise<T> {
    try {
      return await command
    } catch (err) {
      this.dirty = true
      throw err
    }
  }

  private tick(): Promise<void> {
    this.ticking ??= this.beat()
      .catch((err: unknown) => this.options.log.warn({ err }, 'presence heartbeat failed'))
      .finally(() => (this.ticking = null))
    return this.ticking
  }

  private async beat(): Promise<void> {
    if (this.dirty) await this.resync()
    const [registered, ...lost] = await this.redis.presenceTick(this.processId, this.ttl)
    if (lost.length > 0) this.events?.offline(lost.map(offlineAfter))
    if (registered !== 1) await this.resync()
  }

  /** Makes Redis hold exactly the sockets of this process, and registers it. */
  private async resync(): Promise<void> {
    this.dirty = false
    const lost = await this.write(this.redis.presenceResync(this.processId, this.ttl, Date.now(), ...this.here.socketPairs().flat()))
    if (lost.length > 0) this.events?.offline(lost.map(offlineAfter))
    const users = this.localUsers()
    if (users.length > 0) this.events?.restored(users)
  }
}
