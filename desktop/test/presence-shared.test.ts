import t from 'tap'
import { bridgeFor, recorder, startTestServer, team, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

// The daemon has one socket per profile, and the server replaces a socket's presence list at each
// `presence.subscribe`. A window asking for the people it shows must not take everyone else's
// signals away from `ocomms tail` and the other frontends of the same daemon.
t.test("a window's presence subscription adds to the daemon's own instead of replacing it", async (t) => {
  const server = await startTestServer(t)
  const [ann, bob, carol] = (await team(t, server.url, ['ann', 'bob', 'carol'])) as [Person, Person, Person]
  const members = (await bob.call('member.list', {})) as Array<{ id: string; handle: string }>
  const ids = Object.fromEntries(members.map((m) => [m.handle, m.id]))
  const page = bridgeFor(t, bob).session()
  const seen = recorder(page)
  await page.call('subscribe', {})

  // The window follows ann only (the people it shows): it is answered for ann alone.
  const answer = (await page.call('call', { operation: 'presence.subscribe', input: { userIds: [ids.ann!] } })) as Array<{ userId: string }>
  t.same(answer.map((i) => i.userId), [ids.ann], 'answered for the people it asked for')
  await t.rejects(page.call('call', { operation: 'presence.subscribe', input: { userIds: 'ann' } }), { code: 'invalid_input' }, 'checked against the operation')

  // carol, whom the window did not ask for, still reaches the daemon's stream.
  await carol.call('status.set', { text: 'at lunch' })
  const signal = await seen.waitFor((e) => e.event.type === 'presence' && (e.event as { userId?: string }).userId === ids.carol)
  t.match(signal.event, { status: { text: 'at lunch' } }, "the daemon keeps following the workspace's people")
  await ann.call('status.set', { text: 'in a meeting' })
  await seen.waitFor((e) => e.event.type === 'presence' && (e.event as { userId?: string }).userId === ids.ann && JSON.stringify(e.event).includes('in a meeting'))
  t.pass("and the window's own people")
})
