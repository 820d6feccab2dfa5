import type { BridgeMethodMap, BridgeMethodName, ParamsOf, ResultOf } from '@ocomms/shared'
import type { EventNotificationParams } from '@ocomms/daemon'
import { wireNotifications, type DaemonLinkState, type OpenRequest, type RendererBridge } from './protocol.js'

/** The part of a WebSocket this needs: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  send(data: string): void
  close(): void
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

/**
 * The renderer's side of the WebSocket transport (ws-transport.ts): the same `RendererBridge`
 * the preload gives the page in the app, for a page running in a plain browser. Written without
 * Node or DOM imports so it bundles into the web app's test build as it is.
 *
 * The bridge is there at once, as the preload's is before the page's first script: calls made
 * before the socket is open are sent when it opens (or fail, with the reason, if it cannot), so
 * the page does not wait for the handshake before it starts.
 */
export function openBridge(url: string, Socket: WebSocketConstructor): RendererBridge & { close(): void; opened: Promise<void> } {
  const ws = new Socket(url)
  const unreachable = Object.assign(new Error(`Cannot reach the bridge at ${url.replace(/token=[^&]*/, 'token=…')}.`), { code: 'unavailable' })
  let isOpen = false
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => {
      isOpen = true
      resolve()
    })
    ws.addEventListener('error', () => reject(unreachable))
  })
  opened.catch(() => {})
  let nextId = 1
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  const listeners = { event: new Set<(v: never) => void>(), daemon: new Set<(v: never) => void>(), open: new Set<(v: never) => void>() }
  const byMethod: Record<string, keyof typeof listeners> = {
    [wireNotifications.event]: 'event',
    [wireNotifications.daemon]: 'daemon',
    [wireNotifications.open]: 'open',
  }
  ws.addEventListener('message', ({ data }) => {
    let m: { id?: unknown; method?: string; params?: unknown; result?: unknown; error?: { code: string; message: string } }
    try {
      m = JSON.parse(String(data)) as typeof m
    } catch {
      return
    }
    if (typeof m.id === 'number' && pending.has(m.id)) {
      const p = pending.get(m.id)!
      pending.delete(m.id)
      if (m.error) p.reject(m.error)
      else p.resolve(m.result)
      return
    }
    const kind = m.method ? byMethod[m.method] : undefined
    if (kind) for (const l of listeners[kind]) l(m.params as never)
  })
  const gone = { code: 'unavailable', message: 'The bridge closed the connection.' }
  let closed = false
  ws.addEventListener('close', () => {
    closed = true
    const reason = isOpen ? gone : unreachable
    for (const p of pending.values()) p.reject(reason)
    pending.clear()
  })
  const on =
    <T>(kind: keyof typeof listeners) =>
    (listener: (value: T) => void) => {
      listeners[kind].add(listener as (v: never) => void)
      return () => void listeners[kind].delete(listener as (v: never) => void)
    }
  return {
    opened,
    call<N extends BridgeMethodName>(method: N, params: ParamsOf<BridgeMethodMap[N]>): Promise<ResultOf<BridgeMethodMap[N]>> {
      return new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        // Sent in the order asked, once the socket is open: the bridge and the daemon answer a
        // page's requests in order.
        opened.then(
          () => {
            if (!closed) return ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
            pending.delete(id)
            reject(gone)
          },
          (err: unknown) => {
            pending.delete(id)
            reject(err)
          },
        )
      })
    },
    onEvent: on<EventNotificationParams>('event'),
    onDaemon: on<DaemonLinkState>('daemon'),
    onOpen: on<OpenRequest>('open'),
    close: () => ws.close(),
  }
}

/** openBridge, once its socket is open. */
export async function connectBridge(url: string, Socket: WebSocketConstructor): Promise<RendererBridge & { close(): void }> {
  const bridge = openBridge(url, Socket)
  await bridge.opened
  return bridge
}
