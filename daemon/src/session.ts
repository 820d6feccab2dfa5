import { subscribePresence, type CallInput, type CallOutput, type Message, type OperationName, type PresenceInfo } from '@ocomms/shared'
import { ClientEngine, type EngineEvent, type EngineState, type NewOutboxEntry, type OutboxEntry } from '@ocomms/shared/client'
import type { Logger } from 'pino'
import { io } from 'socket.io-client'
import { Attention } from './attention.js'
import { AttentionStore } from './attention-store.js'
import type { Cache } from './cache.js'
import type { StoredProfile } from './profiles.js'
import { SqliteStorage } from './sqlite-storage.js'

export { unreachable } from '@ocomms/shared/client'

export type DaemonEvent = EngineEvent

export interface SessionHooks {
  log: Logger
  publish(profile: string, event: DaemonEvent): void
  /** Whether a frontend of this profile shows desktop notifications itself. */
  showsNotifications(profile: string): boolean
  saveProfile(profile: string, stored: StoredProfile): void
}

/**
 * One signed-in profile: the shared client engine (connection, sync from cursors, reducer,
 * outbox) over this profile's SQLite cache, and the daemon's own attention logic (DND,
 * desktop notifications) beside it. Events are applied strictly in seq order per stream, and
 * only applied events are published to subscribers, so a frontend sees each event once and in order.
 */
export class ProfileSession {
  readonly engine: ClientEngine
  readonly attention: Attention

  constructor(
    readonly name: string,
    profile: StoredProfile,
    readonly cache: Cache,
    hooks: SessionHooks,
  ) {
    const log = hooks.log.child({ profile: name })
    this.engine = new ClientEngine({
      account: profile,
      storage: new SqliteStorage(cache),
      log,
      openSocket: (account) =>
        io(account.server, {
          transports: ['websocket'],
          auth: { token: account.token },
          autoConnect: false,
          // Reconnects are the engine's (exponential backoff with jitter, and a reason to show).
          reconnection: false,
          timeout: 5_000,
          forceNew: true,
        }),
      backoff: { baseMs: 250, maxMs: Number(process.env.OCOMMS_RECONNECT_MAX_MS ?? 5_000) },
      publish: (event) => {
        hooks.publish(name, event)
        // Someone joined the current workspace: follow their presence too, as a sync would.
        if (event.type === 'member.joined' && event.streamId === this.profile.workspaceId) void this.followWorkspacePresence().catch(() => {})
      },
      saveAccount: (account) => hooks.saveProfile(name, account),
      onUserEvent: (event) => this.attention.onEvent(event),
      afterSync: () => this.afterSync(),
    })
    this.attention = new Attention(new AttentionStore(cache.db), {
      log: hooks.log,
      profile: name,
      getDnd: () => this.call('dnd.get', {}),
      setDraft: (d) => this.call('draft.set', { conversationId: d.conversationId, text: d.text, ...(d.threadRootId ? { threadRootId: d.threadRootId } : {}) }),
      delegated: () => hooks.showsNotifications(name),
      decided: (notification) => hooks.publish(name, { type: 'daemon.notification', notification }),
    })
  }

  get profile(): StoredProfile {
    return this.engine.account
  }

  set profile(profile: StoredProfile) {
    this.engine.account = profile
  }

  get state(): EngineState {
    return this.engine.state
  }

  get userId(): string {
    return this.engine.userId
  }

  /** Connected and caught up: the cache is as current as the live stream. */
  get live(): boolean {
    return this.engine.live
  }

  start(): void {
    this.engine.start()
  }

  stop(): void {
    this.engine.stop()
    this.cache.close()
  }

  settle(): Promise<void> {
    return this.engine.settle()
  }

  call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    return this.engine.call(name, input)
  }

  http<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    return this.engine.http(name, input)
  }

  requestSync(): Promise<void> {
    return this.engine.requestSync()
  }

  snapshotWorkspace(workspaceId: string, lastSeq: number): Promise<void> {
    return this.engine.snapshotWorkspace(workspaceId, lastSeq)
  }

  send(entry: NewOutboxEntry): Promise<Message | null> {
    return this.engine.send(entry)
  }

  outbox(): { pending: OutboxEntry[]; failed: OutboxEntry[] } {
    return this.engine.outbox()
  }

  private async afterSync(): Promise<void> {
    await this.attention.afterSync()
    await this.followWorkspacePresence()
  }

  /** Presence signals of the people of the current workspace (for tail and frontends). */
  private async followWorkspacePresence(): Promise<void> {
    const ws = this.profile.workspaceId
    this.presenceOwn = ws ? this.cache.members(ws).map((m) => m.id).filter((id) => id !== this.userId) : []
    if (this.presenceOwn.length > 0 && this.engine.state === 'connected') await this.subscribePresence()
  }

  /** The people the daemon follows the presence of itself: the current workspace's. */
  private presenceOwn: string[] = []
  /** The people a frontend (a desktop window) last asked to follow. */
  private presenceAsked: string[] = []

  /**
   * The one socket's presence subscription is the union of what the daemon follows and what a
   * frontend asked for, the frontend's people first when the server's limit cuts it: a window
   * asking for the people it shows must not take the signals of everyone else away from `tail`
   * and the other frontends (the server replaces a socket's list at each call).
   */
  async subscribePresence(asked?: string[]): Promise<PresenceInfo[]> {
    if (asked) this.presenceAsked = asked
    const userIds = [...new Set([...this.presenceAsked, ...this.presenceOwn])].slice(0, subscribePresence.input.properties.userIds.maxItems)
    const infos = await this.call('presence.subscribe', { userIds })
    if (!asked) return infos
    const wanted = new Set(asked)
    return infos.filter((i) => wanted.has(i.userId))
  }
}
