import type { Static } from '@sinclair/typebox'
import { PRESENCE_EVENT, TYPING_EVENT, type PresenceInfo, type TypingSignal } from '../attention/schemas.js'
import { callHttp, callSocket, type AckSocket, type CallInput, type CallOutput } from '../client.js'
import type { ConnectionState, EventNotification } from '../daemon/methods.js'
import { LIVE_EVENT, type Event, type StreamKind } from '../events/envelope.js'
import { OCommsError } from '../errors.js'
import type { OperationName } from '../operations/index.js'
import type { Conversation, Message, User, Workspace } from '../schemas.js'
import { batchChanges, type Offered } from './reducer.js'
import { ACCOUNT_KEY, ChangeSet, memberKey, streamKey, threadKey, type Changes } from './state.js'
import type { ClientStorage, NewOutboxEntry, OutboxEntry } from './storage.js'

/**
 * The client engine: one connection to the server, sync from cursors, live events through the
 * reducer into storage, and the outbox. It knows neither SQLite nor Node: the daemon runs it
 * over SQLite with a socket.io-client socket, a browser over memory or IndexedDB.
 */

export type EngineState = Static<typeof ConnectionState>
export type EngineEvent = Static<typeof EventNotification>['event']

/** The part of a socket.io-client `Socket` the engine uses. */
export interface EngineSocket extends AckSocket {
  readonly connected: boolean
  on(event: string, listener: (...args: never[]) => void): unknown
  removeAllListeners(): unknown
  connect(): unknown
  disconnect(): unknown
  timeout(ms: number): AckSocket
}

export interface EngineAccount {
  server: string
  token: string
  user: User
  workspaces: Workspace[]
  workspaceId: string | null
}

export interface EngineLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface EngineOptions {
  account: EngineAccount
  storage: ClientStorage
  /** Opens the socket (not yet connected: the engine connects it and reconnects it with backoff). */
  openSocket(account: EngineAccount): EngineSocket
  log: EngineLog
  /** An applied event, a local event (connection, outbox), or an ephemeral signal, for subscribers. */
  publish(event: EngineEvent): void
  /** The account's workspaces changed (after a snapshot). */
  saveAccount?(account: EngineAccount): void
  /** An event of my user stream was applied (the daemon's notification logic listens). */
  onUserEvent?(event: Event): void
  /** Caught up after a (re)connect. */
  afterSync?(): Promise<void> | void
  fetch?: typeof fetch
  /** Reconnect backoff: first delay and cap, in ms (exponential, with ±50 % jitter). */
  backoff?: { baseMs: number; maxMs: number }
  ackTimeoutMs?: number
  /**
   * When the live events received so far are applied, as one batch: one reducer step, one
   * storage write, one change for subscribers. By default at the next macrotask (what the
   * socket delivered together); a page passes the next animation frame, so that events that
   * come faster than it draws make one update per frame.
   */
  scheduleLive?: (apply: () => void) => void
}

const nextTask = (apply: () => void) => {
  const timer = setTimeout(apply, 0)
  ;(timer as { unref?: () => void }).unref?.()
}

/** How long a command waits for a connection that is being opened. */
const CONNECT_WAIT_MS = 4_000
/** Error codes after which a send is worth trying again later. */
const transient = new Set(['unavailable', 'internal', 'rate_limited'])
/** A send that failed this often for transient reasons is set aside rather than tried forever. */
export const MAX_SEND_ATTEMPTS = 20

export function unreachable(server: string): OCommsError {
  return new OCommsError('unavailable', `Cannot reach the server at ${server}.`)
}

export type SendOutcome = { message: Message } | { error: OCommsError }

export class ClientEngine {
  state: EngineState = 'connecting'
  /** Why the engine is not connected (or was last disconnected); null while all is well. */
  reason: string | null = null
  /** When the next reconnect attempt is due (ms since epoch), if one is scheduled. */
  retryAt: number | null = null
  account: EngineAccount
  readonly storage: ClientStorage
  private socket: EngineSocket | null = null
  private syncing: Promise<void> | null = null
  private syncAgain = false
  private synced = false
  private flushing: Promise<void> | null = null
  private flushAgain = false
  private readonly outcomes = new Map<string, SendOutcome>()
  private readonly awaited = new Set<string>()
  private stateWaiters: Array<() => void> = []
  private closed = false
  private attempt = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private readonly unknownTypesLogged = new Set<string>()
  /** The conversation cursors the current sync round asked about. */
  private lastAsked: Record<string, number> = {}
  /** Live events received and not yet applied (nothing of them is stored: a stop or crash re-syncs them). */
  private liveQueue: Event[] = []

  constructor(private readonly opts: EngineOptions) {
    this.account = opts.account
    this.storage = opts.storage
  }

  get userId(): string {
    return this.account.user.id
  }

  /** Connected and caught up: the stored state is as current as the live stream. */
  get live(): boolean {
    return this.state === 'connected' && this.synced && this.syncing === null
  }

  start(): void {
    const socket = this.opts.openSocket(this.account)
    this.socket = socket
    socket.on('connect', () => {
      this.opts.log.info({}, 'connected')
      this.synced = false
      this.reason = null
      this.retryAt = null
      this.setState('connected')
      void this.requestSync()
    })
    socket.on('disconnect', (why: string) => {
      this.opts.log.info({ reason: why }, 'disconnected')
      this.synced = false
      if (this.closed) return
      this.reason = `disconnected: ${why}`
      this.setState('offline')
      // The server closed this socket on purpose (logout elsewhere, deactivation): find out
      // whether the session still holds before trying again.
      if (why === 'io server disconnect') void this.checkSessionThenReconnect()
      else if (why !== 'io client disconnect') this.scheduleReconnect()
    })
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (this.closed) return
      if (err.data?.code === 'unauthenticated') {
        this.opts.log.warn({}, 'session no longer valid')
        this.reason = 'the session is no longer valid'
        this.setState('signed_out')
        socket.disconnect()
        return
      }
      this.reason = `cannot connect: ${err.message}`
      this.setState('offline')
      this.scheduleReconnect()
    })
    socket.on(LIVE_EVENT, (event: Event) => this.onLive(event))
    // Ephemeral signals: passed on to subscribers as they come, never stored.
    socket.on(TYPING_EVENT, (signal: TypingSignal) => this.opts.publish({ type: 'typing', ...signal }))
    socket.on(PRESENCE_EVENT, (info: PresenceInfo) => this.opts.publish({ type: 'presence', ...info }))
    socket.connect()
  }

  stop(): void {
    this.closed = true
    this.liveQueue = []
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.socket?.removeAllListeners()
    this.socket?.disconnect()
    this.socket = null
  }

  /**
   * Reconnects after a growing delay: base × 2^attempt up to the cap, ±50 % jitter, so many
   * clients of a restarted server do not come back at once and a refusing server is not
   * hammered. The count starts again once a connection has synced.
   */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 250, maxMs: 5_000 }
    const delay = Math.round(Math.min(maxMs, baseMs * 2 ** this.attempt) * (0.5 + Math.random()))
    this.attempt++
    this.retryAt = Date.now() + delay
    const timer = setTimeout(() => {
      this.reconnectTimer = null
      this.retryAt = null
      if (!this.closed && this.socket && !this.socket.connected && this.state !== 'signed_out') this.socket.connect()
    }, delay)
    ;(timer as { unref?: () => void }).unref?.()
    this.reconnectTimer = timer
  }

  private setState(state: EngineState): void {
    if (this.state === state) return
    this.state = state
    this.opts.publish({ type: 'daemon.connection', connection: state })
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
        this.reason = 'the session is no longer valid'
        this.setState('signed_out')
        return
      }
    }
    this.scheduleReconnect()
  }

  // calling the server

  /** Over the live socket when connected, else over HTTP. */
  async call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    await this.settle()
    const socket = this.socket
    if (socket?.connected) {
      try {
        return await callSocket(socket.timeout(this.opts.ackTimeoutMs ?? 15_000), name, input)
      } catch (err) {
        if (err instanceof OCommsError) throw this.noticeAuth(err)
        // No answer in time: the request may have run, so it is not repeated over HTTP.
        throw unreachable(this.account.server)
      }
    }
    return this.http(name, input)
  }

  async http<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    try {
      return await callHttp(this.account.server, name, input, { token: this.account.token, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) })
    } catch (err) {
      if (err instanceof OCommsError) throw this.noticeAuth(err)
      throw unreachable(this.account.server)
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
    this.liveQueue.push(event)
    if (this.liveQueue.length === 1) (this.opts.scheduleLive ?? nextTask)(() => this.applyLive())
  }

  private applyLive(): void {
    const events = this.liveQueue
    this.liveQueue = []
    if (this.closed || events.length === 0) return
    if (this.offerAll(events).some((result) => result !== 'applied' && result !== 'old')) void this.requestSync()
  }

  /** Applies one event through the reducer into storage; publishes it when applied. */
  offer(event: Event): Offered {
    return this.offerAll([event])[0]!
  }

  /**
   * Applies events in order through the reducer, stored in one write (their cursors with
   * them, so none moves ahead of what is stored), then publishes those applied, in order.
   * With `untilUnknown`, stops after an event of a type this client cannot read: the results
   * end there.
   */
  offerAll(events: readonly Event[], untilUnknown = false): Offered[] {
    const { results, changes } = batchChanges(this.storage, events, { me: this.userId }, untilUnknown ? (r) => r === 'unknown-type' : undefined)
    const applied: Event[] = []
    results.forEach((result, i) => {
      const event = events[i]!
      if (result === 'applied') applied.push(event)
      else if (result === 'unknown-type') this.unknownType(event)
    })
    if (applied.length === 0) return results
    this.storage.apply(changes)
    for (const event of applied) {
      if (event.stream === 'user') this.opts.onUserEvent?.(event)
      this.opts.publish(event as EngineEvent)
      if (event.type === 'session.revoked') this.setState('signed_out')
      // A conversation followed from now on: what happened in it since the event that added me
      // may have gone by before this client was in its room.
      if (event.type === 'conversation.added') void this.requestSync()
    }
    return results
  }

  /**
   * A newer server: never silently dropped. Logged once per type; its stream is rebuilt from a
   * fresh read at the next sync, which moves its cursor past it.
   */
  private unknownType(event: Event): void {
    if (!this.unknownTypesLogged.has(event.type)) {
      this.unknownTypesLogged.add(event.type)
      this.opts.log.warn({ type: event.type, stream: event.stream, streamId: event.streamId }, 'unknown event type: resyncing its stream')
    }
    this.staleStreams.set(streamKey(event.stream, event.streamId), { stream: event.stream, streamId: event.streamId, seq: event.seq })
  }

  /** Streams holding an event this client cannot interpret: rebuilt from the server at the next sync. */
  private readonly staleStreams = new Map<string, { stream: StreamKind; streamId: string; seq: number }>()

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
        if (this.synced) this.attempt = 0
      } catch (err) {
        this.opts.log.warn({ err }, 'sync failed')
        // Unreachable: the next connect syncs. Anything else: try again shortly.
        if (!(err instanceof OCommsError && (err.code === 'unavailable' || err.code === 'unauthenticated'))) {
          const t = setTimeout(() => !this.closed && void this.requestSync(), 2_000)
          ;(t as { unref?: () => void }).unref?.()
        }
      } finally {
        this.syncing = null
      }
      // Stopped meanwhile: its storage may be closed already.
      if (this.synced && !this.closed) {
        void this.flushOutbox()
        void this.runAfterSync()
      }
    })()
    return this.syncing
  }

  private async runAfterSync(): Promise<void> {
    try {
      await this.opts.afterSync?.()
    } catch (err) {
      this.opts.log.warn({ err }, 'after-sync step failed')
    }
  }

  /** Applies changes built by hand (snapshots), in one step. */
  private write(build: (tx: ChangeSet) => void): Changes {
    const tx = new ChangeSet(this.storage)
    build(tx)
    this.storage.apply(tx.changes)
    return tx.changes
  }

  /** Loads what the account can see now; run once per account, and again when its user stream resets. */
  async snapshot(): Promise<void> {
    const me = await this.call('auth.me', {})
    const account = { ...this.account, user: me.user, workspaces: me.workspaces }
    if (account.workspaceId && !me.workspaces.some((w) => w.id === account.workspaceId)) account.workspaceId = me.workspaces[0]?.id ?? null
    this.account = account
    this.opts.saveAccount?.(account)
    for (const ws of me.workspaces) await this.snapshotWorkspace(ws.id, ws.lastSeq)
    const [keywords, dnd] = await Promise.all([this.call('keywords.get', {}), this.call('dnd.get', {})])
    this.write((tx) => {
      const account = tx.get('account', ACCOUNT_KEY) ?? { dnd: null, status: null, presenceMode: null, keywords: null }
      tx.put('account', ACCOUNT_KEY, { ...account, keywords: keywords.keywords, dnd })
      tx.put('cursors', streamKey('snapshot', me.user.id), 1)
    })
  }

  async snapshotWorkspace(workspaceId: string, lastSeq: number, resetCursor = false): Promise<void> {
    const [conversations, members, mentionPolicy, drafts, prefs, saved] = await Promise.all([
      this.call('conversation.list', { workspaceId, all: true }),
      this.call('member.list', { workspaceId }),
      this.call('mentionPolicy.get', { workspaceId }),
      this.call('draft.list', { workspaceId }),
      this.call('notify.list', { workspaceId }),
      this.call('saved.list', { workspaceId }),
    ])
    this.write((tx) => {
      tx.put('workspaces', workspaceId, { workspaceId, mentionPolicy })
      for (const d of drafts) tx.put('drafts', threadKey(d.conversationId, d.threadRootId), d)
      for (const p of prefs) tx.put('notifyPrefs', p.conversationId, p)
      for (const m of saved) tx.put('saved', m.id, { messageId: m.id, savedAt: m.savedAt })
      for (const c of conversations) {
        const known = tx.get('conversations', c.id)
        if (known && known.isMember === c.isMember) tx.put('conversations', c.id, { ...c, lastSeq: known.lastSeq })
        else this.putFresh(tx, c)
      }
      for (const m of members) tx.put('members', memberKey(workspaceId, m.id), m)
      const cursor = streamKey('workspace', workspaceId)
      if (resetCursor || tx.get('cursors', cursor) === undefined) tx.put('cursors', cursor, lastSeq)
    })
  }

  /** A conversation followed from its current head, its cached history dropped. */
  private putFresh(tx: ChangeSet, c: Conversation): void {
    tx.dropHistory(c.id)
    tx.put('conversations', c.id, c)
    tx.put('cursors', streamKey('conversation', c.id), c.lastSeq)
  }

  /** Rebuilds a conversation from the server (its cursor was too old, or it held an event this client cannot read). */
  private async resetConversation(id: string): Promise<void> {
    const c = await this.call('conversation.get', { conversationId: id })
    this.write((tx) => this.putFresh(tx, c))
  }

  private async rebuildStaleStreams(): Promise<void> {
    for (const [key, s] of [...this.staleStreams]) {
      this.staleStreams.delete(key)
      if (s.stream === 'conversation') await this.resetConversation(s.streamId)
      else if (s.stream === 'workspace') {
        const ws = this.account.workspaces.find((w) => w.id === s.streamId)
        if (ws) await this.snapshotWorkspace(s.streamId, s.seq, true)
      } else {
        await this.snapshot()
        this.write((tx) => tx.put('cursors', key, s.seq))
      }
    }
  }

  private async syncOnce(): Promise<void> {
    if (this.storage.get('cursors', streamKey('snapshot', this.userId)) === undefined) await this.snapshot()
    for (;;) {
      await this.rebuildStaleStreams()
      const userCursor = this.storage.get('cursors', streamKey('user', this.userId))
      const workspaces = Object.fromEntries(
        this.account.workspaces.map((w) => [w.id, this.storage.get('cursors', streamKey('workspace', w.id)) ?? w.lastSeq]),
      )
      this.lastAsked = this.storage.followedCursors()
      const res = await this.call('sync', {
        conversations: this.lastAsked,
        ...(userCursor === undefined ? {} : { user: userCursor }),
        workspaces,
      })
      let more = false
      const offerPage = (events: Event[]) => {
        // An event this client cannot read: the rest of the page waits for the stream's rebuild.
        if (this.offerAll(events, true).at(-1) === 'unknown-type') more = true
      }
      for (const page of res.conversations) {
        if (page.reset) {
          await this.resetConversation(page.streamId)
          continue
        }
        offerPage(page.events)
        more ||= page.hasMore
      }
      if (res.user.reset || userCursor === undefined) {
        this.write((tx) => tx.put('cursors', streamKey('user', this.userId), res.user.lastSeq))
        if (res.user.reset) await this.snapshot()
      } else {
        offerPage(res.user.events)
        more ||= res.user.hasMore
      }
      for (const page of res.workspaces) {
        if (page.reset) {
          await this.snapshotWorkspace(page.streamId, page.lastSeq, true)
          continue
        }
        offerPage(page.events)
        more ||= page.hasMore
      }
      for (const id of res.gone) {
        if (this.account.workspaces.some((w) => w.id === id)) {
          const workspaces = this.account.workspaces.filter((w) => w.id !== id)
          this.account = { ...this.account, workspaces, workspaceId: this.account.workspaceId === id ? (workspaces[0]?.id ?? null) : this.account.workspaceId }
          this.write((tx) => tx.remove('cursors', streamKey('workspace', id)))
          this.opts.saveAccount?.(this.account)
        } else {
          this.write((tx) => {
            tx.dropHistory(id)
            tx.remove('conversations', id)
            tx.remove('cursors', streamKey('conversation', id))
          })
        }
      }
      // Conversations I am in but do not follow yet (added while this client was away).
      for (const id of Object.keys(res.heads)) {
        if (this.storage.get('conversations', id)?.isMember) continue
        await this.resetConversation(id)
      }
      // Conversations followed since this round asked (joined through the user stream): their
      // events after the join are fetched in another round.
      const asked = new Set(Object.keys(this.lastAsked))
      for (const id of Object.keys(this.storage.followedCursors())) if (!asked.has(id)) more = true
      if (!more) return
    }
  }

  // outbox

  /**
   * Sends through the outbox: stored first, then delivered in order with everything queued
   * before it. Returns the message, or null when it stays queued for the next connection.
   */
  async send(entry: NewOutboxEntry): Promise<Message | null> {
    this.storage.outboxPut(entry)
    await this.settle()
    if (!this.socket?.connected) return null
    this.awaited.add(entry.clientId)
    try {
      await this.flushOutbox()
      // A flush already running when this entry was queued may have stopped before it.
      if (this.storage.outboxGet(entry.clientId) && this.socket?.connected) await this.flushOutbox()
    } finally {
      this.awaited.delete(entry.clientId)
    }
    const outcome = this.outcomes.get(entry.clientId)
    this.outcomes.delete(entry.clientId)
    if (!outcome) return null
    if ('error' in outcome) throw outcome.error
    return outcome.message
  }

  /** Entries waiting to be sent and entries set aside. */
  outbox(): { pending: OutboxEntry[]; failed: OutboxEntry[] } {
    const all = this.storage.outboxList()
    return { pending: all.filter((e) => !e.failed), failed: all.filter((e) => e.failed) }
  }

  /** Puts a set-aside entry back in line and tries to send it now. */
  async retry(clientId: string): Promise<OutboxEntry> {
    const entry = this.storage.outboxGet(clientId)
    if (!entry) throw new OCommsError('not_found', `No outbox entry ${clientId}.`)
    this.storage.outboxUpdate(clientId, { failed: null, attempts: 0 })
    if (this.socket?.connected) await this.flushOutbox()
    return this.storage.outboxGet(clientId) ?? { ...entry, failed: null }
  }

  /** Drops an entry (set aside or waiting) for good. */
  discard(clientId: string): void {
    if (!this.storage.outboxRemove(clientId)) throw new OCommsError('not_found', `No outbox entry ${clientId}.`)
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
    if (this.closed) return
    for (const entry of this.storage.outboxList()) {
      if (entry.failed) continue
      const socket = this.socket
      if (!socket?.connected || this.closed) return
      this.storage.outboxUpdate(entry.clientId, { attempts: entry.attempts + 1 })
      let message: Message
      try {
        message = await callSocket(socket.timeout(this.opts.ackTimeoutMs ?? 15_000), 'message.send', {
          conversationId: entry.conversationId,
          text: entry.text,
          clientId: entry.clientId,
          ...(entry.threadRootId ? { threadRootId: entry.threadRootId } : {}),
          ...(entry.alsoToChannel ? { alsoToChannel: true } : {}),
        })
      } catch (err) {
        const e = err instanceof OCommsError ? err : null
        if (e && (!transient.has(e.code) || entry.attempts + 1 >= MAX_SEND_ATTEMPTS)) {
          this.refused(entry, e)
          continue
        }
        // Unreachable or timed out: stop here so the order holds; the next connect retries.
        return
      }
      this.write((tx) => {
        if (tx.get('conversations', message.conversationId)) tx.put('messages', message.id, message)
      })
      if (this.storage.outboxRemove(entry.clientId)) {
        this.record(entry.clientId, { message })
        this.opts.log.info({ clientId: entry.clientId, attempts: entry.attempts + 1 }, 'outbox delivered')
        // A send whose caller is waiting gets its answer; only queued ones are announced.
        if (!this.awaited.has(entry.clientId)) this.opts.publish({ type: 'daemon.outbox.delivered', clientId: entry.clientId, message })
      }
    }
  }

  /**
   * Refused for good (no access, archived, too long...) or failing every time: a caller who is
   * waiting gets the error and the entry goes; a queued one is set aside, to be listed, retried
   * or discarded, instead of being tried forever.
   */
  private refused(entry: OutboxEntry, e: OCommsError): void {
    if (this.awaited.has(entry.clientId)) {
      if (this.storage.outboxRemove(entry.clientId)) this.record(entry.clientId, { error: e })
      return
    }
    this.storage.outboxUpdate(entry.clientId, { failed: { code: e.code, message: e.message, at: new Date().toISOString() } })
    this.opts.log.warn({ clientId: entry.clientId, code: e.code }, 'outbox entry set aside')
    this.opts.publish({ type: 'daemon.outbox.failed', clientId: entry.clientId, error: { code: e.code, message: e.message } })
  }

  private record(clientId: string, outcome: SendOutcome): void {
    if (this.awaited.has(clientId)) this.outcomes.set(clientId, outcome)
  }
}
