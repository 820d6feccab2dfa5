import t from 'tap'
import { randomUUID } from 'node:crypto'
import { startTeam } from './helpers/team.js'
import type { LiveSocket } from './helpers/server.js'

/**
 * Handshakes that arrive together are answered by one statement (src/realtime/handshake.ts).
 * A burst of them, valid and not, interleaved: each socket must still be its own person's, in
 * exactly that person's rooms.
 */
t.test('a burst of handshakes: each socket gets its own person and rooms; bad tokens fail alone', async (t) => {
  const { server, alice, bob, carol, eve, general, secret, dm } = await startTeam(t)
  const people = [alice, bob, carol, eve]
  const attempts = Array.from({ length: 80 }, (_, i) => (i % 5 === 4 ? { bad: `not-a-token-${i}` } : { person: people[i % 4]! }))
  const results = await Promise.all(
    attempts.map(async (a) => ('bad' in a ? { bad: await server.connectError({ token: a.bad }) } : { person: a.person, socket: await server.connect(a.person.token) })),
  )
  const refused = results.flatMap((r) => ('bad' in r ? [r.bad] : []))
  t.equal(refused.length, 16)
  t.ok(refused.every((e) => e?.code === 'unauthenticated'), 'every bad token is refused as unauthenticated')
  const connected = results.flatMap((r) => ('socket' in r ? [r as { person: (typeof people)[number]; socket: LiveSocket }] : []))
  t.equal(connected.length, 64, 'every good token connects')

  // Who each socket is: the server answers with the caller's own user.
  const whoami = await Promise.all(connected.map((c) => c.socket.call('auth.me', {})))
  t.same(whoami.map((u) => u.user.id), connected.map((c) => c.person.id), 'each socket is its own person')

  const inSecret = await alice.call('message.send', { conversationId: secret.id, text: 'private', clientId: randomUUID() })
  const inDm = await bob.call('message.send', { conversationId: dm.id, text: 'just us', clientId: randomUUID() })
  const inGeneral = await carol.call('message.send', { conversationId: general.id, text: 'everyone', clientId: randomUUID() })
  const saw = (s: LiveSocket, id: string) => s.events.some((e) => e.type === 'message.created' && (e.data as { message: { id: string } }).message.id === id)
  // The last message went out after the others: once a socket has it, it would have the others.
  const everyone = connected.filter((c) => c.person !== eve)
  await Promise.all(everyone.map((c) => c.socket.waitFor((e) => e.type === 'message.created' && (e.data as { message: { id: string } }).message.id === inGeneral.id)))
  for (const c of connected) {
    const inside = c.person === alice || c.person === bob
    t.equal(saw(c.socket, inSecret.id), inside, `${c.person.handle}: the private channel's message ${inside ? 'arrives' : 'does not arrive'}`)
    t.equal(saw(c.socket, inDm.id), inside, `${c.person.handle}: the DM ${inside ? 'arrives' : 'does not arrive'}`)
  }
  t.notOk(connected.filter((c) => c.person === eve).some((c) => saw(c.socket, inGeneral.id)), 'eve, of another workspace, hears nothing of it')
})
