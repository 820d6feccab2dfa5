import t from 'tap'
import { randomUUID } from 'node:crypto'
import { caughtUp, startObserver, startTestServer } from './convergence-world.js'

/**
 * A queued send the server refuses for good is set aside, not retried forever and not blocking
 * the sends behind it; it can be listed, retried and discarded. A connection the server drops is
 * retried after a delay, and the session says why it is offline meanwhile.
 */
t.test('refused sends are set aside; reconnects wait and say why', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob')
  const [alice, bob] = people
  const general = (await alice.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!.id
  const closed = await alice.call('channel.create', { workspaceId: ws.id, name: 'closed', private: true })
  const observer = await startObserver(t, server, bob)
  const engine = observer.session.engine

  // Two sends queued while offline (as the outbox holds them after a restart): the first to a
  // channel bob is not in, the second to #general.
  const refused = randomUUID()
  const fine = randomUUID()
  engine.storage.outboxPut({ clientId: refused, conversationId: closed.id, threadRootId: null, alsoToChannel: false, text: 'nope' })
  engine.storage.outboxPut({ clientId: fine, conversationId: general, threadRootId: null, alsoToChannel: false, text: 'yes' })
  await engine.flushOutbox()
  const { pending, failed } = engine.outbox()
  t.same(pending, [], 'nothing waits any more')
  t.match(failed, [{ clientId: refused, failed: { code: 'not_found' } }], 'the refused one is set aside with the reason')
  t.equal(observer.session.cache.outboxFailedCount(), 1)
  t.ok((await alice.call('message.list', { conversationId: general })).some((m) => m.clientId === fine), 'the send behind it went out')

  const attempts = failed[0]!.attempts
  await engine.flushOutbox()
  t.equal(engine.storage.outboxGet(refused)!.attempts, attempts, 'a set-aside send is not tried again by itself')

  // Retried after the cause is gone: it goes out.
  await alice.call('conversation.invite', { conversationId: closed.id, userIds: [bob.id] })
  const retried = await engine.retry(refused)
  t.equal(engine.storage.outboxGet(refused), null, 'retried and delivered')
  t.equal(retried.failed, null)

  // Discard drops one for good.
  const again = randomUUID()
  engine.storage.outboxPut({ clientId: again, conversationId: randomUUID(), threadRootId: null, alsoToChannel: false, text: 'nowhere' })
  await engine.flushOutbox()
  t.ok(engine.storage.outboxGet(again)?.failed)
  engine.discard(again)
  t.equal(engine.storage.outboxGet(again), null, 'discarded')
  t.throws(() => engine.discard(again), { code: 'not_found' })

  // The server drops the connection: the session says why, waits, and comes back.
  t.equal(engine.reason, null)
  server.io.in(`user:${bob.id}`).disconnectSockets(true)
  for (let i = 0; i < 100 && engine.state === 'connected'; i++) await new Promise((r) => setTimeout(r, 10))
  t.match(engine.reason, /disconnected/, 'offline, with the reason')
  await caughtUp(observer)
  t.equal(engine.reason, null, 'reconnected')
})
