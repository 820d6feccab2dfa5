import t from 'tap'
import { TYPING_EVENT, TYPING_EXPIRY_MS, type TypingSignal } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'
import { collect, send, sleep, team } from './helpers/attention.js'

t.test('drafts are kept on the server and reach every device', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob'])
  const [alice, bob] = users as [typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const root = await send(bob, general.id, 'a thread')
  const [a1, a2] = [await server.connect(alice.token), await server.connect(alice.token)]

  const draft = await a1.call('draft.set', { conversationId: general.id, text: 'half a thought' })
  t.match(draft, { conversationId: general.id, threadRootId: null, text: 'half a thought' })
  const seen = await a2.waitFor((e) => e.type === 'draft.updated')
  t.same(seen.data.draft, draft, 'the other socket sees the draft')
  await a2.call('draft.set', { conversationId: general.id, threadRootId: root.id, text: 'reply draft' })
  await a1.waitFor((e) => e.type === 'draft.updated' && (e.data as { draft: { threadRootId: string | null } }).draft.threadRootId === root.id)
  const edited = await a2.call('draft.set', { conversationId: general.id, text: 'a whole thought' })

  const list = await a1.call('draft.list', { workspaceId: ws.id })
  t.same(list.map((d) => [d.threadRootId, d.text]), [[null, 'a whole thought'], [root.id, 'reply draft']], 'one per conversation and per thread, newest first')
  t.same(list[0], edited)
  t.same(await bob.call('draft.list', { workspaceId: ws.id }), [], 'drafts are private')

  await a1.call('draft.clear', { conversationId: general.id, threadRootId: root.id })
  await a2.waitFor((e) => e.type === 'draft.cleared')
  t.equal(await a1.call('draft.set', { conversationId: general.id, text: '   ' }), null, 'empty text clears')
  t.same(await a2.call('draft.list', { workspaceId: ws.id }), [])

  const secret = await bob.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await t.rejects(alice.call('draft.set', { conversationId: secret.id, text: 'x' }), { code: 'not_found' }, 'not in a private channel I am not in')
})

t.test('typing reaches the other members only, throttled and expiring', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const [a, b, c] = [await server.connect(alice.token), await server.connect(bob.token), await server.connect(carol.token)]
  const [atyping, btyping, ctyping] = [a, b, c].map((s) => collect<TypingSignal>(s.socket, TYPING_EVENT)) as [
    ReturnType<typeof collect<TypingSignal>>,
    ReturnType<typeof collect<TypingSignal>>,
    ReturnType<typeof collect<TypingSignal>>,
  ]

  const started = Date.now()
  await a.call('typing.start', { conversationId: secret.id })
  const signal = await btyping.waitFor((s) => s.typing)
  t.same(signal, { conversationId: secret.id, threadRootId: null, userId: alice.id, handle: 'alice', typing: true })
  await a.call('typing.start', { conversationId: secret.id })
  await a.call('typing.start', { conversationId: secret.id })
  await sleep(200)
  t.equal(btyping.items.filter((s) => s.typing).length, 1, 'renewals within a few seconds are not relayed again')

  const stopped = await btyping.waitFor((s) => !s.typing, TYPING_EXPIRY_MS + 3000)
  const lasted = Date.now() - started
  t.equal(stopped.userId, alice.id)
  t.ok(lasted >= TYPING_EXPIRY_MS - 500, `it expired by itself after ${lasted} ms`)

  // Stop and send both end the indicator at once.
  await b.call('typing.start', { conversationId: secret.id })
  await atyping.waitFor((s) => s.userId === bob.id && s.typing)
  await b.call('typing.stop', { conversationId: secret.id })
  await atyping.waitFor((s) => s.userId === bob.id && !s.typing, 1000)
  const root = await send(bob, secret.id, 'root')
  await b.call('typing.start', { conversationId: secret.id, threadRootId: root.id })
  await atyping.waitFor((s) => s.threadRootId === root.id && s.typing)
  await send(bob, secret.id, 'reply', { threadRootId: root.id })
  await atyping.waitFor((s) => s.threadRootId === root.id && !s.typing, 1000)
  t.pass('stop and send end it')

  await sleep(200)
  t.notOk(atyping.items.some((s) => s.userId === alice.id), 'the typist does not hear herself')
  t.same(ctyping.items, [], 'a non-member of the private channel hears nothing')
  await t.rejects(c.call('typing.start', { conversationId: secret.id }), { code: 'not_found' }, 'and cannot type there')
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  await carol.call('conversation.leave', { conversationId: general.id })
  await t.rejects(c.call('typing.start', { conversationId: general.id }), { code: 'forbidden' }, 'a public channel must be joined first')
})

t.test('DND settings are stored on the server and reach every device', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const [a1, a2] = [await server.connect(alice.token), await server.connect(alice.token)]
  t.same(await a1.call('dnd.get', {}), { active: false, reason: null, until: null, snoozeUntil: null, scheduleOffUntil: null, schedule: null, timeZone: 'UTC' })
  await t.rejects(a1.call('dnd.schedule', { spec: 'mon-fri 9-17' }), { code: 'invalid_input', message: /"9" is not a time \(HH:MM\)/ })
  await t.rejects(a1.call('dnd.schedule', { timeZone: 'Mars/Olympus' }), { code: 'invalid_input', message: /IANA time zone/ })
  const set = await a1.call('dnd.schedule', { spec: 'Monday-Friday 9:00-18:00', timeZone: 'Europe/Berlin' })
  t.match(set, { schedule: 'mon-fri 09:00-18:00', timeZone: 'Europe/Berlin' }, 'stored in canonical form')
  const heard = await a2.waitFor((e) => e.type === 'dnd.updated')
  t.match(heard.data, { dnd: { schedule: 'mon-fri 09:00-18:00', timeZone: 'Europe/Berlin' } })

  const until = new Date(Date.now() + 3_600_000).toISOString()
  const snoozed = await a2.call('dnd.snooze', { until })
  t.match(snoozed, { active: true, reason: 'snooze', snoozeUntil: until })
  await t.rejects(a2.call('dnd.snooze', { minutes: 5, until }), { code: 'invalid_input' })
  await t.rejects(a2.call('dnd.snooze', { until: '2020-01-01T00:00:00Z' }), { code: 'invalid_input' })
  t.match(await a1.call('dnd.off', {}), { snoozeUntil: null, schedule: 'mon-fri 09:00-18:00' }, 'off ends the snooze; the schedule stays')
  t.match(await a1.call('dnd.schedule', { spec: null }), { schedule: null, active: false, timeZone: 'Europe/Berlin' })

  // A schedule that holds notifications back right now: "off" suspends it until it would allow.
  const h = new Date().getUTCHours()
  const hh = (n: number) => `${String(n % 24).padStart(2, '0')}:00`
  const held = await a1.call('dnd.schedule', { spec: `daily ${hh(h + 2)}-${hh(h + 3)}`, timeZone: 'UTC' })
  t.match(held, { active: true, reason: 'schedule', scheduleOffUntil: null })
  const off = await a1.call('dnd.off', {})
  t.match(off, { active: false, reason: null, scheduleOffUntil: held.until })
  t.match(await a2.call('dnd.get', {}), { active: false, scheduleOffUntil: held.until }, 'every device agrees')
  t.match(await a1.call('dnd.schedule', { spec: `daily ${hh(h + 2)}-${hh(h + 3)}` }), { active: true, scheduleOffUntil: null }, 'a new schedule applies at once')
})
