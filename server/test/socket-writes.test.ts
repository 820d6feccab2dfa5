import t from 'tap'
import type { Socket as NetSocket } from 'node:net'
import { LIVE_EVENT, type Event } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'

// Pins patches/engine.io+6.6.12.patch: the packets that queue behind a socket's write in flight
// leave in one system call, not one each. At thousands of deliveries a second each write costs
// more than the rest of the delivery (bench P3), and a busy socket is where packets queue.

t.test('packets queued behind a write go out in one write, in order', async (t) => {
  const server = await startTestServer(t)
  const { people } = await server.team('alice')
  const alice = await server.connect(people[0].token)
  const [serverSocket] = [...server.io.sockets.sockets.values()]
  t.ok(serverSocket, 'the server holds the socket')
  const raw = (serverSocket!.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket._socket

  let writes = 0
  const counted = raw as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>
  for (const method of ['_write', '_writev'] as const) {
    const original = counted[method]!.bind(raw)
    counted[method] = (...args: unknown[]) => {
      writes++
      return original(...args)
    }
  }

  // Five events in one tick: the first leaves at once, the other four wait for it.
  const events = Array.from({ length: 5 }, (_, i) => ({ stream: 'user', streamId: people[0].id, seq: 1_000_000 + i, type: 'probe' }) as unknown as Event)
  for (const e of events) serverSocket!.emit(LIVE_EVENT, e)
  await alice.waitFor((e) => e.seq === 1_000_004)

  t.same(
    alice.events.filter((e) => e.type === ('probe' as never)).map((e) => e.seq),
    events.map((e) => e.seq),
    'all five arrive, in order',
  )
  t.equal(writes, 2, 'two writes: the first event, then the four that queued behind it together')
})
