import t from 'tap'
import type { Unreads } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'
import { send, sleep, team } from './helpers/attention.js'

const counts = (u: Unreads) => ({
  conversations: Object.fromEntries(u.conversations.map((c) => [c.conversation.name ?? c.conversation.kind, [c.unread, c.mentions]])),
  threads: u.threads.map((x) => [x.root.text, x.unread, x.mentions]),
  total: u.total,
})

t.test('unread counts: two sockets of one member agree, and change only when told', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob'])
  const [alice, bob] = users as [typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const b1 = await server.connect(bob.token)
  const b2 = await server.connect(bob.token)

  const m1 = await send(alice, general.id, 'one')
  const m2 = await send(alice, general.id, 'two @bob')
  await send(bob, general.id, 'my own message does not count')
  const m3 = await send(alice, general.id, 'three')
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })
  await send(alice, dm.id, 'psst')

  const first = await b1.call('unreads', { workspaceId: ws.id })
  t.same(counts(first), { conversations: { general: [3, 1], dm: [1, 1] }, threads: [], total: 4 }, 'every message by others; DMs count as mentions')
  t.same(counts(await b2.call('unreads', { workspaceId: ws.id })), counts(first), 'the other socket agrees')
  await sleep(300)
  t.same(counts(await b1.call('unreads', { workspaceId: ws.id })), counts(first), 'reading the counts reads nothing')
  await b1.call('message.list', { conversationId: general.id })
  t.same(counts(await b1.call('unreads', { workspaceId: ws.id })), counts(first), 'neither does fetching history')

  // Mark read up to m2 on one socket: the other hears it, and both agree.
  const marked = await b1.call('read.mark', { conversationId: general.id, seq: m2.seq })
  t.same(marked, { conversationId: general.id, threadRootId: null, lastReadSeq: m2.seq })
  const heard = await b2.waitFor((e) => e.type === 'read.marked')
  t.match(heard.data, { conversationId: general.id, lastReadSeq: m2.seq, unread: false })
  t.same(counts(await b2.call('unreads', { workspaceId: ws.id })).conversations, { general: [1, 0], dm: [1, 1] })
  t.same(await b1.call('read.mark', { conversationId: general.id, seq: m1.seq }), marked, 'mark-read never moves back')

  await b2.call('read.mark', { conversationId: general.id })
  await b2.call('read.mark', { conversationId: dm.id })
  const none = await b1.call('unreads', { workspaceId: ws.id })
  t.same(counts(none), { conversations: {}, threads: [], total: 0 }, 'all read')
  t.equal((await b1.call('unreads', { workspaceId: ws.id, all: true })).conversations.length, 2, 'with all, read ones are listed too')

  // Mark unread from m2: m2 and everything after it is unread again, on every device.
  const unread = await b1.call('read.markUnread', { messageId: m2.id })
  t.equal(unread.lastReadSeq, m2.seq - 1)
  await b2.waitFor((e) => e.type === 'read.marked' && (e.data as { unread?: boolean }).unread === true)
  t.same(counts(await b2.call('unreads', { workspaceId: ws.id })).conversations, { general: [2, 1] }, 'm2 (a mention) and m3')
  const synced = await bob.call('sync', { user: 0 })
  t.ok(synced.user.events.some((e) => e.type === 'read.marked' && (e.data as { unread?: boolean }).unread), 'a device that was away catches up through sync')
  t.ok(m3.seq > m2.seq)

  // Deleted messages stop counting.
  await alice.call('message.delete', { messageId: m2.id })
  t.same(counts(await b1.call('unreads', { workspaceId: ws.id })).conversations, { general: [1, 0] })
})

t.test('followed threads, joining with history, and access', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })

  const root = await send(bob, general.id, 'question?')
  await bob.call('read.mark', { conversationId: general.id })
  await send(alice, general.id, 'answer 1', { threadRootId: root.id })
  await send(alice, general.id, 'answer 2 @bob', { threadRootId: root.id })
  await send(bob, general.id, 'thanks', { threadRootId: root.id })
  const shared = await send(carol, general.id, 'also in channel', { threadRootId: root.id, alsoToChannel: true })

  const u = await bob.call('unreads', { workspaceId: ws.id })
  t.same(counts(u), { conversations: { general: [1, 0] }, threads: [['question?', 3, 1]], total: 4 }, 'replies count in the thread; one also in the channel counts there too')
  t.equal(u.threads[0]!.root.id, root.id)
  await bob.call('read.mark', { conversationId: general.id, threadRootId: root.id })
  t.same(counts(await bob.call('unreads', { workspaceId: ws.id })).threads, [], 'thread read')
  await bob.call('read.markUnread', { messageId: shared.id })
  t.same(counts(await bob.call('unreads', { workspaceId: ws.id })), { conversations: { general: [1, 0] }, threads: [['question?', 1, 0]], total: 2 }, 'mark-unread of a reply')

  // Carol follows by hand: replies before that are not unread for her; later ones are.
  const other = await send(alice, general.id, 'another thread')
  await send(bob, general.id, 'old reply', { threadRootId: other.id })
  await sleep(20)
  await carol.call('thread.follow', { messageId: other.id })
  await send(bob, general.id, 'new reply', { threadRootId: other.id })
  const carols = counts(await carol.call('unreads', { workspaceId: ws.id }))
  t.same(carols.threads.find(([text]) => text === 'another thread'), ['another thread', 1, 0])

  // Named in a reply, carol follows that thread from then on.
  const q = await send(bob, general.id, 'who knows?')
  await send(alice, general.id, 'maybe @carol', { threadRootId: q.id })
  await send(bob, general.id, 'carol?', { threadRootId: q.id })
  t.same(counts(await carol.call('unreads', { workspaceId: ws.id })).threads.find(([text]) => text === 'who knows?'), ['who knows?', 2, 1])
  t.equal((await carol.call('thread.replies', { messageId: q.id })).following, true)

  // Joining a channel with history: what came before is not unread.
  const busy = await alice.call('channel.create', { workspaceId: ws.id, name: 'busy' })
  for (let i = 0; i < 3; i++) await send(alice, busy.id, `history ${i}`)
  await carol.call('conversation.join', { conversationId: busy.id })
  await sleep(20)
  await send(alice, busy.id, 'after carol joined')
  t.same(counts(await carol.call('unreads', { workspaceId: ws.id })).conversations.busy, [1, 0])

  // A private channel: outsiders cannot mark or count it.
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await t.rejects(carol.call('read.mark', { conversationId: secret.id }), { code: 'not_found' })
  const hidden = await send(alice, secret.id, 'hidden')
  await t.rejects(carol.call('read.markUnread', { messageId: hidden.id }), { code: 'not_found' })
  t.notOk(Object.hasOwn(counts(await carol.call('unreads', { workspaceId: ws.id })).conversations, 'secret'))
})
