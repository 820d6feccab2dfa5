import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Event } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'

t.test('a client that was away gets every missed event exactly once, in order', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const channels = []
  for (let i = 0; i < 5; i++) {
    const c = await alice.call('channel.create', { workspaceId: ws.id, name: `room-${i}` })
    await bob.call('conversation.join', { conversationId: c.id })
    channels.push(c)
  }

  // Bob is connected, learns where every stream stands, then goes away.
  const first = await server.connect(bob.token)
  const cursors = await first.call('sync', { conversations: Object.fromEntries(channels.map((c) => [c.id, 0])), workspaces: { [ws.id]: 0 } })
  const conversationCursors = Object.fromEntries(cursors.conversations.map((p) => [p.streamId, p.lastSeq]))
  first.close()

  // 100 events across the 5 conversations while Bob is away: sends, edits, deletes, topics.
  const expected = new Map<string, number>()
  const sentIn = new Map<string, string[]>(channels.map((c) => [c.id, []]))
  for (let i = 0; i < 100; i++) {
    const c = channels[i % 5]!
    const sent = sentIn.get(c.id)!
    const kind = i % 10
    if (kind === 7 && sent.length > 0) {
      const m = sent.pop()!
      await alice.call('message.edit', { messageId: m, text: `edited ${i}` })
    } else if (kind === 9 && sent.length > 0) {
      const m = sent.shift()!
      await alice.call('message.delete', { messageId: m })
    } else if (kind === 3) {
      await alice.call('conversation.update', { conversationId: c.id, topic: `topic ${i}` })
    } else {
      const m = await alice.call('message.send', { conversationId: c.id, text: `hello ${i}`, clientId: randomUUID() })
      sent.push(m.id)
    }
    expected.set(c.id, (expected.get(c.id) ?? 0) + 1)
  }

  // Bob comes back and pages through sync with a small page size.
  const again = await server.connect(bob.token)
  const received = new Map<string, Event[]>()
  let cursor = { ...conversationCursors }
  for (let round = 0; round < 50; round++) {
    const page = await again.call('sync', { conversations: cursor, limit: 7 })
    t.same(page.gone, [], 'nothing gone')
    let more = false
    for (const p of page.conversations) {
      const list = received.get(p.streamId) ?? []
      list.push(...p.events)
      received.set(p.streamId, list)
      if (p.events.length > 0) cursor = { ...cursor, [p.streamId]: p.events.at(-1)!.seq }
      more ||= p.hasMore
      t.equal(p.reset, false)
    }
    if (!more) break
  }
  let total = 0
  for (const c of channels) {
    const events = received.get(c.id) ?? []
    total += events.length
    t.equal(events.length, expected.get(c.id), `#${c.name}: every missed event`)
    const seqs = events.map((e) => e.seq)
    const start = conversationCursors[c.id]!
    t.same(seqs, seqs.map((_, i) => start + i + 1), `#${c.name}: gap-free, in order, each once`)
    t.ok(events.every((e) => e.conversationId === c.id && e.stream === 'conversation'))
  }
  t.equal(total, 100)
  // A final sync from the new cursors has nothing more.
  const after = await again.call('sync', { conversations: cursor })
  t.ok(after.conversations.every((p) => p.events.length === 0 && !p.hasMore))
})

t.test('sync reports streams the caller can no longer read, and discovers new conversations', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const me = await bob.call('sync', {})
  t.ok(secret.id in me.heads, 'the private channel shows up in heads once invited')
  await alice.call('conversation.kick', { conversationId: secret.id, userId: bob.id })
  const after = await bob.call('sync', { conversations: { [secret.id]: 0 }, user: 0 })
  t.same(after.gone, [secret.id], 'a private channel he was removed from is gone')
  t.notOk(secret.id in after.heads)
  t.same(
    after.user.events.map((e) => e.type),
    ['conversation.added', 'conversation.added', 'conversation.removed'],
    'his own stream says he was added to #general and #secret, then removed',
  )
  t.equal(after.user.events.at(-1)!.conversationId, secret.id)
})

t.test('syncs that arrive together (a reconnect storm) each get exactly what they would get alone', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob', 'carol')
  const [alice, bob, carol] = people
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const own = await carol.call('channel.create', { workspaceId: ws.id, name: 'carols', private: true })
  for (let i = 0; i < 12; i++) {
    for (const [who, c] of [[alice, general!], [bob, secret], [carol, own]] as const) {
      await who.call('message.send', { conversationId: c.id, text: `${c.name} ${i}`, clientId: randomUUID() })
    }
  }
  // Every socket asks about every channel (carol about #secret too), from its own cursors, with
  // its own page size: the same stream is asked from the same and from different cursors.
  const sockets = await Promise.all(Array.from({ length: 45 }, (_, i) => server.connect(people[i % 3]!.token)))
  const asks = sockets.map((_, i) => ({
    conversations: { [general!.id]: i % 7, [secret.id]: (i * 3) % 11, [own.id]: i % 2 },
    workspaces: { [ws.id]: i % 4 },
    user: i % 3,
    limit: [3, 5, 50][i % 3]!,
  }))
  const together = await Promise.all(sockets.map((s, i) => s.call('sync', asks[i]!)))
  for (const [i, s] of sockets.entries()) {
    const alone = await s.call('sync', asks[i]!)
    t.same(together[i], alone, `sync ${i} (${people[i % 3]!.handle}) is the same in the burst as alone`)
  }
  const carols = together.filter((_, i) => i % 3 === 2)
  t.ok(carols.every((r) => r.gone.includes(secret.id) && !r.conversations.some((p) => p.streamId === secret.id)), 'carol never sees #secret')
  const alices = together.filter((_, i) => i % 3 === 0)
  t.ok(alices.every((r) => r.gone.includes(own.id)), 'nor alice carol\'s own channel')
  t.ok(together.some((r) => r.conversations.some((p) => p.hasMore)) && together.some((r) => r.conversations.some((p) => p.events.length > 3)), 'pages of both sizes')
})
