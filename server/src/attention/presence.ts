import { PRESENCE_EVENT, type Member, type PresenceInfo } from '@ocomms/shared'
import { rooms } from '../realtime/rooms.js'
import type { Services } from '../services.js'
import { PresenceRegistry } from './presence-registry.js'
import { defaultSettings, dndOf, loadOne, loadSettings, visibleStatus, type AttentionSettings } from './settings.js'

/**
 * Presence: online / away / busy / offline, computed from open sockets, activity, the
 * person's chosen mode and DND. Changes are ephemeral `presence` signals (no seq) sent to
 * the room `presence:<userId>` (sockets that subscribed to that person) and to the person's
 * own sockets. The rules, in order:
 *   no socket -> offline; mode away -> away; mode busy or DND on -> busy;
 *   no activity for the idle time -> away; otherwise online.
 */
export class PresenceService {
  readonly registry = new PresenceRegistry()
  /** Settings of connected people, so computing presence needs no query. */
  private readonly cache = new Map<string, AttentionSettings>()
  private readonly idleTimers = new Map<string, NodeJS.Timeout>()
  /** The last state signalled per person, so only changes go out. */
  private readonly lastSent = new Map<string, string>()

  constructor(private readonly services: Services) {}

  private get idleMs(): number {
    return this.services.config.presenceIdleSeconds * 1000
  }

  compute(userId: string, settings: AttentionSettings, now = Date.now()): PresenceInfo {
    const dnd = dndOf(settings, now).active
    const status = visibleStatus(settings, now)
    let presence: PresenceInfo['presence']
    const lastActive = this.registry.lastActive(userId)
    if (!this.registry.connected(userId)) presence = 'offline'
    else if (settings.presenceMode === 'away') presence = 'away'
    else if (settings.presenceMode === 'busy' || dnd) presence = 'busy'
    else if (lastActive === null || now - lastActive >= this.idleMs) presence = 'away'
    else presence = 'online'
    return { userId, presence, status, dnd }
  }

  /** Presence of these people now (one query). */
  async infoFor(userIds: string[]): Promise<PresenceInfo[]> {
    const settings = await loadSettings(this.services.sql, userIds)
    const now = Date.now()
    return userIds.map((id) => this.compute(id, settings.get(id)!, now))
  }

  /** Fills in presence, custom status and the DND mark of members loaded from the database. */
  async decorate<M extends Member>(members: M[]): Promise<M[]> {
    const infos = await this.infoFor(members.map((m) => m.id))
    return members.map((m, i) => ({ ...m, presence: infos[i]!.presence, status: infos[i]!.status, dnd: infos[i]!.dnd }))
  }

  /** For @here: connected and not away. */
  isHere(userId: string): boolean {
    const settings = this.cache.get(userId)
    if (!settings || !this.registry.connected(userId)) return false
    const p = this.compute(userId, settings).presence
    return p === 'online' || p === 'busy'
  }

  async connected(userId: string, socketId: string): Promise<void> {
    this.registry.add(userId, socketId)
    this.cache.set(userId, await loadOne(this.services.sql, userId))
    // The socket may have gone while the settings loaded.
    if (!this.registry.connected(userId)) {
      this.cache.delete(userId)
      return
    }
    this.armIdle(userId)
    this.announce(userId)
  }

  disconnected(userId: string, socketId: string): void {
    if (!this.registry.remove(userId, socketId)) return
    clearTimeout(this.idleTimers.get(userId))
    this.idleTimers.delete(userId)
    const settings = this.cache.get(userId)
    this.cache.delete(userId)
    this.announce(userId, settings)
    this.lastSent.delete(userId)
  }

  /** The person did something on one of their devices. */
  activity(userId: string): void {
    if (!this.registry.connected(userId)) return
    this.registry.touch(userId)
    this.armIdle(userId)
    this.announce(userId)
  }

  /** Their settings changed (mode, status, DND): reload and tell whoever looks. */
  async refresh(userId: string): Promise<void> {
    const settings = await loadOne(this.services.sql, userId)
    if (this.registry.connected(userId)) this.cache.set(userId, settings)
    this.announce(userId, settings, true)
  }

  /** Re-evaluates connected people (DND schedules begin and end, statuses expire). */
  sweep(): void {
    for (const userId of this.registry.connectedUsers()) this.announce(userId)
  }

  private armIdle(userId: string): void {
    clearTimeout(this.idleTimers.get(userId))
    const timer = setTimeout(() => this.announce(userId), this.idleMs + 5)
    timer.unref()
    this.idleTimers.set(userId, timer)
  }

  /** Sends the person's presence to subscribers and their own sockets, when it changed. */
  private announce(userId: string, settings = this.cache.get(userId), force = false): void {
    const info = this.compute(userId, settings ?? defaultSettings(userId))
    const key = JSON.stringify(info)
    if (!force && this.lastSent.get(userId) === key) return
    if (this.registry.connected(userId)) this.lastSent.set(userId, key)
    this.services.realtime.signal([rooms.presence(userId), rooms.user(userId)], PRESENCE_EVENT, info)
  }

  stop(): void {
    for (const timer of this.idleTimers.values()) clearTimeout(timer)
    this.idleTimers.clear()
  }
}
