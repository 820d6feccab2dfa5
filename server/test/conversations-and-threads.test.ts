import t from 'tap'
import { randomUUID } from 'node:crypto'
import { limits } from '@ocomms/shared'
import { startTestServer, type TestUser } from './helpers/server.js'

const send = (u: TestUser, conversationId: string, text: string, extra: { threadRootId?: string; alsoToChannel?: boolean } = {}) =>
  u.call('message.send', { conversationId, text, clientId: randomUUID(), ...extra })

t.test('channels, private channels, DMs and archiving', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob, carol] } = await server.team('alice', 'bob', 'carol')

  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true, topic: 'shh' })
  for (const attempt of [
    () => bob.call('conversation.get', { conversationId: secret.id }),
    () => bob.call('channel.find', { workspaceId: ws.id, name: 'secret' }),
    () => bob.call('message.list', { conversationId: secret.id }),
    () => bob.call('conversation.members', { conversationId: secret.id }),
    () => bob.call('conversation.join', { conversationId: secret.id }),
  ]) {
    await t.rejects(attempt, { code: 'not_found' }, 'a private channel is invisible to non-members')
  }
  const listed = await bob.call('conversation.list', { workspaceId: ws.id, all: true })
  t.notOk(listed.some((c) => c.id === secret.id), 'and not listed')
  await t.rejects(alice.call('channel.create', { workspaceId: ws.id, name: 'secret' }), { code: 'conflict' })
  await t.rejects(alice.call('channel.create', { workspaceId: ws.id, name: 'Bad Name!' }), { code: 'invalid_input' })

  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })
  t.equal(dm.kind, 'dm')
  t.equal((await bob.call('dm.open', { workspaceId: ws.id, userIds: [alice.id] })).id, dm.id, 'the same DM from either side')
  const group = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id, carol.id] })
  t.equal(group.kind, 'group_dm')
  t.equal((await carol.call('dm.open', { workspaceId: ws.id, userIds: [bob.id, alice.id] })).id, group.id)
  await t.rejects(alice.call('conversation.leave', { conversationId: dm.id }), { code: 'invalid_input' })

  const news = await bob.call('channel.create', { workspaceId: ws.id, name: 'news' })
  await t.rejects(send(carol, news.id, 'hi'), { code: 'forbidden' }, 'join a public channel before posting')
  await carol.call('conversation.join', { conversationId: news.id })
  await send(carol, news.id, 'hi')
  await t.rejects(carol.call('conversation.kick', { conversationId: news.id, userId: bob.id }), { code: 'forbidden' })
  const updated = await carol.call('conversation.update', { conversationId: news.id, topic: 'Daily news' })
  t.equal(updated.topic, 'Daily news')
  await bob.call('conversation.archive', { conversationId: news.id })
  await t.rejects(send(carol, news.id, 'late'), { code: 'forbidden' }, 'archived channels are read-only')
  await t.rejects(carol.call('conversation.update', { conversationId: news.id, topic: 'x' }), { code: 'forbidden' })
  t.equal((await carol.call('message.list', { conversationId: news.id })).length, 1, 'and still readable')
  await alice.call('conversation.unarchive', { conversationId: news.id })
  await send(carol, news.id, 'back')
})

t.test('messages: limits, edits, tombstones', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const id = general!.id
  await t.rejects(send(alice, id, 'x'.repeat(limits.messageText + 1)), { code: 'invalid_input' })
  await t.rejects(send(alice, id, ''), { code: 'invalid_input' })
  t.equal((await alice.call('message.list', { conversationId: id })).length, 0, 'refused sends store nothing')
  const m = await send(alice, id, 'x'.repeat(limits.messageText))
  await t.rejects(bob.call('message.edit', { messageId: m.id, text: 'mine now' }), { code: 'forbidden' })
  const edited = await alice.call('message.edit', { messageId: m.id, text: '**bold**' })
  t.ok(edited.editedAt)
  await alice.call('message.delete', { messageId: m.id })
  const [tomb] = await bob.call('message.list', { conversationId: id })
  t.match(tomb, { id: m.id, deleted: true, text: '' }, 'a tombstone keeps its place')
  t.equal((await bob.call('message.getBySeq', { conversationId: id, seq: m.seq })).id, m.id)
})

t.test('threads: counts, participants, also-to-channel and following', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob, carol] } = await server.team('alice', 'bob', 'carol')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const root = await send(alice, general!.id, 'Lunch?')
  const r1 = await send(bob, general!.id, 'Yes', { threadRootId: root.id })
  await send(carol, general!.id, 'Me too', { threadRootId: root.id, alsoToChannel: true })
  await t.rejects(send(bob, general!.id, 'nested', { threadRootId: r1.id }), { code: 'invalid_input' })

  const thread = await alice.call('thread.replies', { messageId: root.id })
  t.equal(thread.root.replyCount, 2)
  t.ok(thread.root.lastReplyAt)
  t.same(thread.root.replyParticipants.map((p) => p.handle), ['bob', 'carol'])
  t.equal(thread.following, true, 'the author follows once replies arrive')
  t.equal((await bob.call('thread.replies', { messageId: root.id })).following, true, 'a replier follows')
  const history = await alice.call('message.list', { conversationId: general!.id })
  t.same(history.map((m) => m.text), ['Lunch?', 'Me too'], 'only also-to-channel replies show in the channel')

  await alice.call('thread.unfollow', { messageId: root.id })
  await bob.call('thread.unfollow', { messageId: root.id })
  await send(bob, general!.id, 'again', { threadRootId: root.id })
  t.equal((await alice.call('thread.replies', { messageId: root.id })).following, false, 'the author keeps an unfollow')
  t.equal((await bob.call('thread.replies', { messageId: root.id })).following, true, 'replying follows again')
})
