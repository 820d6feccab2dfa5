import t from 'tap'
import { startTeam } from './helpers/team.js'

t.test('pins: who and when, list, refusals, events, deleting unpins', async (t) => {
  const { server, alice, bob, carol, eve, general, secret, dm, send } = await startTeam(t)
  const live = await server.connect(carol.token)
  const one = await send(alice, general.id, 'first')
  const two = await send(bob, general.id, 'second')

  const pinned = await bob.call('pin.add', { messageId: one.id, conversationId: general.id })
  t.equal(pinned.pinned, true)
  await alice.call('pin.add', { messageId: two.id })
  const seq = (await carol.call('conversation.get', { conversationId: general.id })).lastSeq
  t.equal((await carol.call('pin.add', { messageId: two.id })).pinned, true, 'pinning a pinned message')
  t.equal((await carol.call('conversation.get', { conversationId: general.id })).lastSeq, seq, 'changes nothing, records nothing')

  const pins = await carol.call('pin.list', { conversationId: general.id })
  t.same(pins.map((p) => p.id), [two.id, one.id], 'most recently pinned first')
  t.match(pins[1], { id: one.id, text: 'first', pinned: true, pinnedBy: { id: bob.id, handle: 'bob' }, pinnedAt: String })
  t.ok(Date.parse(pins[0]!.pinnedAt) >= Date.parse(pins[1]!.pinnedAt))
  t.equal((await carol.call('message.get', { messageId: one.id })).pinned, true, 'messages show the pin mark')
  t.equal((await carol.call('message.list', { conversationId: general.id })).filter((m) => m.pinned).length, 2)

  const ev = await live.waitFor((e) => e.type === 'message.pinned' && e.data.messageId === one.id)
  t.match(ev, { stream: 'conversation', conversationId: general.id, data: { pinnedBy: { handle: 'bob' }, pinnedAt: String, message: { id: one.id, pinned: true } } })

  // Refused: another conversation's message, a deleted message; DMs work for their members.
  const elsewhere = await send(alice, secret.id, 'in secret')
  await t.rejects(alice.call('pin.add', { messageId: elsewhere.id, conversationId: general.id }), { code: 'invalid_input' }, 'a message of another conversation')
  const doomed = await send(alice, general.id, 'doomed')
  await alice.call('message.delete', { messageId: doomed.id })
  await t.rejects(alice.call('pin.add', { messageId: doomed.id }), { code: 'conflict' }, 'a deleted message')
  const d = await send(bob, dm.id, 'our plan')
  t.equal((await alice.call('pin.add', { messageId: d.id })).pinned, true, 'pins in a DM')
  t.equal((await bob.call('pin.list', { conversationId: dm.id })).length, 1)

  // Access: private channel, DM and another workspace are invisible.
  await alice.call('pin.add', { messageId: elsewhere.id })
  for (const u of [carol, eve]) {
    await t.rejects(u.call('pin.list', { conversationId: secret.id }), { code: 'not_found' }, `${u.handle} cannot list a private channel's pins`)
    await t.rejects(u.call('pin.add', { messageId: elsewhere.id }), { code: 'not_found' })
    await t.rejects(u.call('pin.remove', { messageId: elsewhere.id }), { code: 'not_found' })
    await t.rejects(u.call('pin.list', { conversationId: dm.id }), { code: 'not_found' })
    await t.rejects(u.call('pin.add', { messageId: d.id }), { code: 'not_found' })
  }
  await t.rejects(eve.call('pin.list', { conversationId: general.id }), { code: 'not_found' }, 'another workspace')

  // Unpin; deleting a pinned message unpins it with an event.
  t.equal((await carol.call('pin.remove', { messageId: two.id })).pinned, false)
  const un = await live.waitFor((e) => e.type === 'message.unpinned' && e.data.messageId === two.id)
  t.match(un.data, { by: { handle: 'carol' }, reason: 'unpinned' })
  await alice.call('message.delete', { messageId: one.id })
  const del = await live.waitFor((e) => e.type === 'message.unpinned' && e.data.messageId === one.id)
  t.match(del.data, { by: null, reason: 'deleted' })
  t.same(await carol.call('pin.list', { conversationId: general.id }), [], 'nothing pinned any more')

  // Sync replays pins in order.
  const events = (await carol.call('sync', { conversations: { [general.id]: 0 } })).conversations[0]!.events
  t.same(
    events.filter((e) => e.type.startsWith('message.') && e.type.endsWith('pinned')).map((e) => `${e.type}:${e.data.messageId === one.id ? 'one' : 'two'}`),
    ['message.pinned:one', 'message.pinned:two', 'message.unpinned:two', 'message.unpinned:one'],
  )
  const seqs = events.map((e) => e.seq)
  t.same(seqs, seqs.map((_, i) => i + 1), 'gap-free')
})

t.test('saved items: private, newest first, paged, hidden when unreadable, followed by the owner\'s devices', async (t) => {
  const { server, ws, alice, bob, carol, eve, general, secret, send } = await startTeam(t)
  const phone = await server.connect(bob.token)
  const carolLive = await server.connect(carol.token)
  const msgs = []
  for (let i = 0; i < 5; i++) msgs.push(await send(alice, general.id, `note ${i}`))
  const s = await send(alice, secret.id, 'secret note')

  for (const m of msgs) await bob.call('saved.add', { messageId: m.id })
  const first = await bob.call('saved.add', { messageId: s.id })
  t.match(first, { id: s.id, text: 'secret note', savedAt: String })
  const again = await bob.call('saved.add', { messageId: s.id })
  t.equal(again.savedAt, first.savedAt, 'saving twice keeps the first save')

  const all = await bob.call('saved.list', {})
  t.same(all.map((m) => m.text), ['secret note', 'note 4', 'note 3', 'note 2', 'note 1', 'note 0'], 'newest first')
  const page1 = await bob.call('saved.list', { limit: 4, workspaceId: ws.id })
  const page2 = await bob.call('saved.list', { limit: 4, before: page1.at(-1)!.savedAt })
  t.same([...page1, ...page2].map((m) => m.id), all.map((m) => m.id), 'paging with before = last savedAt')

  const ev = await phone.waitFor((e) => e.type === 'saved.added' && e.data.messageId === s.id)
  t.match(ev, { stream: 'user', streamId: bob.id, data: { savedAt: first.savedAt, message: { id: s.id } } })

  // Private to their owner.
  t.same(await alice.call('saved.list', {}), [], 'alice sees none of bob\'s')
  t.same(await carol.call('saved.list', {}), [])
  t.same(await eve.call('saved.list', {}), [])
  await t.rejects(carol.call('saved.add', { messageId: s.id }), { code: 'not_found' }, 'cannot save what you cannot read')
  await t.rejects(eve.call('saved.add', { messageId: msgs[0]!.id }), { code: 'not_found' })
  t.notOk(carolLive.events.some((e) => e.type.startsWith('saved.')), 'nobody else hears about it')

  // Unreadable → not returned: left the private channel, deleted message.
  await bob.call('conversation.leave', { conversationId: secret.id })
  await alice.call('message.delete', { messageId: msgs[4]!.id })
  const now = await bob.call('saved.list', {})
  t.same(now.map((m) => m.text), ['note 3', 'note 2', 'note 1', 'note 0'])
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  t.equal((await bob.call('saved.list', {}))[0]!.id, s.id, 'back in the channel: back in the list')

  await bob.call('saved.remove', { messageId: msgs[0]!.id })
  await bob.call('saved.remove', { messageId: msgs[0]!.id })
  const removed = await phone.waitFor((e) => e.type === 'saved.removed')
  t.same(removed.data, { messageId: msgs[0]!.id })
  t.equal(phone.events.filter((e) => e.type === 'saved.removed').length, 1, 'unsaving twice: one event')
  t.notOk((await bob.call('saved.list', {})).some((m) => m.id === msgs[0]!.id))
  await t.rejects(eve.call('saved.remove', { messageId: msgs[1]!.id }), { code: 'not_found' })
  t.equal((await bob.call('saved.list', {})).length, 4, 'others cannot unsave it')

  // Sync of the user stream replays saves for another device.
  const sync = await bob.call('sync', { user: 0 })
  t.same(sync.user.events.filter((e) => e.type.startsWith('saved.')).map((e) => e.type), [...Array(6).fill('saved.added'), 'saved.removed'])
})
