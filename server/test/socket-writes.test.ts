import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Socket as NetSocket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { LIVE_EVENT, type Event } from '@ocomms/shared'
import type { Socket } from 'socket.io'
import { startTestServer, type TestServer } from './helpers/server.js'

// Pins patches/engine.io+6.6.12.patch and patches/socket.io-adapter+2.5.8.patch (docs/patches.md):
// the packets a socket gets in one tick leave in one system call, except a broadcast to a big
// room, which writes as it goes. At thousands of deliveries a second each write costs more than
// the rest of the delivery, on the server and on the client that reads it (bench P3). Without
// flush-per-tick the first two tests fail, without cork-queued too, and without
// big-broadcast-writes-now the third; in seconds (each test has a timeout besides).
const timeout = 30_000

/** The server's side of the only socket, and a count of the writes to its TCP connection. */
function counted(server: TestServer): { socket: Socket; writes: () => number } {
  const [socket] = [...server.io.sockets.sockets.values()]
  if (!socket) throw new Error('no socket')
  const raw = (socket.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket._socket
  let writes = 0
  const methods = raw as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>
  for (const method of ['_write', '_writev'] as const) {
    const original = methods[method].bind(raw)
    methods[method] = (...args: unknown[]) => {
      writes++
      return original(...args)
    }
  }
  return { socket, writes: () => writes }
}

const probe = (userId: string, i: number) => ({ stream: 'user', streamId: userId, seq: 1_000_000 + i, type: 'probe' }) as unknown as Event

t.test('the packets a socket gets in one tick leave in one write, in order', { timeout }, async (t) => {
  const server = await startTestServer(t)
  const { people } = await server.team('alice')
  const alice = await server.connect(people[0].token)
  await sleep(200) // what the connection itself sends (presence) is out of the way
  const { socket, writes } = counted(server)

  const events = Array.from({ length: 5 }, (_, i) => probe(people[0].id, i))
  for (const e of events) socket.emit(LIVE_EVENT, e)
  t.equal(writes(), 0, 'nothing is written before the tick ends')
  await alice.waitFor((e) => e.seq === 1_000_004)
  t.same(
    alice.events.filter((e) => e.type === ('probe' as never)).map((e) => e.seq),
    events.map((e) => e.seq),
    'all five arrive, in order',
  )
  t.equal(writes(), 1, 'in one write')
})

t.test("a sent message's live event and the answer to its sender leave together", { timeout }, async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice')
  const [general] = await people[0].call('conversation.list', { workspaceId: ws.id })
  const alice = await server.connect(people[0].token)
  await sleep(200)
  const { writes } = counted(server)

  const sent = await alice.call('message.send', { conversationId: general!.id, text: 'hello', clientId: randomUUID() })
  const live = await alice.waitFor((e) => e.type === 'message.created' && (e.data as { message: { id: string } }).message.id === sent.id)
  t.equal(live.seq, sent.seq, 'the live event is the message answered')
  t.equal(writes(), 1, 'one write carried the live event and the answer')
})

t.test('a broadcast to a big room writes as it goes; to a small room, at the end of the tick', { timeout }, async (t) => {
  const server = await startTestServer(t)
  const { people } = await server.team('alice')
  await server.connect(people[0].token)
  await sleep(200)
  const { socket, writes } = counted(server)
  const adapter = server.io.of('/').adapter
  socket.join(['small-room', 'big-room'])
  // Members of the big room on other processes' terms: ids the adapter counts but holds no
  // socket for, so only the one real socket is written to.
  for (let i = 0; i < 1000; i++) adapter.addAll(`elsewhere-${i}`, new Set(['big-room']))

  server.io.to('small-room').emit(LIVE_EVENT, probe(people[0].id, 0))
  t.equal(writes(), 0, 'small room: not yet written')
  await sleep(20)
  t.equal(writes(), 1, 'small room: written at the end of the tick')

  server.io.to('big-room').emit(LIVE_EVENT, probe(people[0].id, 1))
  t.equal(writes(), 2, 'big room (1,001 members): written during the broadcast')
})
