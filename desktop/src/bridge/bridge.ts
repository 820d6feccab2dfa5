import { randomUUID } from 'node:crypto'
// The daemon's declarations alone: the whole of shared (parsers, emoji, rich text) is not needed here.
import { OCommsError } from '@ocomms/shared/core'
import { daemonMethods, shellMethods, type DaemonMethodName, type ShellMethodName } from '@ocomms/shared/daemon'
import { validateParams, type DaemonClient, type EventNotificationParams } from '@ocomms/daemon'
import type { BridgeReply, DaemonLinkState, OpenRequest } from './protocol.js'

/** Answers the shell's own methods (shell/file-transfers.ts); the bridge has checked each call first. */
export interface ShellMethodHandler {
  call(owner: BridgeSession, method: ShellMethodName, params: unknown): Promise<unknown>
  /** The session went away: what it held ends. */
  release(owner: BridgeSession): Promise<void>
}

export interface BridgeOptions {
  /** Opens a connection to the daemon, starting it when none answers (connectDaemon). */
  connect(): Promise<DaemonClient>
  /** How long a call waits for the daemon to come back before it is refused as `unavailable`. */
  callWaitMs?: number
  /** Longest pause between reconnection attempts. */
  maxRetryMs?: number
  log?: (message: string, err?: unknown) => void
}

interface Subscription {
  session: BridgeSession
  /** Renewed after every reconnection; the session keeps seeing its own id. */
  daemonId: string | null
  params: Record<string, unknown>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The error body a refused call answers with. */
export function toReplyError(err: unknown): { code: string; message: string } {
  if (err instanceof OCommsError) return { code: err.code, message: err.message }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) }
}

/**
 * Daemon methods a page may not call: they read or write a local file by the path the caller
 * names, and a page is not trusted with the file system. Pages reach files through the shell's
 * methods instead, which never take a path (docs/desktop.md, "Files").
 */
export const pageRefusedMethods: ReadonlySet<DaemonMethodName> = new Set<DaemonMethodName>(['files.upload', 'files.download'])

/**
 * The main process's side of the bridge: one connection to the daemon shared by every renderer
 * (a BridgeSession each). A call must name a method declared in shared/src/daemon and carry
 * params its schema accepts, or it is refused here and never reaches the daemon. When the daemon
 * goes away, the bridge connects again (starting a daemon when none runs) and renews every
 * subscription under the ids the renderers already hold.
 */
export class DaemonBridge {
  private client: DaemonClient | null = null
  private connecting: Promise<DaemonClient> | null = null
  private readonly sessions = new Set<BridgeSession>()
  private readonly subscriptions = new Map<string, Subscription>()
  private closed = false
  private everConnected = false
  /**
   * Events that came before the answer of their `subscribe` was handled (the daemon writes the
   * answer first, but both can arrive in one read): kept briefly and handed over once known.
   */
  private unrouted: EventNotificationParams[] = []
  private shell: ShellMethodHandler | null = null

  constructor(private readonly options: BridgeOptions) {}

  /** Subscriptions held for renderers (they end with their renderer). */
  get subscriptionCount(): number {
    return this.subscriptions.size
  }

  /**
   * A renderer's handle: its calls, its subscriptions, its events. A page's (the default) may not
   * call the methods that name local files; the shell's own session may.
   */
  session(kind: 'page' | 'shell' = 'page'): BridgeSession {
    const s = new BridgeSession(this, kind)
    this.sessions.add(s)
    return s
  }

  /** Where the shell's own methods are answered (main.ts gives the one with Electron's dialogs). */
  serveShellMethods(handler: ShellMethodHandler): void {
    this.shell = handler
  }

  /** Checks a call against the declarations (the daemon's, then the shell's); the error says what is wrong. */
  static check(method: unknown, params: unknown): DaemonMethodName | ShellMethodName {
    if (typeof method === 'string' && Object.hasOwn(shellMethods, method)) {
      const name = method as ShellMethodName
      validateParams(shellMethods[name].params, params ?? {})
      return name
    }
    if (typeof method !== 'string' || !Object.hasOwn(daemonMethods, method)) {
      throw new OCommsError('not_found', `"${String(method).slice(0, 100)}" is not a daemon method: the app may call only the methods declared in shared/src/daemon.`)
    }
    const name = method as DaemonMethodName
    validateParams(daemonMethods[name].params, params ?? {})
    return name
  }

  /** Connected now, or after waiting for the daemon to come back. */
  async ready(): Promise<DaemonClient> {
    if (this.closed) throw new OCommsError('unavailable', 'The app is closing.')
    if (this.client) return this.client
    const wait = this.options.callWaitMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        this.connectLoop(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new OCommsError('unavailable', 'The daemon is not answering; try again in a moment.')), wait)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  private connectLoop(): Promise<DaemonClient> {
    return (this.connecting ??= (async () => {
      let pause = 100
      for (;;) {
        if (this.closed) throw new OCommsError('unavailable', 'The app is closing.')
        let client: DaemonClient | null = null
        try {
          client = await this.options.connect()
          if (this.closed) throw new OCommsError('unavailable', 'The app is closing.')
          await this.adopt(client)
          return client
        } catch (err) {
          // A connection that could not be adopted is not kept open beside the next one.
          if (client && this.client !== client) client.close()
          if (this.closed) throw err
          this.options.log?.('daemon connection failed', err)
          await sleep(pause)
          pause = Math.min(pause * 2, this.options.maxRetryMs ?? 2_000)
        }
      }
    })().finally(() => {
      this.connecting = null
    }))
  }

  /** A fresh connection: listen, renew subscriptions, then tell renderers the daemon is up. */
  private async adopt(client: DaemonClient): Promise<void> {
    client.onEvent((params) => this.route(params))
    this.unrouted = []
    for (const [id, sub] of this.subscriptions) {
      const { subscriptionId } = await client.request('subscribe', sub.params as never)
      this.register(id, { ...sub, daemonId: subscriptionId })
    }
    client.onClose(() => {
      if (this.client !== client) return
      this.client = null
      for (const sub of this.subscriptions.values()) sub.daemonId = null
      if (this.closed) return
      this.broadcastDaemon('down')
      // Reconnect right away, so events resume without waiting for the next call.
      void this.connectLoop().catch(() => {})
    })
    this.client = client
    if (this.everConnected) this.broadcastDaemon('up')
    this.everConnected = true
  }

  private route(params: EventNotificationParams): void {
    for (const [id, sub] of this.subscriptions) {
      if (sub.daemonId === params.subscriptionId) return sub.session.deliver({ ...params, subscriptionId: id })
    }
    this.unrouted.push(params)
    if (this.unrouted.length > 200) this.unrouted.shift()
  }

  private register(id: string, sub: Subscription): void {
    this.subscriptions.set(id, sub)
    const mine = this.unrouted.filter((e) => e.subscriptionId === sub.daemonId)
    if (mine.length === 0) return
    this.unrouted = this.unrouted.filter((e) => e.subscriptionId !== sub.daemonId)
    for (const e of mine) sub.session.deliver({ ...e, subscriptionId: id })
  }

  private broadcastDaemon(state: DaemonLinkState): void {
    for (const s of this.sessions) s.deliverDaemon(state)
  }

  /** Shows a conversation in every renderer (one window per app instance). */
  open(request: OpenRequest): void {
    for (const s of this.sessions) s.deliverOpen(request)
  }

  async call(session: BridgeSession, method: unknown, params: unknown): Promise<unknown> {
    const name = DaemonBridge.check(method, params)
    if (Object.hasOwn(shellMethods, name)) {
      if (!this.shell) throw new OCommsError('not_found', `${name} is not available here.`)
      return this.shell.call(session, name as ShellMethodName, params ?? {})
    }
    if (session.kind === 'page' && pageRefusedMethods.has(name as DaemonMethodName)) {
      throw new OCommsError('forbidden', `A page may not call ${name}: it names local files, which only the person picks in the app's own dialogs.`)
    }
    const p = (params ?? {}) as Record<string, unknown>
    if (name === 'subscribe') return this.subscribe(session, p)
    if (name === 'unsubscribe') return this.unsubscribe(session, p.subscriptionId as string)
    const client = await this.ready()
    return client.request(name as DaemonMethodName, p as never)
  }

  private async subscribe(session: BridgeSession, params: Record<string, unknown>): Promise<{ subscriptionId: string }> {
    const client = await this.ready()
    const { subscriptionId } = await client.request('subscribe', params as never)
    const id = randomUUID()
    this.register(id, { session, daemonId: subscriptionId, params })
    return { subscriptionId: id }
  }

  private async unsubscribe(session: BridgeSession, id: string): Promise<{ ok: true }> {
    const sub = this.subscriptions.get(id)
    if (!sub || sub.session !== session) throw new OCommsError('not_found', 'No such subscription.')
    this.subscriptions.delete(id)
    if (this.client && sub.daemonId) await this.client.request('unsubscribe', { subscriptionId: sub.daemonId }).catch(() => null)
    return { ok: true }
  }

  /** A renderer went away (window closed, page reloaded): its subscriptions end. */
  release(session: BridgeSession): void {
    this.sessions.delete(session)
    void this.shell?.release(session).catch((err) => this.options.log?.('cannot let go of a page\'s files', err))
    for (const [id, sub] of this.subscriptions) {
      if (sub.session !== session) continue
      this.subscriptions.delete(id)
      if (this.client && sub.daemonId) void this.client.request('unsubscribe', { subscriptionId: sub.daemonId }).catch(() => null)
    }
  }

  close(): void {
    this.closed = true
    this.client?.close()
    this.client = null
  }
}

/** One renderer's view of the bridge. */
export class BridgeSession {
  private readonly eventListeners = new Set<(e: EventNotificationParams) => void>()
  private readonly daemonListeners = new Set<(s: DaemonLinkState) => void>()
  private readonly openListeners = new Set<(r: OpenRequest) => void>()

  constructor(
    private readonly bridge: DaemonBridge,
    readonly kind: 'page' | 'shell',
  ) {}

  call(method: unknown, params: unknown): Promise<unknown> {
    return this.bridge.call(this, method, params)
  }

  /** The same call, answered as a value that crosses IPC or a socket unchanged. */
  async reply(method: unknown, params: unknown): Promise<BridgeReply> {
    try {
      return { ok: true, result: await this.call(method, params) }
    } catch (err) {
      return { ok: false, error: toReplyError(err) }
    }
  }

  onEvent(listener: (e: EventNotificationParams) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onDaemon(listener: (s: DaemonLinkState) => void): () => void {
    this.daemonListeners.add(listener)
    return () => this.daemonListeners.delete(listener)
  }

  onOpen(listener: (r: OpenRequest) => void): () => void {
    this.openListeners.add(listener)
    return () => this.openListeners.delete(listener)
  }

  deliver(e: EventNotificationParams): void {
    for (const l of this.eventListeners) l(e)
  }

  deliverDaemon(s: DaemonLinkState): void {
    for (const l of this.daemonListeners) l(s)
  }

  deliverOpen(r: OpenRequest): void {
    for (const l of this.openListeners) l(r)
  }

  close(): void {
    this.bridge.release(this)
  }
}
