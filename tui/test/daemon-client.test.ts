import { createServer, type Server, type Socket } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { OCommsError } from '@ocomms/shared'
import { DaemonClient, type DaemonLink, type DaemonNotification } from '@ocomms/daemon/client'

/**
 * The wire format against a socket peer that speaks newline-delimited JSON-RPC 2.0: the framing,
 * ids, errors, notifications and reconnecting are the client's own behaviour, so they are
 * tested here at the byte level; the daemon's answers themselves are the daemon's tests.
 */
async function peer(t: { teardown(fn: () => unknown): void }, path: string, onLine: (msg: Record<string, unknown>, socket: Socket) => void) {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    let buffer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      let i: number
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        onLine(JSON.parse(line) as Record<string, unknown>, socket)
      }
    })
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((r) => server.listen(path, r))
  const close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  t.teardown(close)
  return { server, sockets, close }
}

t.test('requests, split and batched lines, errors and notifications', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-tui-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'daemon.sock')
  await peer(t, path, (msg, socket) => {
    if (msg.method === 'daemon.status') {
      // One answer written in two pieces, followed by a notification in the same write.
      const answer = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { apiVersion: 1, version: 'x', pid: 1, startedAt: '', home: dir, profiles: [] } })
      socket.write(answer.slice(0, 10))
      setTimeout(() => {
        const note = { jsonrpc: '2.0', method: 'event', params: { subscriptionId: 's', profile: 'default', event: { type: 'daemon.connection', connection: 'offline' } } }
        socket.write(answer.slice(10) + '\n' + JSON.stringify(note) + '\n')
      }, 20)
    } else {
      socket.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32000, message: 'No channel #nope.', data: { code: 'not_found' } } }) + '\n')
    }
  })
  const client = new DaemonClient({ reconnect: true, socketPath: path })
  t.teardown(() => client.close())
  const notes: DaemonNotification[] = []
  client.onNotification((n) => notes.push(n))
  await client.connect()
  t.equal(client.link, 'open')
  const status = await client.request('daemon.status', {})
  t.equal(status.home, dir)
  await new Promise((r) => setTimeout(r, 20))
  t.same(notes.map((n) => n.event.type), ['daemon.connection'])
  const err = await client.request('resolve.target', { target: '#nope' }).catch((e: unknown) => e)
  t.ok(err instanceof OCommsError)
  t.match(err, { code: 'not_found', message: 'No channel #nope.' })
})

t.test('no daemon: connect fails with unavailable; it reconnects when the daemon comes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-tui-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'daemon.sock')
  const client = new DaemonClient({ reconnect: true, socketPath: path, retryMinMs: 20, retryMaxMs: 50 })
  t.teardown(() => client.close())
  const links: DaemonLink[] = []
  client.onLink((l) => links.push(l))
  const err = await client.connect().catch((e: unknown) => e)
  t.match(err, { code: 'unavailable' })
  await t.rejects(client.request('daemon.status', {}), { code: 'unavailable' }, 'requests fail fast while offline')

  const first = await peer(t, path, (msg, socket) => socket.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { ok: true } }) + '\n'))
  // connect() failed before the retry loop started; start it as the app does.
  await client.connect().catch(() => {})
  t.same(links, ['open'])
  t.same(await client.request('daemon.stop', {}), { ok: true })

  // The daemon restarts: pending requests fail, the client comes back on its own.
  await first.close()
  await new Promise((r) => setTimeout(r, 30))
  t.equal(client.link, 'closed')
  await peer(t, path, (msg, socket) => socket.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { ok: true } }) + '\n'))
  for (let i = 0; i < 100 && client.link !== 'open'; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(client.link, 'open', 'reconnected')
  t.same(links, ['open', 'closed', 'open'])
  t.same(await client.request('daemon.stop', {}), { ok: true })
})
