import t from 'tap'
import postgres from 'postgres'
import type { Message } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'

/**
 * Plain sends arriving while the server is busy are stored together (group commit, see
 * src/db/batcher.ts): these bursts make batches, and pin what must not change because of them.
 */

t.test('a burst of sends to several conversations: all stored once, in shared transactions, every stream without gaps', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob', 'carol', 'dave')
  const [alice] = people
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const channels = [general!]
  for (const name of ['design', 'ops']) {
    const c = await alice.call('channel.create', { workspaceId: ws.id, name })
    for (const p of people.slice(1)) await p.call('conversation.join', { conversationId: c.id })
    channels.push(c)
  }
  const sockets = await Promise.all(people.map((p) => server.connect(p.token)))
  const listener = await server.connect(alice.token)
  const sent = await Promise.all(
    Array.from({ length: 160 }, (_, i) =>
      sockets[i % 4]!.call('message.send', { conversationId: channels[i % 3]!.id, text: i % 10 === 0 ? `burst ${i} @carol` : `burst ${i}`, clientId: `burst-${i}` }),
    ),
  )
  t.equal(new Set(sent.map((m) => m.id)).size, 160, 'every send was acknowledged with a message of its own')
  t.same(
    sent.map((m) => m.text),
    Array.from({ length: 160 }, (_, i) => (i % 10 === 0 ? `burst ${i} @carol` : `burst ${i}`)),
    'each sender got their own message back',
  )

  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [{ messages, commits }] = await sql<{ messages: number; commits: number }[]>`
    select count(*)::int as messages, count(distinct created_at)::int as commits from messages where client_id like 'burst-%'`
  t.equal(messages, 160, 'one row per send')
  t.ok(commits < messages, `sends shared transactions (${messages} messages in ${commits} transactions)`)
  const [{ mixed }] = await sql<{ mixed: number }[]>`
    select count(*)::int as mixed from (select created_at from messages where client_id like 'burst-%'
      group by created_at having count(distinct conversation_id) > 1) x`
  t.ok(mixed > 0, 'a transaction carried messages of several conversations')
  // The same transaction id (xmin) on a message, its event and its mention rows: stored together.
  const [{ apart, mentioned }] = await sql<{ apart: number; mentioned: number }[]>`
    select count(*) filter (where m.xmin::text <> e.xmin::text or (x.message_id is not null and x.xmin::text <> m.xmin::text))::int as apart,
           count(x.message_id)::int as mentioned
      from messages m
      join events e on e.stream = 'conversation' and e.stream_id = m.conversation_id and e.seq = m.seq
      left join mentions x on x.message_id = m.id
     where m.client_id like 'burst-%'`
  t.equal(apart, 0, 'each message was committed with its event and its mentions')
  const naming = Array.from({ length: 160 }, (_, i) => i).filter((i) => i % 10 === 0 && i % 4 !== 2).length
  t.equal(mentioned, naming, `the ${naming} messages naming @carol that she did not send mention her`)

  for (const c of channels) {
    const [stream] = await sql<{ last_seq: string; events: number; max: number; created: number; stored: number }[]>`
      select c.last_seq, count(e.*)::int as events, max(e.seq)::int as max,
             count(e.*) filter (where e.type = 'message.created')::int as created,
             (select count(*)::int from messages m where m.conversation_id = c.id and m.client_id like 'burst-%') as stored
        from conversations c left join events e on e.stream = 'conversation' and e.stream_id = c.id
       where c.id = ${c.id} group by c.id`
    t.equal(Number(stream!.last_seq), stream!.max, `#${c.name}: the stream head is its last event`)
    t.equal(stream!.events, stream!.max, `#${c.name}: seqs 1..${stream!.max} without a gap`)
    t.equal(stream!.created, stream!.stored, `#${c.name}: one message.created per message`)
    const [{ wrong }] = await sql<{ wrong: number }[]>`
      select count(*)::int as wrong from messages m
        join events e on e.stream = 'conversation' and e.stream_id = m.conversation_id and e.seq = m.seq
       where m.conversation_id = ${c.id} and m.client_id like 'burst-%' and (e.type <> 'message.created' or e.data->'message'->>'id' <> m.id::text)`
    t.equal(wrong, 0, `#${c.name}: each message's seq is its own message.created event`)
  }
  const live = await listener.waitFor(() => listener.events.filter((e) => e.type === 'message.created').length >= 160)
  t.ok(live, 'a member of all three channels received all 160 live')
  const bySeq = new Map<string, number[]>()
  for (const e of listener.events.filter((e) => e.type === 'message.created')) bySeq.set(e.streamId, [...(bySeq.get(e.streamId) ?? []), e.seq])
  for (const [id, seqs] of bySeq) t.equal(new Set(seqs).size, seqs.length, `no event delivered twice in ${id}`)
})

t.test('retries inside a burst store one message each and answer every caller with it', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const [a, b] = await Promise.all([server.connect(alice.token), server.connect(bob.token)])
  const calls: Array<Promise<Message>> = []
  for (let i = 0; i < 60; i++) {
    // Every alice send twice (over the socket and REST), between bob's sends.
    const input = { conversationId: general!.id, text: `twice ${i}`, clientId: `twice-${i}` }
    calls.push(a.call('message.send', input), b.call('message.send', { conversationId: general!.id, text: `once ${i}`, clientId: `once-${i}` }), alice.call('message.send', input))
  }
  const results = await Promise.all(calls)
  for (let i = 0; i < 60; i++) t.equal(results[3 * i]!.id, results[3 * i + 2]!.id, `both callers of twice-${i} got one message`)
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [{ n, ids }] = await sql<{ n: number; ids: number }[]>`
    select count(*)::int as n, count(distinct client_id)::int as ids from messages where conversation_id = ${general!.id}`
  t.equal(n, 120, '120 rows for 180 calls')
  t.equal(ids, 120)
  const [{ events, max }] = await sql<{ events: number; max: number }[]>`
    select count(*)::int as events, max(seq)::int as max from events where stream = 'conversation' and stream_id = ${general!.id}`
  t.equal(events, max, 'no seq was spent on a retry')
})

t.test('a send the database refuses fails alone: the sends stored with it in a batch are not lost', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice] } = await server.team('alice')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const live = await server.connect(alice.token)
  const outcomes = await Promise.allSettled(
    Array.from({ length: 80 }, (_, i) =>
      live.call('message.send', { conversationId: general!.id, text: i === 40 ? 'nul \u0000 inside' : `fine ${i}`, clientId: `mixed-${i}` }),
    ),
  )
  const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ i, reason: o.reason as { code: string } }] : []))
  t.same(refused.map((r) => r.i), [40], 'only the message with a NUL character was refused')
  t.equal(refused[0]?.reason.code, 'invalid_input', 'as invalid input')
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages where client_id like 'mixed-%'`
  t.equal(n, 79, 'the other 79 were stored')
})

t.test('sends their checks refuse, inside a burst: each refused with its exact reason, nothing else lost or doubled', async (t) => {
  // A plain send is checked inside its batch's transaction; one it refuses rolls the batch back
  // and every send of it takes the full path, which answers each exactly.
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  const news = await alice.call('channel.create', { workspaceId: ws.id, name: 'news' })
  const old = await alice.call('channel.create', { workspaceId: ws.id, name: 'old' })
  await bob.call('conversation.join', { conversationId: old.id })
  await alice.call('conversation.archive', { conversationId: old.id })
  const [a, b] = await Promise.all([server.connect(alice.token), server.connect(bob.token)])
  const first = await b.call('message.send', { conversationId: general!.id, text: 'sent before', clientId: 'before' })
  const wrong = [
    { conversationId: secret.id, code: 'not_found' }, // private, bob not in it
    { conversationId: '00000000-0000-4000-8000-000000000000', code: 'not_found' },
    { conversationId: news.id, code: 'forbidden' }, // public, bob has not joined
    { conversationId: old.id, code: 'forbidden' }, // archived
  ]
  const calls: Array<Promise<Message>> = []
  for (let i = 0; i < 40; i++) {
    calls.push(a.call('message.send', { conversationId: general!.id, text: `fine ${i}`, clientId: `fine-${i}` }))
    if (i % 10 === 5) {
      const w = wrong[(i - 5) / 10]!
      calls.push(b.call('message.send', { conversationId: w.conversationId, text: `wrong ${i}`, clientId: `wrong-${i}` }))
    }
    if (i === 20) calls.push(b.call('message.send', { conversationId: general!.id, text: 'sent before', clientId: 'before' }))
  }
  const outcomes = await Promise.allSettled(calls)
  const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code: string }).code] : []))
  t.same(refused, wrong.map((w) => w.code), 'each wrong send refused with its own reason, in order')
  const retried = outcomes.find((o): o is PromiseFulfilledResult<Message> => o.status === 'fulfilled' && o.value.clientId === 'before')
  t.equal(retried?.value.id, first.id, 'a retry inside the burst gets the original')
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages where client_id like 'fine-%'`
  t.equal(n, 40, 'every fine send stored once')
  const [{ wrongRows }] = await sql<{ wrongRows: number }[]>`select count(*)::int as "wrongRows" from messages where client_id like 'wrong-%'`
  t.equal(wrongRows, 0, 'nothing of the refused ones')
  const [{ events, max }] = await sql<{ events: number; max: number }[]>`
    select count(*)::int as events, max(seq)::int as max from events where stream = 'conversation' and stream_id = ${general!.id}`
  t.equal(events, max, 'no seq was spent on a rolled-back batch')
})
