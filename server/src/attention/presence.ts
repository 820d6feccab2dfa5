import { PRESENCE_EVENT, type Member, type PresenceInfo } from '@ocomms/shared'
import type { Sql, TxSql } from '../db/connect.js'
import { Batcher } from '../db/batcher.js'
import { rooms } from '../realtime/rooms.js'
import type { Services } from '../services.js'
import { pick, type Candidates, type PresenceRegistry, type PresenceState } from './presence-registry.js'
import { dndOf, loadOne, loadSettings, visibleStatus, type AttentionSettings } from './settings.js'

/** Activity is written at most this often per person and process (and never less often than a tenth of the idle time). */
const TOUCH_EVERY_MS = 30_000

/**
 * Presence: online / away / busy / offline, computed from open sockets, activity, the
 * person's chosen mode and DND. Changes are ephemeral `presence` signals (no seq) sent to
 * the room `presence:<userId>` (sockets that subscribed to that person) and to the person's
 * own sockets; rooms span every process. The rules, in order:
 *   no socket -> offline; mode away -> away; mode busy or DND on -> busy;
 *   no activity for the idle time -> away; otherwise online.
 *
 * The facts (sockets, activity, what was last signalled) live in the registry: in memory
 * for one process, in Redis when several share the load (presence-registry.ts). Settings
 * are read from the database when presence is computed, so a change saved through any
 * process counts everywhere at once.
 *
 * Idle: the process that records a person's activity (connect, `presence.activity`) arms a
 * timer for the moment they would turn idle. When it fires it reads the shared last-activity
 * time: activity recorded since (on any process) re-arms it; otherwise it settles them away.
 * So the timer is wherever the latest activity was, even on a process holding none of their
 * sockets; when several fire, the registry lets exactly one signal the change.
 */
export class PresenceService {
  private readonly idleTimers = new Map<string, NodeJS.Timeout>()
  /** When this process last wrote a person's activity, to throttle the writes. */
  private readonly touchedAt = new Map<string, number>()
  private stopped = false

  /** The settings of people connecting: read together when many connect at once (a reconnect storm). */
  private readonly connecting: Batcher<string, AttentionSettings>

  constructor(
    private readonly services: Services,
    readonly registry: PresenceRegistry,
  ) {
    this.connecting = new Batcher({
      together: async (userIds) => {
        const settings = await loadSettings(services.sql, userIds)
        return userIds.map((id) => settings.get(id)!)
      },
      lanes: 1,
      most: 64,
    })
  }

  private get idleMs(): number {
    return this.services.config.presenceIdleSeconds * 1000
  }

  /**
   * Activity closer together than this is not written: a person active this recently cannot
   * have turned idle, so nothing would change. Costs at most this much precision on when they
   * turn away.
   */
  private get touchEveryMs(): number {
    return Math.min(TOUCH_EVERY_MS, this.idleMs / 10)
  }

  async start(): Promise<void> {
    await this.registry.start({
      offline: (infos) => infos.forEach((i) => this.signal(i)),
      restored: (userIds) => void this.settleMany(userIds),
    })
  }

  /** The presence this person would have offline, connected and active, connected and idle. */
  candidates(userId: string, settings: AttentionSettings, now: number): Candidates {
    const dnd = dndOf(settings, now).active
    const status = visibleStatus(settings, now)
    const connected = (idle: boolean): PresenceInfo['presence'] =>
      settings.presenceMode === 'away' ? 'away' : settings.presenceMode === 'busy' || dnd ? 'busy' : idle ? 'away' : 'online'
    return {
      offline: { userId, presence: 'offline', status, dnd },
      active: { userId, presence: connected(false), status, dnd },
      idle: { userId, presence: connected(true), status, dnd },
    }
  }

  compute(userId: string, settings: AttentionSettings, state: PresenceState, now = Date.now()): PresenceInfo {
    return pick(this.candidates(userId, settings, now), state, now, this.idleMs)
  }

  /** Presence of these people now (one query, one registry read). */
  async infoFor(userIds: string[], sql: Sql | TxSql = this.services.sql): Promise<PresenceInfo[]> {
    const [settings, states] = await Promise.all([loadSettings(sql, userIds), this.registry.states(userIds)])
    const now = Date.now()
    return userIds.map((id, i) => this.compute(id, settings.get(id)!, states[i]!, now))
  }

  /** Fills in presence, custom status and the DND mark of members loaded from the database. */
  async decorate<M extends Member>(members: M[]): Promise<M[]> {
    const infos = await this.infoFor(members.map((m) => m.id))
    return members.map((m, i) => ({ ...m, presence: infos[i]!.presence, status: infos[i]!.status, dnd: infos[i]!.dnd }))
  }

  /** For @here: those of these people who are connected and not away. */
  async here(userIds: string[], sql?: Sql | TxSql): Promise<Set<string>> {
    const infos = await this.infoFor(userIds, sql)
    return new Set(infos.filter((i) => i.presence === 'online' || i.presence === 'busy').map((i) => i.userId))
  }

  async connected(userId: string, socketId: string): Promise<void> {
    if (this.stopped) return
    const now = Date.now()
    this.touchedAt.set(userId, now)
    const [, settings] = await Promise.all([this.registry.add(userId, socketId, now), this.connecting.run(userId)])
    this.armIdle(userId, now)
    // If the socket closed meanwhile, the registry knows, and this settles nothing or offline.
    await this.settle(userId, settings)
  }

  /** Updates this process's view at once (so `registry.holds` is current when this returns). */
  async disconnected(userId: string, socketId: string): Promise<void> {
    if (this.stopped) return
    const offline = await this.registry.remove(userId, socketId)
    if (!offline) return
    clearTimeout(this.idleTimers.get(userId))
    this.idleTimers.delete(userId)
    this.signal(offline)
  }

  /** The person did something on one of their devices. Never fails: presence is best effort. */
  async activity(userId: string): Promise<void> {
    try {
      await this.recordActivity(userId)
    } catch (err) {
      this.services.log.warn({ err }, 'presence activity not recorded')
    }
  }

  private async recordActivity(userId: string): Promise<void> {
    if (this.stopped) return
    const now = Date.now()
    const last = this.touchedAt.get(userId)
    if (last !== undefined && now - last < this.touchEveryMs) return
    this.touchedAt.set(userId, now)
    const previous = await this.registry.touch(userId, now)
    if (previous === null) return
    this.armIdle(userId, now)
    // Only someone idle until now changes: they are back.
    if (now - previous >= this.idleMs) await this.settle(userId)
  }

  /** Their settings changed (mode, status, DND): tell whoever looks. */
  async refresh(userId: string): Promise<void> {
    if (this.stopped) return
    await this.settle(userId, await loadOne(this.services.sql, userId), true)
  }

  /**
   * Re-evaluates the people connected to this process (DND schedules begin and end, statuses
   * expire). Someone connected to several processes is evaluated by each; only one signals.
   */
  async sweep(): Promise<void> {
    const now = Date.now()
    for (const [userId, at] of this.touchedAt) if (now - at >= this.touchEveryMs) this.touchedAt.delete(userId)
    await this.settleMany(this.registry.localUsers())
  }

  private async settleMany(userIds: string[]): Promise<void> {
    if (userIds.length === 0 || this.stopped) return
    try {
      const settings = await loadSettings(this.services.sql, userIds)
      await Promise.all(userIds.map((id) => this.settle(id, settings.get(id)!)))
    } catch (err) {
      this.services.log.warn({ err }, 'presence re-evaluation failed')
    }
  }

  /** Records and signals the person's presence now, when it changed (always when `force`). */
  private async settle(userId: string, settings?: AttentionSettings, force = false): Promise<void> {
    settings ??= await loadOne(this.services.sql, userId)
    const now = Date.now()
    const info = await this.registry.settle(userId, this.candidates(userId, settings, now), { now, idleMs: this.idleMs, force })
    if (info) this.signal(info)
  }

  private armIdle(userId: string, lastActive: number): void {
    clearTimeout(this.idleTimers.get(userId))
    const timer = setTimeout(() => void this.idleCheck(userId), Math.max(0, lastActive + this.idleMs - Date.now()) + 5)
    timer.unref()
    this.idleTimers.set(userId, timer)
  }

  private async idleCheck(userId: string): Promise<void> {
    this.idleTimers.delete(userId)
    if (this.stopped) return
    try {
      const [state] = await this.registry.states([userId])
      if (!state || state.sockets === 0) return
      if (state.lastActive !== null && Date.now() - state.lastActive < this.idleMs) return this.armIdle(userId, state.lastActive)
      await this.settle(userId)
    } catch (err) {
      this.services.log.warn({ err }, 'presence idle check failed')
    }
  }

  private signal(info: PresenceInfo): void {
    this.services.realtime.signal([rooms.presence(info.userId), rooms.user(info.userId)], PRESENCE_EVENT, info)
  }

  /** Withdraws this process's sockets (people connected only here are signalled offline). */
  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.idleTimers.values()) clearTimeout(timer)
    this.idleTimers.clear()
    for (const info of await this.registry.stop()) this.signal(info)
  }
}
