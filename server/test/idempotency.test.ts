import t from 'tap'
import postgres from 'postgres'
import { startTestServer } from './helpers/server.js'

t.test('200 concurrent sends with one clientId store one message and all callers get its id', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice] } = await server.team('alice')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const live = await server.connect(alice.token)
  const input = { conversationId: general!.id, text: 'exactly once', clientId: 'retry-me' }
  // Half over REST, half over the socket, all in flight at once.
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? alice.call('message.send', input) : live.call('message.send', input))),
  )
  const ids = new Set(results.map((m) => m.id))
  t.equal(ids.size, 1, 'every caller got the same message')
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages where client_id = 'retry-me'`
  t.equal(n, 1, 'one row stored')
  const [{ events }] = await sql<{ events: number }[]>`
    select count(*)::int as events from events where stream = 'conversation' and stream_id = ${general!.id} and type = 'message.created'`
  t.equal(events, 1, 'one message.created event, so no seq was spent on the retries')
  const [{ last_seq, max }] = await sql<{ last_seq: number; max: number }[]>`
    select c.last_seq, (select max(seq) from events where stream = 'conversation' and stream_id = c.id)::int as max
      from conversations c where c.id = ${general!.id}`
  t.equal(Number(last_seq), max, 'the stream head has no gap')
  const again = await alice.call('message.send', input)
  t.equal(again.id, [...ids][0], 'a later retry returns the original')
})

t.test('a clientId already used in another conversation is a conflict', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice] } = await server.team('alice')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const other = await alice.call('channel.create', { workspaceId: ws.id, name: 'other' })
  await alice.call('message.send', { conversationId: general!.id, text: 'one', clientId: 'c-1' })
  await t.rejects(alice.call('message.send', { conversationId: other.id, text: 'two', clientId: 'c-1' }), { code: 'conflict' })
})
