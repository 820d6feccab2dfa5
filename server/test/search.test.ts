import t from 'tap'
import { attachFile, backdate, marked, pin, react, searchSetup as setup, send } from './helpers/search.js'

t.test('every operator', async (t) => {
  const { server, alice, bob, carol, ws, general, ids } = await setup(t)
  const eng = await alice.call('channel.create', { workspaceId: ws.id, name: 'eng' })
  await bob.call('conversation.join', { conversationId: eng.id })
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })
  const group = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id, carol.id] })

  const m1 = await send(alice, general.id, 'The deployment meetings moved to Friday')
  const m2 = await send(bob, general.id, 'I deploy on Friday, see https://example.com/runbook')
  const m3 = await send(bob, eng.id, 'Meeting notes: the friday deploy went fine')
  const m4 = await send(alice, dm.id, 'secret deploy plan for bob')
  const m5 = await send(carol, group.id, 'group deploy thoughts')
  const reply = await send(carol, general.id, 'replying about the deploy', { threadRootId: m1.id })
  await backdate(server, m1, '2024-01-15T12:00:00Z')
  await backdate(server, m2, '2024-01-20T23:30:00Z')
  await backdate(server, m3, '2024-02-03T09:00:00Z')
  await backdate(server, m4, '2023-12-31T10:00:00Z')
  await backdate(server, m5, '2024-03-01T10:00:00Z')
  await backdate(server, reply, '2024-01-16T10:00:00Z')
  await attachFile(server, m3, 'notes.txt')
  await react(server, m2, alice)
  await pin(server, m1, alice)

  const set = (texts: string[]) => [...texts].sort()
  const expect = async (query: string, wanted: Array<{ text: string }>, who = alice) =>
    t.same(set(await ids(who, query)), set(wanted.map((m) => m.text)), query)

  await expect('deploy', [m1, m2, m3, m4, m5, reply])
  await expect('meetings', [m1, m3], alice)
  await expect('MEETING deployed', [m1, m3])
  await expect('"friday deploy"', [m3])
  await expect('"deploy friday"', [])
  await expect('"meeting notes"', [m3])
  await expect('"meetings notes"', [], alice)
  await expect('deploy -friday', [m4, m5, reply])
  await expect('deploy -"friday deploy"', [m1, m2, m4, m5, reply])
  await expect('the deploy', [m1, m3, reply], alice)
  await expect('deploy -the', [m2, m4, m5])
  await expect('from:@bob', [m2, m3])
  await expect('from:bob from:@carol deploy', [m2, m3, m5, reply])
  await expect('from:me', [m1, m4])
  await expect('from:@nobody', [])
  await expect('in:#eng', [m3])
  await expect('in:general friday', [m1, m2])
  await expect('in:#eng in:@bob', [m3, m4])
  await expect('in:@bob', [m4])
  await expect('in:@alice', [m4], bob)
  await expect('in:@bob,@carol', [m5])
  await expect('in:#nosuch', [])
  await expect('has:link', [m2])
  await expect('has:file', [m3])
  await expect('has:reaction', [m2])
  await expect('has:pin', [m1])
  await expect('has:pin has:link', [])
  await expect('is:thread', [m1, reply])
  await expect('on:2024-01-15', [m1])
  await expect('before:2024-01-15', [m4])
  await expect('after:2024-01-20', [m3, m5], alice)
  await expect('after:2024-01-19 before:2024-02-04', [m2, m3])
  await expect('during:2024-01', [m1, m2, reply])
  await expect('during:2023', [m4])
  await expect('on:2024-01-21', [], alice)
  t.same(await ids(alice, 'on:2024-01-21', { timeZone: 'Europe/Paris' }), [m2.text], 'dates are days in the given time zone')
  await expect('during:2024-02 before:2024-01-01', [])
  await expect('on:today', [])
  const fresh = await send(alice, general.id, 'posted today')
  await expect('on:today', [fresh])
  await expect('after:yesterday', [fresh])
})

t.test('grouping, sorting, paging and snippets', async (t) => {
  const { server, alice, bob, ws, general, search } = await setup(t)
  const roadmap = await alice.call('channel.create', { workspaceId: ws.id, name: 'roadmap', topic: 'Where the product goes' })
  const texts = ['roadmap draft one', 'roadmap roadmap roadmap review', 'unrelated', 'the roadmap is final', 'a roadmap\nwith lines']
  const sent = []
  for (const [i, text] of texts.entries()) {
    const m = await send(i % 2 ? bob : alice, general.id, text)
    await backdate(server, m, `2024-05-0${i + 1}T10:00:00Z`)
    sent.push(m)
  }
  const fileId = await attachFile(server, sent[0]!, 'Q3-roadmap_final.pdf')
  await attachFile(server, sent[2]!, 'notes.txt', 'the budget and the roadmap for next year')

  const all = await search(alice, 'roadmap')
  t.same(all.messages.map((m) => m.text), ['a roadmap\nwith lines', 'the roadmap is final', 'roadmap roadmap roadmap review', 'roadmap draft one'], 'newest first')
  t.equal(all.messages[0]!.conversation.id, general.id, 'each message carries its conversation')
  t.equal(all.messages[0]!.conversation.name, 'general')
  t.same(all.files.map((f) => f.name), ['notes.txt', 'Q3-roadmap_final.pdf'], 'files by name and by text content')
  t.equal(all.files[1]!.id, fileId)
  t.equal(all.files[1]!.messageId, sent[0]!.id)
  t.match(marked(all.files[0]!.snippet), /\[roadmap\]/)
  t.same(all.channels.map((c) => c.id), [roadmap.id], 'channels by name')
  t.same(all.people, [])
  t.equal(all.query, 'roadmap')
  t.equal(marked(all.messages[0]!.snippet), 'a [roadmap] with lines', 'snippets mark hits and sit on one line')
  t.equal(marked(all.messages[1]!.snippet), 'the [roadmap] is final')

  const ranked = await search(alice, 'roadmap', { type: 'messages', sort: 'relevance' })
  t.equal(ranked.messages[0]!.text, 'roadmap roadmap roadmap review', 'by relevance on request')
  t.same(ranked.files, [], 'type narrows to one group')
  t.same(ranked.channels, [])

  for (const sort of ['recent', 'relevance'] as const) {
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await search(alice, 'roadmap', { type: 'messages', sort, limit: 3, cursor })
      t.ok(page.messages.length <= 3)
      seen.push(...page.messages.map((m) => m.id))
      t.equal(page.hasMore.messages, page.next.messages !== null)
      cursor = page.next.messages ?? undefined
    } while (cursor)
    t.equal(seen.length, 4, `${sort}: pages cover every hit`)
    t.equal(new Set(seen).size, 4, `${sort}: no hit twice`)
  }
  const first = await search(alice, 'roadmap', { type: 'messages', limit: 2 })
  await send(alice, general.id, 'a brand new roadmap message')
  const second = await search(alice, 'roadmap', { type: 'messages', limit: 2, cursor: first.next.messages! })
  t.same(second.messages.map((m) => m.text), ['roadmap roadmap roadmap review', 'roadmap draft one'], 'new messages do not shift the next page')

  const filtered = await search(alice, 'from:@bob')
  t.same(filtered.messages.map((m) => m.text), ['the roadmap is final', 'roadmap roadmap roadmap review'])
  t.ok(filtered.messages.every((m) => m.author.id === bob.id), 'filters alone search too')
  t.equal(filtered.messages[0]!.snippet, 'the roadmap is final', 'without words the snippet is the text')
  t.same(filtered.channels, [], 'operators describe messages: no people or channels')
  const long = await send(alice, general.id, `${'lorem ipsum '.repeat(60)} needle ${'dolor sit '.repeat(60)}`)
  const hit = (await search(alice, 'needle', { type: 'messages' })).messages[0]!
  t.equal(hit.id, long.id)
  t.ok(hit.snippet.length < 400 && marked(hit.snippet).includes('[needle]'), 'a long message gives a short snippet around the hit')
})

