import { connect, type Socket } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { DaemonMethodMap, DaemonMethodName, EventNotification, ParamsOf, ResultOf } from '@ocomms/shared'
// Values from the small entry points only: the index builds every schema (see docs/tui.md, Performance).
import { DAEMON_EVENT_NOTIFICATION, OCommsError, isErrorCode } from '@ocomms/shared/core'
import type { Static } from '@sinclair/typebox'

/** What a subscription pushes: a server event, or a local one (connection, outbox). */
export type DaemonNotification = Static<typeof EventNotification>
export type DaemonEvent = DaemonNotification['event']

/** Whether the TUI currently has a working line to its daemon (not the daemon's line to the server). */
export type DaemonLink = 'open' | 'closed'

/**
 * The whole surface the TUI needs from its daemon. The app's state layer depends on this
 * interface only: the socket client below implements it for real use, component tests drive
 * the UI with a scripted in-memory implementation of the same interface.
 */
export interface DaemonClient {
  request<M extends DaemonMethodName>(method: M, params: ParamsOf<DaemonMethodMap[M]>): Promise<ResultOf<DaemonMethodMap[M]>>
  /** Live events of every subscription made through this client. */
  onNotification(listener: (notification: DaemonNotification) => void): () => void
  /** Called when the link to the daemon opens (again) or closes; subscriptions must be renewed on open. */
  onLink(listener: (link: DaemonLink) => void): () => void
  readonly link: DaemonLink
  close(): void
}

export function daemonHome(home?: string): string {
  return home ?? process.env.OCOMMS_HOME ?? join(homedir(), '.ocomms')
}

export function daemonSocketPath(home?: string): string {
  return join(daemonHome(home), 'daemon.sock')
}

interface RpcError {
  code: number
  message: string
  data?: unknown
}

type Incoming =
  | { jsonrpc: '2.0'; id: number; result: unknown }
  | { jsonrpc: '2.0'; id: number; error: RpcError }
  | { jsonrpc: '2.0'; method: string; params?: unknown }

/** A JSON-RPC error from the daemon as the closed OComms error set (the daemon puts the code in `data`). */
export function errorFromRpc(error: RpcError): OCommsError {
  const data = (error.data ?? {}) as { code?: unknown; details?: Record<string, unknown> }
  const code = isErrorCode(data.code) ? data.code : error.code === -32602 ? 'invalid_input' : 'internal'
  return new OCommsError(code, error.message, data.details)
}

export interface SocketDaemonClientOptions {
  /** Path of the daemon's socket; default `$OCOMMS_HOME/daemon.sock`. */
  socketPath?: string
  /** Delay before reconnecting after the daemon went away: grows from min to max with jitter. */
  retryMinMs?: number
  retryMaxMs?: number
}

/**
 * JSON-RPC 2.0 over the daemon's unix socket, one JSON object per line. Keeps reconnecting
 * when the daemon restarts; requests made while the link is down fail at once with
 * `unavailable`, so the UI can show the cache it already has instead of hanging.
 */
export class SocketDaemonClient implements DaemonClient {
  private socket: Socket | null = null
  private buffer = ''
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly notificationListeners = new Set<(n: DaemonNotification) => void>()
  private readonly linkListeners = new Set<(l: DaemonLink) => void>()
  private retryMs: number
  private retryTimer: NodeJS.Timeout | null = null
  private closed = false
  link: DaemonLink = 'closed'

  constructor(private readonly options: SocketDaemonClientOptions = {}) {
    this.retryMs = options.retryMinMs ?? 200
  }

  get socketPath(): string {
    return this.options.socketPath ?? daemonSocketPath()
  }

  /** Resolves once connected the first time, or rejects with `unavailable` when the daemon is not there. */
  connect(): Promise<void> {
    if (this.socket) return Promise.resolve()
    if (this.retryTimer) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    return new Promise((resolve, reject) => {
      const socket = connect(this.socketPath)
      let opened = false
      socket.setEncoding('utf8')
      socket.on('connect', () => {
        opened = true
        this.socket = socket
        this.retryMs = this.options.retryMinMs ?? 200
        this.setLink('open')
        resolve()
      })
      socket.on('data', (chunk: string) => this.receive(chunk))
      socket.on('error', (err) => {
        if (!opened) reject(new OCommsError('unavailable', `The daemon is not reachable at ${this.socketPath}: ${err.message}`))
      })
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null
        this.buffer = ''
        for (const { reject: fail } of this.pending.values()) fail(new OCommsError('unavailable', 'The connection to the daemon closed.'))
        this.pending.clear()
        if (opened) this.setLink('closed')
        this.scheduleReconnect()
      })
    })
  }

  private scheduleReconnect() {
    if (this.closed || this.retryTimer) return
    const max = this.options.retryMaxMs ?? 5000
    const delay = Math.round(this.retryMs * (0.5 + Math.random() / 2))
    this.retryMs = Math.min(max, this.retryMs * 2)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      // A failed attempt schedules the next one from its own close handler.
      this.connect().catch(() => {})
    }, delay)
    this.retryTimer.unref?.()
  }

  private setLink(link: DaemonLink) {
    if (this.link === link) return
    this.link = link
    for (const l of this.linkListeners) l(link)
  }

  private receive(chunk: string) {
    this.buffer += chunk
    let newline: number
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim()
      this.buffer = this.buffer.slice(newline + 1)
      if (!line) continue
      let msg: Incoming
      try {
        msg = JSON.parse(line) as Incoming
      } catch {
        continue // a line we cannot read is dropped, not fatal
      }
      if ('id' in msg && typeof msg.id === 'number') {
        const waiter = this.pending.get(msg.id)
        if (!waiter) continue
        this.pending.delete(msg.id)
        if ('error' in msg) waiter.reject(errorFromRpc(msg.error))
        else waiter.resolve(msg.result)
      } else if ('method' in msg && msg.method === DAEMON_EVENT_NOTIFICATION) {
        for (const l of this.notificationListeners) l(msg.params as DaemonNotification)
      }
    }
  }

  request<M extends DaemonMethodName>(method: M, params: ParamsOf<DaemonMethodMap[M]>): Promise<ResultOf<DaemonMethodMap[M]>> {
    const socket = this.socket
    if (!socket) return Promise.reject(new OCommsError('unavailable', 'The daemon is not reachable.'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      socket.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n')
    })
  }

  onNotification(listener: (n: DaemonNotification) => void): () => void {
    this.notificationListeners.add(listener)
    return () => this.notificationListeners.delete(listener)
  }

  onLink(listener: (l: DaemonLink) => void): () => void {
    this.linkListeners.add(listener)
    return () => this.linkListeners.delete(listener)
  }

  close() {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.socket?.end()
    this.socket?.destroy()
  }
}
