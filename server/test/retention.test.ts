import t from 'tap'
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { pruneEvents } from '../src/events/retention.js'
import { startTestServer } from './helpers/server.js'

async function setup(t: Parameters<Parameters<typeof t.test>[1]>[0], overrides: Parameters<typeof startTestServer>[1] = {}) {
  const server = await startTestServer(t, overrides)
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)
  const old = await alice.call('channel.create', { workspaceId: ws.id, name: 'old' })
  const quiet = await alice.call('channel.create', { workspaceId: ws.id, name: 'quiet' })
  for (let i = 1; i <= 10; i++) await alice.call('message.send', { conversationId: old.id, text: `m${i}`, clientId: randomUUID() })
  await alice.call('message.send', { conversationId: quiet.id, text: 'hello', clientId: randomUUID() })
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  return { server, alice, ws, old, quiet, sql }
}

t.test('events older than the retention period are pruned; old cursors get reset, others do not', async (t) => {
  const { server, alice, old, quiet, sql } = await setup(t)
  const [{ last_seq: last }] = await sql<{ last_seq: number }[]>`select last_seq::int from conversations where id = ${old.id}`
  t.equal(last, 11, 'member_joined + 10 messages')
  // Age the first six events of #old past the 90 days kept.
  await sql`update events set created_at = now() - interval '100 days' where stream = 'conversation' and stream_id = ${old.id} and seq <= 6`
  const deleted = await pruneEvents(server.services.sql, { days: 90, maxPerStream: 0 })
  t.equal(deleted, 6, 'exactly the aged events go')
  const [{ first_retained_seq: floor }] = await sql<{ first_retained_seq: number }[]>`select first_retained_seq::int from conversations where id = ${old.id}`
  t.equal(floor, 7, 'first_retained_seq advanced past them')

  const page = async (cursor: number) => (await alice.call('sync', { conversations: { [old.id]: cursor } })).conversations[0]!
  for (const cursor of [0, 3, 5]) {
    const p = await page(cursor)
    t.ok(p.reset, `cursor ${cursor} is older than retention: reset`)
    t.same(p.events, [], 'and no partial history')
  }
  const fromFloor = await page(6)
  t.notOk(fromFloor.reset, 'a cursor right at the floor is fine')
  t.same(fromFloor.events.map((e) => e.seq), [7, 8, 9, 10, 11], 'and gets every event after it')
  const current = await page(11)
  t.notOk(current.reset, 'an up-to-date cursor is unaffected')
  t.same(current.events, [])
  const q = (await alice.call('sync', { conversations: { [quiet.id]: 0 } })).conversations[0]!
  t.notOk(q.reset, 'streams with only recent events keep everything')
  t.equal(q.events.length, 2)
  t.equal(await pruneEvents(server.services.sql, { days: 90, maxPerStream: 0 }), 0, 'a second round finds nothing')
  t.equal((await alice.call('message.list', { conversationId: old.id })).length, 10, 'messages themselves are kept: only the event log is pruned')
})

t.test('a cap per stream keeps the newest events', async (t) => {
  const { server, alice, old, sql } = await setup(t)
  await pruneEvents(server.services.sql, { days: 0, maxPerStream: 4 })
  const rows = await sql<{ seq: number }[]>`select seq::int from events where stream = 'conversation' and stream_id = ${old.id} order by seq`
  t.same(rows.map((r) => r.seq), [8, 9, 10, 11])
  const p = (await alice.call('sync', { conversations: { [old.id]: 6 } })).conversations[0]!
  t.ok(p.reset)
  t.same((await alice.call('sync', { conversations: { [old.id]: 7 } })).conversations[0]!.events.map((e) => e.seq), [8, 9, 10, 11])
  // Workspace and user streams are pruned by the same rules.
  const [ws] = await sql<{ first_retained_seq: number; last_seq: number }[]>`select first_retained_seq::int, last_seq::int from workspaces`
  t.ok(ws!.last_seq - ws!.first_retained_seq + 1 <= 4, 'workspace stream capped too')
})

t.test('a page that does not continue the cursor is a reset, never a silent gap', async (t) => {
  const { alice, old, sql } = await setup(t)
  // What a sync racing the pruner could see: events gone, floor not yet moved.
  await sql`delete from events where stream = 'conversation' and stream_id = ${old.id} and seq <= 3`
  const p = (await alice.call('sync', { conversations: { [old.id]: 1 } })).conversations[0]!
  t.ok(p.reset)
  t.same(p.events, [])
  // A cursor ahead of the server (restored from an older backup) must reload too.
  const ahead = (await alice.call('sync', { conversations: { [old.id]: 50 } })).conversations[0]!
  t.ok(ahead.reset, 'cursor beyond the head')
})

t.test('the pruning job runs by itself and stops with the server', async (t) => {
  const { server, old, sql } = await setup(t, { eventRetention: { days: 0, maxPerStream: 3, intervalSeconds: 1 } })
  const deadline = Date.now() + 5000
  let floor = 1
  while (Date.now() < deadline && floor !== 9) {
    await new Promise((r) => setTimeout(r, 100))
    ;[{ first_retained_seq: floor }] = await sql<{ first_retained_seq: number }[]>`select first_retained_seq::int from conversations where id = ${old.id}`
  }
  t.equal(floor, 9, 'pruned to the newest three within a few seconds')
  await server.app.close()
  t.pass('closing the server stops the job (no query on a closed pool afterwards)')
  await new Promise((r) => setTimeout(r, 1200))
  t.notOk(server.logs.some((l) => l.msg === 'event pruning failed; retrying at the next interval'), 'no failed round after close')
})
