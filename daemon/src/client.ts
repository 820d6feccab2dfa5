import { connect as connectSocket, type Socket } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { DaemonMethodMap, DaemonMethodName, EventNotification, ParamsOf, ResultOf } from '@ocomms/shared'
// Values from the small entry points only: the index builds every schema (TUI start-up, docs/tui.md).
import { DAEMON_EVENT_NOTIFICATION, OCommsError } from '@ocomms/shared/core'
import type { Static } from '@sinclair/typebox'

/**
 * The one client of the daemon's JSON-RPC socket, for every frontend (the CLI, the TUI, the
 * desktop app): typed calls from the declarations in shared/, the `event` notifications of
 * subscriptions, and, when asked, reconnecting after the daemon restarts.
 */

/** What a subscription pushes: a server event, or a local one (connection, outbox). */
export type DaemonNotification = Static<typeof EventNotification>
export type EventNotificationParams = DaemonNotification
export type DaemonEvent = DaemonNotification['event']

/** Whether the frontend has a working line to its daemon (not the daemon's line to the server). */
export type DaemonLink = 'open' | 'closed'

/**
 * The surface a frontend needs from its daemon. Frontends' state layers depend on this
 * interface only; component tests drive them with a scripted in-memory implementation.
 */
export interface DaemonConnection {
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

/** JSON-RPC 2.0's own error codes (spelled out: the client loads no JSON-RPC library). */
const METHOD_NOT_FOUND = -32601
const INVALID_PARAMS = -32602
const INVALID_REQUEST = -32600

/** A JSON-RPC error from the daemon as the closed OComms error set (the daemon puts the code in `data`). */
export function fromRpcError(error: RpcError): OCommsError {
  const data = error.data as { code?: unknown } | undefined
  // The sentence is the error's own; `data` may repeat it or carry only the code.
  if (data && typeof data === 'object' && typeof data.code === 'string') return OCommsError.from({ message: error.message, ...data })
  if (error.code === METHOD_NOT_FOUND) {
    return new OCommsError('not_found', `${error.message} (the daemon may be older than this client: run ocomms daemon stop)`)
  }
  if (error.code === INVALID_PARAMS || error.code === INVALID_REQUEST) return new OCommsError('invalid_input', error.message)
  return new OCommsError('internal', error.message)
}
export const errorFromRpc = fromRpcError

export interface DaemonClientOptions {
  /** Path of the daemon's socket; default `$OCOMMS_HOME/daemon.sock`. */
  socketPath?: string
  /** Reconnect after the daemon went away (a long-running frontend); a command does not. */
  reconnect?: boolean
  /** Delay before reconnecting: grows from min to max with jitter. */
  retryMinMs?: number
  retryMaxMs?: number
}

/**
 * JSON-RPC 2.0 over the daemon's unix socket, one JSON object per line. Requests made while
 * the link is down fail at once with `unavailable`, so a frontend can show what it already
 * has instead of hanging.
 */
export class DaemonClient implements DaemonConnection {
  private socket: Socket | null = null
  private buffer = ''
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly notificationListeners = new Set<(n: DaemonNotification) => void>()
  private readonly linkListeners = new Set<(l: DaemonLink) => void>()
  private readonly closeListeners = new Set<() => void>()
  private retryMs: number
  private retryTimer: NodeJS.Timeout | null = null
  private closed = false
  link: DaemonLink = 'closed'

  constructor(private readonly options: DaemonClientOptions = {}) {
    this.retryMs = options.retryMinMs ?? 200
  }

  /** A connected client that does not reconnect (a command's one conversation with the daemon). */
  static async connect(socketPath: string): Promise<DaemonClient> {
    const client = new DaemonClient({ socketPath })
    await client.connect()
    return client
  }

  get socketPath(): string {
    return this.options.socketPath ?? daemonSocketPath()
  }

  /** Resolves once connected, or rejects with `unavailable` when the daemon is not there. */
  connect(): Promise<void> {
    if (this.socket) return Promise.resolve()
    if (this.retryTimer) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    return new Promise((resolve, reject) => {
      const socket = connectSocket(this.socketPath)
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
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!opened) reject(Object.assign(new OCommsError('unavailable', `The daemon is not reachable at ${this.socketPath}: ${err.message}`), { errno: err.code }))
      })
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null
        this.buffer = ''
        for (const { reject: fail } of this.pending.values()) fail(new OCommsError('unavailable', 'The daemon closed the connection.'))
        this.pending.clear()
        if (opened) {
          this.setLink('closed')
          for (const l of this.closeListeners) l()
        }
        if (this.options.reconnect) this.scheduleReconnect()
        else this.closed = true
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
        if ('error' in msg) waiter.reject(fromRpcError(msg.error))
        else waiter.resolve(msg.result)
      } else if ('method' in msg && msg.method === DAEMON_EVENT_NOTIFICATION) {
        for (const l of this.notificationListeners) l(msg.params as DaemonNotification)
      }
    }
  }

  request<M extends DaemonMethodName>(method: M, params: ParamsOf<DaemonMethodMap[M]>): Promise<ResultOf<DaemonMethodMap[M]>> {
    const socket = this.socket
    if (!socket) return Promise.reject(new OCommsError('unavailable', this.closed ? 'The daemon is not running.' : 'The daemon is not reachable.'))
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

  /** The same as onNotification (the name the CLI uses). */
  onEvent(listener: (n: DaemonNotification) => void): () => void {
    return this.onNotification(listener)
  }

  onLink(listener: (l: DaemonLink) => void): () => void {
    this.linkListeners.add(listener)
    return () => this.linkListeners.delete(listener)
  }

  /** Called when an open link closes (the daemon stopped). */
  onClose(listener: () => void): void {
    this.closeListeners.add(listener)
  }

  close() {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.socket?.end()
    this.socket?.destroy()
  }
}
