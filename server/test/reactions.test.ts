import t from 'tap'
import type { Event } from '@ocomms/shared'
import { startTeam } from './helpers/team.js'

t.test('reactions: shortcodes and characters are one reaction, idempotent, summarised on every message', async (t) => {
  const { server, alice, bob, carol, general, send } = await startTeam(t)
  const live = await server.connect(carol.token)
  const m = await send(alice, general.id, 'ship it?')

  const a = await bob.call('reaction.add', { messageId: m.id, emoji: ':+1:' })
  t.same(a.reactions, [{ emoji: '👍', count: 1, members: ['bob'] }], 'stored as the emoji character')
  const before = (await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.lastSeq
  const again = await bob.call('reaction.add', { messageId: m.id, emoji: '👍' })
  t.same(again.reactions, a.reactions, 'the same reaction by character changes nothing')
  await bob.call('reaction.add', { messageId: m.id, emoji: 'thumbsup' })
  const after = (await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.lastSeq
  t.equal(after, before, 'and records no event')

  await alice.call('reaction.add', { messageId: m.id, emoji: ':tada:' })
  const c = await carol.call('reaction.add', { messageId: m.id, emoji: '👍' })
  t.same(c.reactions, [
    { emoji: '👍', count: 2, members: ['bob', 'carol'] },
    { emoji: '🎉', count: 1, members: ['alice'] },
  ], 'per emoji in the order first added, members in the order they reacted')

  await t.rejects(bob.call('reaction.add', { messageId: m.id, emoji: ':not-an-emoji-at-all:' }), { code: 'invalid_input' })
  await t.rejects(bob.call('reaction.add', { messageId: m.id, emoji: 'hello world' }), { code: 'invalid_input' })

  const detail = await alice.call('reaction.list', { messageId: m.id })
  t.match(detail, [
    { emoji: '👍', shortcode: '+1', count: 2, members: ['bob', 'carol'], people: [{ handle: 'bob', id: bob.id }, { handle: 'carol' }] },
    { emoji: '🎉', shortcode: 'tada', count: 1, members: ['alice'] },
  ])

  // Every path that returns messages carries the summary.
  const [listed] = (await alice.call('message.list', { conversationId: general.id })).filter((x) => x.id === m.id)
  t.same(listed!.reactions, c.reactions, 'history')
  t.same((await alice.call('message.get', { messageId: m.id })).reactions, c.reactions, 'get')
  await send(bob, general.id, 'reply')
  const reply = await bob.call('message.send', { conversationId: general.id, text: 'in thread', clientId: 'r1', threadRootId: m.id })
  await alice.call('reaction.add', { messageId: reply.id, emoji: ':eyes:' })
  const thread = await alice.call('thread.replies', { messageId: m.id })
  t.same(thread.root.reactions, c.reactions, 'thread root')
  t.same(thread.replies[0]!.reactions, [{ emoji: '👀', count: 1, members: ['alice'] }], 'thread reply')

  const removed = await bob.call('reaction.remove', { messageId: m.id, emoji: ':thumbsup:' })
  t.same(removed.reactions.find((r) => r.emoji === '👍'), { emoji: '👍', count: 1, members: ['carol'] })
  const seqBefore = (await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.lastSeq
  await bob.call('reaction.remove', { messageId: m.id, emoji: ':thumbsup:' })
  t.equal((await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.lastSeq, seqBefore, 'removing twice: no event')

  // Live events carry the member and the new summary.
  const added = await live.waitFor((e) => e.type === 'reaction.added' && (e.data.emoji as string) === '🎉')
  t.match(added.data, { messageId: m.id, emoji: '🎉', member: { id: alice.id, handle: 'alice' }, reactions: [{ emoji: '👍' }, { emoji: '🎉' }] })
  const gone = await live.waitFor((e) => e.type === 'reaction.removed')
  t.match(gone, { conversationId: general.id, data: { messageId: m.id, emoji: '👍', member: { handle: 'bob' } } })
  t.same(gone.data.reactions, removed.reactions)

  // Sync replays them in order: applying the summaries gives the current state.
  const replay = (await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.events
  const reactionEvents = replay.filter((e: Event) => e.type.startsWith('reaction.') && e.data.messageId === m.id)
  t.same(reactionEvents.map((e) => e.type), ['reaction.added', 'reaction.added', 'reaction.added', 'reaction.removed'])
  t.same(reactionEvents.at(-1)!.data.reactions, (await carol.call('message.get', { messageId: m.id })).reactions)
})

t.test('reactions: who may react, deleted and archived', async (t) => {
  const { server, ws, alice, bob, carol, eve, secret, send } = await startTeam(t)
  const s = await send(alice, secret.id, 'private')
  for (const [who, u] of [['a workspace member outside the private channel', carol], ['someone from another workspace', eve]] as const) {
    await t.rejects(u.call('reaction.add', { messageId: s.id, emoji: ':+1:' }), { code: 'not_found' }, `${who} cannot react`)
    await t.rejects(u.call('reaction.remove', { messageId: s.id, emoji: ':+1:' }), { code: 'not_found' })
    await t.rejects(u.call('reaction.list', { messageId: s.id }), { code: 'not_found' }, `${who} cannot list reactions`)
  }
  await bob.call('reaction.add', { messageId: s.id, emoji: ':heart:' })

  // A public channel carol has not joined: she can read, not react (as with posting).
  const news = await alice.call('channel.create', { workspaceId: ws.id, name: 'news' })
  const n = await send(alice, news.id, 'news')
  await t.rejects(carol.call('reaction.add', { messageId: n.id, emoji: ':+1:' }), { code: 'forbidden' }, 'join first')
  t.same(await carol.call('reaction.list', { messageId: n.id }), [], 'but reading is fine')
  await carol.call('conversation.join', { conversationId: news.id })
  await carol.call('reaction.add', { messageId: n.id, emoji: ':+1:' })

  await alice.call('conversation.archive', { conversationId: news.id })
  await t.rejects(carol.call('reaction.add', { messageId: n.id, emoji: ':tada:' }), { code: 'forbidden' }, 'archived: read-only')
  await t.rejects(carol.call('reaction.remove', { messageId: n.id, emoji: ':+1:' }), { code: 'forbidden' })
  t.equal((await carol.call('reaction.list', { messageId: n.id })).length, 1)

  await alice.call('message.delete', { messageId: s.id })
  await t.rejects(bob.call('reaction.add', { messageId: s.id, emoji: ':+1:' }), { code: 'conflict' }, 'not on deleted messages')
  t.same((await bob.call('message.get', { messageId: s.id })).reactions, [], 'a tombstone shows no reactions')
  t.same(await bob.call('reaction.list', { messageId: s.id }), [])

  // Over the socket too, with the same answers.
  const sock = await server.connect(bob.token)
  const m = await send(alice, secret.id, 'again')
  t.equal((await sock.call('reaction.add', { messageId: m.id, emoji: ':rocket:' })).reactions[0]!.emoji, '🚀')
})
