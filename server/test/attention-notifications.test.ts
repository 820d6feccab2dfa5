import t from 'tap'
import type { Event, NotificationData } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'
import { send, sleep, team } from './helpers/attention.js'

const notifications = (events: Event[]) => events.filter((e) => e.type === 'notification').map((e) => e.data as unknown as NotificationData)

t.test('the server decides who is notified, and tells only them', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })
  const [a, b1, b2, c] = [await server.connect(alice.token), await server.connect(bob.token), await server.connect(bob.token), await server.connect(carol.token)]
  const reasonsFor = (s: typeof a) => notifications(s.events).map((n) => [n.messageId, n.reason])

  const inDm = await send(alice, dm.id, 'lunch?')
  const n = await b1.waitFor((e) => e.type === 'notification')
  t.equal(n.stream, 'user', 'a user-stream event')
  t.equal(n.streamId, bob.id)
  t.match(n.data, { conversationId: dm.id, messageId: inDm.id, reason: 'dm', conversation: { kind: 'dm' }, message: { text: 'lunch?', author: { handle: 'alice' } } })
  await b2.waitFor((e) => e.type === 'notification' && (e.data as { messageId?: string }).messageId === inDm.id)
  t.pass('every device of the recipient gets it')

  const plain = await send(alice, general.id, 'good morning')
  const mention = await send(alice, general.id, 'ping @bob')
  await carol.call('keywords.add', { word: 'outage' })
  const keyword = await send(bob, general.id, 'OUTAGE in eu-west')
  const root = await send(carol, general.id, 'thread start')
  const reply = await send(bob, general.id, 'a reply', { threadRootId: root.id })
  await sleep(300)
  t.same(reasonsFor(b1), [[inDm.id, 'dm'], [mention.id, 'mention']], 'bob: the DM and his mention; a plain channel message stays quiet')
  t.same(reasonsFor(c), [[keyword.id, 'keyword'], [reply.id, 'thread']], 'carol: her keyword and a reply in her thread')
  t.same(reasonsFor(a), [], 'alice is never notified of her own messages')
  t.notOk(notifications(c.events).some((x) => x.messageId === plain.id))

  // Preferences: level all, mute, ignore @channel.
  await carol.call('notify.set', { conversationId: general.id, level: 'all' })
  const chatter = await send(alice, general.id, 'chatter')
  await c.waitFor((e) => e.type === 'notification' && (e.data as { messageId?: string }).messageId === chatter.id)
  t.equal(notifications(c.events).at(-1)!.reason, 'all')
  t.same(
    await carol.call('notify.get', { conversationId: general.id }),
    { conversationId: general.id, level: 'all', effectiveLevel: 'all', muted: false, ignoreChannelMentions: false },
  )
  await bob.call('notify.set', { conversationId: general.id, ignoreChannelMentions: true })
  await carol.call('notify.set', { conversationId: general.id, muted: true })
  const everyone = await send(alice, general.id, '@channel fire drill')
  const named = await send(alice, general.id, '@carol you too')
  await c.waitFor((e) => e.type === 'notification' && (e.data as { messageId?: string }).messageId === named.id)
  await sleep(300)
  t.notOk(notifications(b1.events).some((x) => x.messageId === everyone.id), 'bob ignores @channel here')
  t.notOk(notifications(c.events).some((x) => x.messageId === everyone.id), 'carol muted the channel')
  t.equal(notifications(c.events).at(-1)!.reason, 'mention', 'a personal mention gets through a mute')
  t.same(
    (await carol.call('notify.list', { workspaceId: ws.id })).map((p) => [p.conversationId, p.level, p.muted]),
    [[general.id, 'all', true]],
  )
  await bob.call('notify.set', { conversationId: dm.id, level: 'none' })
  const hush = await send(alice, dm.id, 'hello @bob?')
  await sleep(300)
  t.notOk(notifications(b1.events).some((x) => x.messageId === hush.id), 'level none silences even mentions')

  // The same events come back through sync, for a device that was offline.
  const synced = await bob.call('sync', { user: 0 })
  const fromSync = synced.user.events.filter((e) => e.type === 'notification').map((e) => (e.data as { messageId: string }).messageId)
  t.same(fromSync, notifications(b1.events).map((x) => x.messageId), 'sync replays them in order')
  t.ok(c.events.every((e) => e.type !== 'notification' || e.streamId === carol.id), 'nobody receives anyone else\'s notifications')
})

t.test('keywords: whole words, any case, per member', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  t.same(await alice.call('keywords.add', { word: '  Release ' }), { keywords: ['release'] })
  t.same(await alice.call('keywords.add', { word: 'oncall' }), { keywords: ['oncall', 'release'] })
  t.same(await alice.call('keywords.add', { word: 'ONCALL' }), { keywords: ['oncall', 'release'] }, 'no duplicates')
  t.same(await alice.call('keywords.remove', { word: 'release' }), { keywords: ['oncall'] })
  await t.rejects(alice.call('keywords.remove', { word: 'nope' }), { code: 'not_found' })
  t.same(await alice.call('keywords.get', {}), { keywords: ['oncall'] })
  await t.rejects(alice.call('keywords.add', { word: '   ' }), { code: 'invalid_input' })
})
