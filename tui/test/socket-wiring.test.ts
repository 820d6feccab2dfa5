import { createServer, type Socket } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import t from 'tap'
import type { DaemonMethodName } from '@ocomms/shared'
import { DaemonClient } from '@ocomms/daemon/client'
import { ChatStore } from '../src/state/store.js'
import { App } from '../src/ui/app.js'
import { render } from './helpers/ink-testing.js'
import { message, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

/**
 * The app wired as runTui wires it: the socket client on a unix socket, JSON-RPC lines both ways.
 * Behind the socket the scripted data answers; this pins the wiring (requests, the `event`
 * notifications, link loss and return), not the daemon.
 */
t.test('the UI over the JSON-RPC socket: first paint, a live event, the daemon restarting', async (t) => {
  const w = world()
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-tui-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'daemon.sock')
  const sockets = new Set<Socket>()
  const serve = () => {
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
      const send = (line: unknown) => {
        if (!socket.destroyed) socket.write(JSON.stringify(line) + '\n')
      }
      const off = w.d.onNotification((params) => send({ jsonrpc: '2.0', method: 'event', params }))
      socket.on('close', off)
      let buffer = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        buffer += chunk
        let i: number
        while ((i = buffer.indexOf('\n')) >= 0) {
          const req = JSON.parse(buffer.slice(0, i)) as { id: number; method: DaemonMethodName; params: never }
          buffer = buffer.slice(i + 1)
          w.d.request(req.method, req.params).then(
            (result) => send({ jsonrpc: '2.0', id: req.id, result }),
            (err: { code: string; message: string }) => send({ jsonrpc: '2.0', id: req.id, error: { code: -32000, message: err.message, data: { code: err.code } } }),
          )
        }
      })
    })
    return new Promise<typeof server>((r) => server.listen(path, () => r(server)))
  }
  let server = await serve()
  const client = new DaemonClient({ reconnect: true, socketPath: path, retryMinMs: 20, retryMaxMs: 100 })
  await client.connect()
  const store = new ChatStore(client)
  const view = render(createElement(App, { store }))
  t.teardown(() => {
    view.unmount()
    store.dispose()
    client.close()
    server.close()
  })
  await store.start()
  await tick(150)
  t.match(view.lastFrame(), /fine!/, 'history over the socket')
  t.ok(w.d.calls.some((c) => c.method === 'subscribe'), 'subscribed')

  w.d.receive(message(w.general, w.bob, 'over the wire'))
  await tick(150)
  t.match(view.lastFrame(), /over the wire/, 'a live event arrived as a notification')

  // The daemon goes away and comes back: the UI says so, then reloads and resubscribes.
  const subscribes = w.d.callsOf('subscribe').length
  await new Promise<void>((r) => {
    server.close(() => r())
    for (const s of sockets) s.destroy()
  })
  await tick(150)
  t.match(view.lastFrame(), /daemon unreachable/)
  server = await serve()
  for (let i = 0; i < 100 && !(/● connected/.test(view.lastFrame() ?? '') && w.d.callsOf('subscribe').length > subscribes); i++) await tick(50)
  t.match(view.lastFrame(), /● connected/)
  t.ok(w.d.callsOf('subscribe').length > subscribes, 'subscribed again')
})
