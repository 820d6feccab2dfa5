import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { DaemonBridge } from './bridge.js'
import { wireNotifications } from './protocol.js'

/**
 * The bridge served over a local WebSocket, for driving the renderer in a plain browser
 * (Chromium in tests) exactly as the preload does in the app. The same BridgeSession answers:
 * JSON-RPC 2.0 requests `{id, method, params}` with a daemon method name, answers
 * `{id, result}` or `{id, error: {code, message}}`, and notifications `event`, `bridge.daemon`
 * and `bridge.open`. Loopback only, and only with the token of the URL it printed.
 */
export interface BridgeServer {
  /** ws://127.0.0.1:PORT/?token=... */
  url: string
  close(): Promise<void>
}

const MAX_FRAME = 1024 * 1024

export async function serveBridge(bridge: DaemonBridge, options: { port?: number } = {}): Promise<BridgeServer> {
  const token = randomBytes(32).toString('hex')
  const expected = Buffer.from(token)
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxPayload: MAX_FRAME,
    verifyClient: ({ req }: { req: { url?: string } }) => {
      const given = Buffer.from(new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '')
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  wss.on('connection', (ws: WebSocket) => {
    const session = bridge.session()
    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const notify = (method: string) => (params: unknown) => send({ jsonrpc: '2.0', method, params })
    session.onEvent(notify(wireNotifications.event))
    session.onDaemon(notify(wireNotifications.daemon))
    session.onOpen(notify(wireNotifications.open))
    ws.on('message', async (data) => {
      let request: { id?: unknown; method?: unknown; params?: unknown }
      try {
        request = JSON.parse(String(data)) as typeof request
      } catch {
        return send({ jsonrpc: '2.0', id: null, error: { code: 'invalid_input', message: 'Not JSON.' } })
      }
      if (typeof request !== 'object' || request === null) return send({ jsonrpc: '2.0', id: null, error: { code: 'invalid_input', message: 'Not a request.' } })
      const reply = await session.reply(request.method, request.params)
      send(reply.ok ? { jsonrpc: '2.0', id: request.id ?? null, result: reply.result } : { jsonrpc: '2.0', id: request.id ?? null, error: reply.error })
    })
    ws.on('close', () => session.close())
  })
  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/?token=${token}`,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => resolve())
      }),
  }
}
