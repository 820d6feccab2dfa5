import {
  callHttp,
  callSocket,
  LIVE_EVENT,
  OCommsError,
  PRESENCE_EVENT,
  TYPING_EVENT,
  type PresenceInfo,
  type TypingSignal,
  type CallInput,
  type CallOutput,
  type Event,
  type Message,
  type OperationName,
  type ConnectionState,
  type EventNotification,
} from '@ocomms/shared'
import type { Static } from '@sinclair/typebox'
import type { Logger } from 'pino'
import { io, type Socket } from 'socket.io-client'
import { applyEvent } from './apply-event.js'
import { Attention } from './attention.js'
import { AttentionStore } from './attention-store.js'
import { Cache, type OutboxEntry } from './cache.js'
import type { StoredProfile } from './profiles.js'

export type DaemonEvent = Static<typeof EventNotification>['event']
type State = Static<typeof ConnectionState>

/** How long one operation over the socket may take before the server counts as unreachable. */
const ACK_TIMEOUT_MS = 15_000
/** How long a command waits for a connection that is being opened. */
const CONNECT_WAIT_MS = 4_000

/** Error codes after which a send is worth trying again later. */
const transient = new Set(['unavailable', 'internal', 'rate_limited'])
const MAX_ATTEMPTS = 20

export function unreachable(server: string): OCommsError {
  return new OCommsError('unavailable', `Cannot reach the server at ${server}.`)
}

export interface SessionHooks {
  log: Logger
  publish(profile: string, event: DaemonEvent): void
  /** Whether a frontend of this profile shows desktop notifications itself. */
  showsNotifications(profile: string): boolean
  saveProfile(profile: string, stored: StoredProfile): void
}

export type SendOutcome = { message: Message } | { error: OCommsError }

/**
 * One signed-in profile: its Socket.IO connection, its cache, its sync loop and its outbox.
 * Events are applied to the cache strictly in seq order per stream, and only applied events
 * are published to subscribers, so a frontend sees each event once and in order.
 */
export class ProfileSession {
  state: State = 'connecting'
  private socket: Socket | null = null
  private syncing: Promise<void> | null = null
  private syncAgain = false
  /** Caught up with the server since the last (re)connect. */
  private synced = false
  private flushing: Promise<void> | null = null
  private flushAgain = false
  private readonly outcomes = new Map<string, SendOutcome>()
  private readonly awaited = new Set<string>()
  private stateWaiters: Array<() => void> = []
  private closed = false
  readonly attention: Attention

  constructor(
    readonly name: string,
    public profile: StoredProfile,
    readonly cache: Cache,
    private readonly hooks: SessionHooks,
  ) {
    this.attention = new Attention(new AttentionStore(cache.db), {
      log: hooks.log,
      profile: name,
      getDnd: () => this.call('dnd.get', {}),
      setDraft: (d) => this.call('draft.set', { conversationId: d.conversationId, text: d.text, ...(d.threadRootId ? { threadRootId: d.threadRootId } : {}) }),
      delegated: () => hooks.showsNotifications(name),
      decided: (notification) => hooks.publish(name, { type: 'daemon.notification', notification }),
    })
  }

  get userId(): string {
    return this.profile.user.id
  }

  /** Connected and caught up: the cache is as current as the live stream. */
  get live(): boolean {
    return this.state === 'connected' && this.synced && this.syncing === null
  }

  start(): void {
    const socket = io(this.profile.server, {
      transports: ['websocket'],
      auth: { token: this.profile.token },
      reconnection: true,
      reconnectionDelay: 250,
      reconnectionDelayMax: Number(process.env.OCOMMS_RECONNECT_MAX_MS ?? 5_000),
      randomizationFactor: 0.5,
      timeout: 5_000,
      forceNew: true,
    })
    this.socket = socket
    socket.on('connect', () => {
      this.hooks.log.info({ profile: this.name }, 'connected')
      this.synced = false
      this.setState('connected')
      void this.requestSync()
    })
    socket.on('disconnect', (reason) => {
      this.hooks.log.info({ profile: this.name, reason }, 'disconnected')
      this.synced = false
      if (this.closed) return
      this.setState('offline')
      // The server closed this socket on purpose (logout elsewhere, deactivation): find out
      // whether the session still holds before trying again.
      if (reason === 'io server disconnect') void this.checkSessionThenReconnect()
    })
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (this.closed) return
      if (err.data?.code === 'unauthenticated') {
        this.hooks.log.warn({ profile: this.name }, 'session no longer valid')
        this.setState('signed_out')
        socket.disconnect()
        return
      }
      this.setState('offline')
      // A refusal from the server's middleware stops socket.io's own retries; keep trying.
      if (!socket.active) setTimeout(() => !this.closed && socket.connect(), 2_000 + Math.random() * 2_000).unref()
    })
    socket.on(LIVE_EVENT, (event: Event) => this.onLive(event))
    // Ephemeral signals: passed on to subscribers as they come, never cached.
    socket.on(TYPING_EVENT, (signal: TypingSignal) => this.hooks.publish(this.name, { type: 'typing', ...signal }))
    socket.on(PRESENCE_EVENT, (info: PresenceInfo) => this.hooks.publish(this.name, { type: 'presence', ...info }))
  }

  stop(): void {
    this.closed = true
    this.socket?.removeAllListeners()
    this.socket?.disconnect()
    this.socket = null
    this.cache.close()
  }

  private setState(state: State): void {
    if (this.state === state) return
    this.state = state
    this.hooks.publish(this.name, { type: 'daemon.connection', connection: state })
    const waiters = this.stateWaiters
    this.stateWaiters = []
    for (const w of waiters) w()
  }

  /** Waits a little for a connection that is being opened (a command run right after start). */
  async settle(): Promise<void> {
    if (this.state !== 'connecting') return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS)
      this.stateWaiters.push(() => (clearTimeout(timer), resolve()))
    })
  }

  private async checkSessionThenReconnect(): Promise<void> {
    try {
      await this.http('auth.me', {})
    } catch (err) {
      if (err instanceof OCommsError && err.code === 'unauthenticated') {
        this.setState('signed_out')
        return
      }
    }
    setTimeout(() => !this.closed && this.socket?.connect(), 500 + Math.random() * 1_000).unref()
  }

  // calling the server

  /** Over the live socket when connected, else over HTTP. */
  async call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    await this.settle()
    const socket = this.socket
    if (socket?.connected) {
      try {
        return await callSocket(socket.timeout(ACK_TIMEOUT_MS), name, input)
      } catch (err) {
        if (err instanceof OCommsError) throw this.noticeAuth(err)
        // No answer in time: the request may have run, so it is not repeated over HTTP.
        throw unreachable(this.profile.server)
      }
    }
    return this.http(name, input)
  }

  async http<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    try {
      return await callHttp(this.profile.server, name, input, { token: this.profile.token })
    } catch (err) {
      if (err instanceof OCommsError) throw this.noticeAuth(err)
      throw unreachable(this.profile.server)
    }
  }

  private noticeAuth(err: OCommsError): OCommsError {
    if (err.code === 'unauthenticated') {
      this.setState('signed_out')
      return new OCommsError('unauthenticated', `${err.message} Sign in again: ocomms login.`)
    }
    return err
  }

  // live events and sync

  private onLive(event: Event): void {
    const result = this.offer(event)
    if (result === 'gap' || result === 'unknown') void this.requestSync()
  }

  private offer(event: Event): ReturnType<typeof applyEvent> {
    const result = applyEvent(this.cache, event, this.userId)
    if (result === 'applied') {
      if (event.stream === 'user') this.attention.onEvent(event)
      this.hooks.publish(this.name, event)
      if (event.type === 'session.revoked') this.setState('signed_out')
    }
    return result
  }

  /** Runs the sync loop now, or once more after the running one. */
  requestSync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true
      return this.syncing
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false
          await this.syncOnce()
        } while (this.syncAgain && !this.closed)
        this.synced = this.socket?.connected ?? false
      } catch (err) {
        this.hooks.log.warn({ profile: this.name, err }, 'sync failed')
        // Unreachable: the next connect syncs. Anything else: try again shortly.
        if (!(err instanceof OCommsError && (err.code === 'unavailable' || err.code === 'unauthenticated'))) {
          setTimeout(() => !this.closed && void this.requestSync(), 2_000).unref()
        }
      } finally {
        this.syncing = null
      }
      if (this.synced) {
        void this.flushOutbox()
        void this.afterSync()
      }
    })()
    return this.syncing
  }

  private async afterSync(): Promise<void> {
    try {
      await this.attention.afterSync()
      // Presence signals of the people of the current workspace (for tail and frontends).
      const ws = this.profile.workspaceId
      const ids = ws ? this.cache.members(ws).map((m) => m.id).filter((id) => id !== this.userId).slice(0, 1000) : []
      if (ids.length > 0 && this.socket?.connected) await this.call('presence.subscribe', { userIds: ids })
    } catch (err) {
      this.hooks.log.warn({ profile: this.name, err }, 'attention refresh failed')
    }
  }

  /** Loads what the account can see now; run once per profile, and again when a stream resets. */
  async snapshot(): Promise<void> {
    const me = await this.call('auth.me', {})
    this.profile = { ...this.profile, user: me.user, workspaces: me.workspaces }
    if (this.profile.workspaceId && !me.workspaces.some((w) => w.id === this.profile.workspaceId)) {
      this.profile.workspaceId = me.workspaces[0]?.id ?? null
    }
    this.hooks.saveProfile(this.name, this.profile)
    for (const ws of me.workspaces) await this.snapshotWorkspace(ws.id, ws.lastSeq)
    this.cache.setStreamCursor('snapshot', me.user.id, 1)
  }

  async snapshotWorkspace(workspaceId: string, lastSeq: number): Promise<void> {
    const [conversations, members] = await Promise.all([
      this.call('conversation.list', { workspaceId, all: true }),
      this.call('member.list', { workspaceId }),
    ])
    this.cache.transaction(() => {
      for (const c of conversations) {
        const known = this.cache.conversation(c.id)
        if (known && known.conversation.isMember === c.isMember) this.cache.putConversation({ ...c, lastSeq: known.conversation.lastSeq })
        else this.cache.putConversation(c, c.lastSeq)
      }
      for (const m of members) this.cache.putMember(workspaceId, m)
      if (this.cache.cursor('workspace', workspaceId) === null) this.cache.setStreamCursor('workspace', workspaceId, lastSeq)
    })
  }

  private async syncOnce(): Promise<void> {
    if (this.cache.cursor('snapshot', this.userId) === null) await this.snapshot()
    for (;;) {
      const userCursor = this.cache.cursor('user', this.userId)
      const workspaces = Object.fromEntries(
        this.profile.workspaces.map((w) => [w.id, this.cache.cursor('workspace', w.id) ?? w.lastSeq]),
      )
      const res = await this.call('sync', {
        conversations: this.cache.memberCursors(),
        ...(userCursor === null ? {} : { user: userCursor }),
        workspaces,
      })
      let more = false
      for (const page of res.conversations) {
        if (page.reset) {
          const c = await this.call('conversation.get', { conversationId: page.streamId })
          this.cache.resetConversation(c)
          continue
        }
        for (const e of page.events) this.offer(e)
        more ||= page.hasMore
      }
      if (res.user.reset || userCursor === null) {
        this.cache.setStreamCursor('user', this.userId, res.user.lastSeq)
        if (res.user.reset) await this.snapshot()
      } else {
        for (const e of res.user.events) this.offer(e)
        more ||= res.user.hasMore
      }
      for (const page of res.workspaces) {
        if (page.reset) {
          this.cache.removeStreamCursor('workspace', page.streamId)
          await this.snapshotWorkspace(page.streamId, page.lastSeq)
          continue
        }
        for (const e of page.events) this.offer(e)
        more ||= page.hasMore
      }
      for (const id of res.gone) {
        if (this.profile.workspaces.some((w) => w.id === id)) {
          this.profile.workspaces = this.profile.workspaces.filter((w) => w.id !== id)
          if (this.profile.workspaceId === id) this.profile.workspaceId = this.profile.workspaces[0]?.id ?? null
          this.cache.removeStreamCursor('workspace', id)
          this.hooks.saveProfile(this.name, this.profile)
        } else {
          this.cache.removeConversation(id)
        }
      }
      // Conversations we are in but do not follow yet (added while this daemon was away).
      for (const id of Object.keys(res.heads)) {
        if (this.cache.conversation(id)?.conversation.isMember) continue
        const c = await this.call('conversation.get', { conversationId: id })
        this.cache.putConversation(c, c.lastSeq)
      }
      if (!more) return
    }
  }

  // outbox

  /**
   * Sends through the outbox: stored first, then delivered in order with everything queued
   * before it. Returns the message, or null when it stays queued for the next connection.
   */
  async send(entry: Omit<OutboxEntry, 'attempts' | 'createdAt'>): Promise<Message | null> {
    this.cache.enqueue(entry)
    await this.settle()
    if (!this.socket?.connected) return null
    this.awaited.add(entry.clientId)
    try {
      await this.flushOutbox()
      // A flush already running when this entry was queued may have stopped before it.
      if (this.cache.outboxEntry(entry.clientId) && this.socket?.connected) await this.flushOutbox()
    } finally {
      this.awaited.delete(entry.clientId)
    }
    const outcome = this.outcomes.get(entry.clientId)
    this.outcomes.delete(entry.clientId)
    if (!outcome) return null
    if ('error' in outcome) throw outcome.error
    return outcome.message
  }

  flushOutbox(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true
      return this.flushing
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false
          await this.flushOnce()
        } while (this.flushAgain)
      } finally {
        this.flushing = null
      }
    })()
    return this.flushing
  }

  private async flushOnce(): Promise<void> {
    for (const entry of this.cache.outbox()) {
      const socket = this.socket
      if (!socket?.connected || this.closed) return
      this.cache.bumpAttempts(entry.clientId)
      let message: Message
      try {
        message = await callSocket(socket.timeout(ACK_TIMEOUT_MS), 'message.send', {
          conversationId: entry.conversationId,
          text: entry.text,
          clientId: entry.clientId,
          ...(entry.threadRootId ? { threadRootId: entry.threadRootId } : {}),
          ...(entry.alsoToChannel ? { alsoToChannel: true } : {}),
        })
      } catch (err) {
        const e = err instanceof OCommsError ? err : null
        if (e && (!transient.has(e.code) || entry.attempts + 1 >= MAX_ATTEMPTS)) {
          // Refused for good (no access, archived, too long...): it will never go through.
          if (this.cache.dequeue(entry.clientId)) {
            this.record(entry.clientId, { error: e })
            if (!this.awaited.has(entry.clientId)) this.hooks.publish(this.name, { type: 'daemon.outbox.failed', clientId: entry.clientId, error: { code: e.code, message: e.message } })
          }
          continue
        }
        // Unreachable or timed out: stop here so the order holds; the next connect retries.
        return
      }
      this.cache.putMessage(message)
      if (this.cache.dequeue(entry.clientId)) {
        this.record(entry.clientId, { message })
        this.hooks.log.info({ profile: this.name, clientId: entry.clientId, attempts: entry.attempts + 1 }, 'outbox delivered')
        // A send whose caller is waiting gets its answer; only queued ones are announced.
        if (!this.awaited.has(entry.clientId)) this.hooks.publish(this.name, { type: 'daemon.outbox.delivered', clientId: entry.clientId, message })
      }
    }
  }

  private record(clientId: string, outcome: SendOutcome): void {
    if (this.awaited.has(clientId)) this.outcomes.set(clientId, outcome)
  }
}
