import t from 'tap'
import { PRESENCE_EVENT, type PresenceInfo } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'
import { collect, sleep, team } from './helpers/attention.js'

t.test('presence transitions reach subscribers only', async (t) => {
  const server = await startTestServer(t, { presenceIdleSeconds: 2, attentionSweepSeconds: 0.25 })
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const a = await server.connect(alice.token)
  const c = await server.connect(carol.token)
  const watching = collect<PresenceInfo>(a.socket, PRESENCE_EVENT)
  const notWatching = collect<PresenceInfo>(c.socket, PRESENCE_EVENT)

  const now = await a.call('presence.subscribe', { userIds: [bob.id] })
  t.same(now, [{ userId: bob.id, presence: 'offline', status: null, dnd: false }], 'the answer is the presence now')
  await t.rejects(bob.call('presence.subscribe', { userIds: [alice.id] }), { code: 'invalid_input' }, 'only over a socket')

  const isBob = (p: PresenceInfo['presence']) => (i: PresenceInfo) => i.userId === bob.id && i.presence === p
  const online = watching.next(isBob('online'))
  const b1 = await server.connect(bob.token)
  await online
  t.pass('connect: online')
  t.equal((await alice.call('member.get', { workspaceId: ws.id, member: 'bob' })).presence, 'online', 'member.get agrees')

  await watching.next(isBob('away'), 5000)
  t.pass('idle: away')
  const again = watching.next(isBob('online'))
  await b1.call('presence.activity', {})
  await again
  t.pass('activity: online again')

  for (const [mode, shown] of [['busy', 'busy'], ['away', 'away'], ['auto', 'online']] as const) {
    const seen = watching.next(isBob(shown))
    await b1.call('presence.activity', {})
    await bob.call('presence.set', { mode })
    await seen
    t.pass(`set ${mode}: ${shown}`)
  }

  const dndOn = watching.next((i) => i.userId === bob.id && i.dnd)
  await bob.call('dnd.snooze', { minutes: 30 })
  t.equal((await dndOn).presence, 'busy', 'DND shows as busy')
  t.equal((await alice.call('member.list', { workspaceId: ws.id })).find((m) => m.id === bob.id)!.dnd, true, 'and as a DND mark on the member')
  // Back to online, or to away if he has been idle meanwhile: no longer busy.
  const dndOff = watching.next((i) => i.userId === bob.id && !i.dnd && i.presence !== 'busy')
  await bob.call('dnd.off', {})
  await dndOff

  // Two sockets: one closing keeps him online; the last one closing makes him offline.
  await b1.call('presence.activity', {})
  const b2 = await server.connect(bob.token)
  await sleep(200)
  const before = watching.items.length
  b1.close()
  await sleep(300)
  t.notOk(watching.items.slice(before).some((i) => i.presence === 'offline'), 'still online on the other socket')
  const offline = watching.next(isBob('offline'))
  b2.close()
  await offline
  t.equal((await alice.call('member.get', { workspaceId: ws.id, member: 'bob' })).presence, 'offline')

  t.notOk(notWatching.items.some((i) => i.userId === bob.id), 'carol did not subscribe to bob and heard nothing of him')
  // Replacing the subscription stops the old one.
  await a.call('presence.subscribe', { userIds: [carol.id] })
  const after = watching.items.length
  const b3 = await server.connect(bob.token)
  await sleep(400)
  t.notOk(watching.items.slice(after).some((i) => i.userId === bob.id), 'no more bob after unsubscribing')
  b3.close()
})

t.test('custom status: emoji, expiry cleared automatically; presence is private to shared workspaces', async (t) => {
  const server = await startTestServer(t, { attentionSweepSeconds: 0.25 })
  const { ws, users } = await team(server, ['alice', 'bob'])
  const [alice, bob] = users as [typeof users[0], typeof users[0]]
  const stranger = await server.signup('mallory')
  const a = await server.connect(alice.token)
  const b = await server.connect(bob.token)
  const watching = collect<PresenceInfo>(a.socket, PRESENCE_EVENT)
  await a.call('presence.subscribe', { userIds: [bob.id] })
  t.same(await a.call('presence.subscribe', { userIds: [bob.id, stranger.id] }).then((r) => r.map((x) => x.userId)), [bob.id], 'strangers are left out')

  await t.rejects(bob.call('status.set', { text: 'x', emoji: ':not_an_emoji_at_all:' }), { code: 'invalid_input' })
  const expiresAt = new Date(Date.now() + 1500).toISOString()
  const status = await bob.call('status.set', { text: 'In a meeting', emoji: ':calendar:', expiresAt })
  t.same(status, { text: 'In a meeting', emoji: '📆', expiresAt }, 'the shortcode resolves to the emoji')
  await watching.waitFor((i) => i.status?.text === 'In a meeting')
  t.same((await alice.call('member.get', { workspaceId: ws.id, member: 'bob' })).status, status)
  await b.waitFor((e) => e.type === 'status.updated')

  await watching.waitFor((i) => i.userId === bob.id && i.status === null, 4000)
  t.pass('the status expired and watchers heard')
  const cleared = await b.waitFor((e) => e.type === 'status.updated' && (e.data as { expired?: boolean }).expired === true, 4000)
  t.same(cleared.data.status, null, 'every device of bob hears it too')
  t.equal((await alice.call('member.get', { workspaceId: ws.id, member: 'bob' })).status, null)

  await bob.call('status.set', { text: 'Lunch', expiresInMinutes: 60 })
  await bob.call('status.clear', {})
  t.equal((await alice.call('member.get', { workspaceId: ws.id, member: 'bob' })).status, null, 'cleared by hand')
})
