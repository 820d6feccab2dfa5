import t from 'tap'
import { randomUUID } from 'node:crypto'
import { startTestServer } from './helpers/server.js'

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('each change reaches exactly the members allowed to see it', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob, carol] } = await server.team('alice', 'bob', 'carol')
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [carol.id] })
  const [a, b, c] = [await server.connect(alice.token), await server.connect(bob.token), await server.connect(carol.token)]

  await alice.call('message.send', { conversationId: secret.id, text: 'private', clientId: randomUUID() })
  await b.waitFor((e) => e.type === 'message.created' && e.conversationId === secret.id)
  await alice.call('message.send', { conversationId: dm.id, text: 'just us', clientId: randomUUID() })
  await c.waitFor((e) => e.type === 'message.created' && e.conversationId === dm.id)
  await a.waitFor((e) => e.conversationId === dm.id)
  await quiet(200)
  t.notOk(c.events.some((e) => e.conversationId === secret.id), 'a non-member hears nothing of a private channel')
  t.notOk(b.events.some((e) => e.conversationId === dm.id), 'a DM reaches only its two members')

  const open = await carol.call('channel.create', { workspaceId: ws.id, name: 'open' })
  await b.waitFor((e) => e.type === 'conversation.created' && e.conversationId === open.id)
  t.notOk(c.events.some((e) => e.type === 'conversation.created' && e.conversationId === secret.id), 'private channels are not announced')

  // Joining moves the live socket into the room without reconnecting; kicking moves it out.
  await bob.call('conversation.join', { conversationId: open.id })
  await quiet(100)
  await carol.call('message.send', { conversationId: open.id, text: 'welcome', clientId: randomUUID() })
  await b.waitFor((e) => e.type === 'message.created' && e.conversationId === open.id)
  await carol.call('conversation.kick', { conversationId: open.id, userId: bob.id })
  await b.waitFor((e) => e.type === 'conversation.removed' && e.conversationId === open.id)
  await quiet(100)
  await carol.call('message.send', { conversationId: open.id, text: 'after', clientId: randomUUID() })
  await a.call('sync', {})
  await quiet(200)
  t.equal(
    b.events.filter((e) => e.type === 'message.created' && e.conversationId === open.id).length,
    1,
    'a kicked member stops receiving the channel',
  )
})

t.test('sockets: WebSocket only, a valid session in the handshake, our own origin', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  t.equal(await server.connectError({ token: alice.token }), null, 'a session token connects')
  t.match(await server.connectError({}), { code: 'unauthenticated' }, 'no token')
  t.match(await server.connectError({ token: 'forged' }), { code: 'unauthenticated' }, 'bad token')
  t.not(await server.connectError({ token: alice.token, transports: ['polling'] }), null, 'long-polling is refused')
  t.not(await server.connectError({ token: alice.token, origin: 'https://evil.example' }), null, 'a foreign Origin is refused')
  t.equal(await server.connectError({ token: alice.token, origin: server.url }), null, 'the server\'s own origin is fine')
})

t.test('logout, revocation and deactivation close sockets at once', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const closed = (s: Awaited<ReturnType<typeof server.connect>>) =>
    new Promise<number>((resolve) => {
      const started = Date.now()
      s.socket.once('disconnect', () => resolve(Date.now() - started))
    })

  const bobSocket = await server.connect(bob.token)
  const deactivated = closed(bobSocket)
  await alice.call('member.deactivate', { workspaceId: ws.id, userId: bob.id })
  t.ok((await deactivated) < 1000, 'deactivation disconnects within a second')
  await t.rejects(bob.call('conversation.list', { workspaceId: ws.id }), { code: 'not_found' }, 'and the workspace is gone for him')

  const aliceSocket = await server.connect(alice.token)
  const loggedOut = closed(aliceSocket)
  await alice.call('auth.logout', {})
  t.ok((await loggedOut) < 1000, 'logout disconnects within a second')
  t.match(await server.connectError({ token: alice.token }), { code: 'unauthenticated' }, 'the token is dead')
})
