import type { PresenceInfo } from '@ocomms/shared'

/**
 * Which people have sockets open, and when each was last active: the facts presence is
 * computed from (online while any socket is connected and the person was active within the
 * idle time), plus the presence last signalled for each person, so that only changes go out
 * even when several processes compute them.
 *
 * Two implementations behind this one interface:
 * - memory-presence-registry.ts, for a single process (no REDIS_URL): plain maps.
 * - redis-presence-registry.ts, with REDIS_URL: the same facts in Redis, shared by every
 *   process, so a person connected only to process A shows online to someone on process B,
 *   `@here` on B reaches them, and closing their socket on A while still connected to B
 *   changes nothing. Per person: a hash of their sockets (socket id -> process id), their
 *   last-activity time and the presence last signalled. Per process: the hash of its sockets
 *   (so they can be removed without scanning) and a heartbeat key with a TTL. Every process
 *   renews its heartbeat and, in the same script, removes the sockets of processes whose
 *   heartbeat expired (crashed, killed, cut off); the people left without a socket are
 *   signalled offline by the process that swept them. A process that finds it was swept (a
 *   long pause, Redis restarted) or that failed to write puts its own sockets back. Every
 *   change is one Lua script, atomic, and one round trip. Details and key names are in
 *   redis-presence-registry.ts and docs/scaling.md.
 *
 * The caller (presence.ts) passes, for a settle, the presence the person would have in each
 * state (offline, connected and active, connected and idle), computed from their settings.
 * The registry picks the one that matches its facts at that instant and records it, so a
 * socket closing on A and another opening on B at the same moment cannot leave the wrong
 * presence signalled.
 */
export interface PresenceRegistry {
  /** Registers this process; `events` receives what happens without this process asking. */
  start(events: RegistryEvents): Promise<void>
  /**
   * This process is shutting down: withdraws its sockets. Resolves with the offline signals
   * to send for the people who were connected only here.
   */
  stop(): Promise<PresenceInfo[]>
  /**
   * Records a socket of this process; connecting counts as activity. This process's view
   * (`holds`, `localUsers`) changes at once, before the promise settles.
   */
  add(userId: string, socketId: string, now: number): Promise<void>
  /**
   * Forgets a socket of this process (its view changes at once). Resolves with the offline
   * signal to send when it was the person's last socket anywhere and they had been signalled
   * as present; otherwise null.
   */
  remove(userId: string, socketId: string): Promise<PresenceInfo | null>
  /** Records activity. Resolves with the previous activity time, or null when not connected anywhere. */
  touch(userId: string, now: number): Promise<number | null>
  /**
   * Picks the candidate matching the person's state now, records it as signalled and resolves
   * with it when it differs from what was signalled before (always when `force`), else null.
   */
  settle(userId: string, candidates: Candidates, options: SettleOptions): Promise<PresenceInfo | null>
  /** Sockets (on every process) and last activity of each person, in the order asked. */
  states(userIds: string[]): Promise<PresenceState[]>
  /** Whether this process holds a socket of the person. */
  holds(userId: string): boolean
  /** People with a socket on this process. */
  localUsers(): string[]
}

export interface RegistryEvents {
  /** People who went offline because another process died; signal these. */
  offline(infos: PresenceInfo[]): void
  /** This process's sockets were registered again after being lost; settle these people. */
  restored(userIds: string[]): void
}

export interface PresenceState {
  /** Open sockets, on every process. */
  sockets: number
  lastActive: number | null
}

/** The presence a person would have in each state, from their settings at one instant. */
export interface Candidates {
  offline: PresenceInfo
  active: PresenceInfo
  idle: PresenceInfo
}

export interface SettleOptions {
  now: number
  idleMs: number
  /** Signal even when nothing seems to have changed (their settings were just saved). */
  force?: boolean
}

/** The candidate matching a person's state: offline without a socket, else active or idle by their last activity. */
export function pick(c: Candidates, state: PresenceState, now: number, idleMs: number): PresenceInfo {
  if (state.sockets === 0) return c.offline
  return state.lastActive !== null && now - state.lastActive < idleMs ? c.active : c.idle
}

/** The offline signal that follows the presence last signalled (its status and DND mark stay). */
export function offlineAfter(lastSent: string): PresenceInfo {
  return { ...(JSON.parse(lastSent) as PresenceInfo), presence: 'offline' }
}
