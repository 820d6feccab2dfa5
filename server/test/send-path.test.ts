import t from 'tap'
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { startTestServer } from './helpers/server.js'

// The send path builds the message in memory and pipelines its statements; these pin down
// that what it answers and publishes is exactly what is stored, and that it still sees a
// membership change that commits while it waits for the conversation's lock.

t.test('the acknowledged message, the live event and the stored message are the same', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await bob.call('conversation.join', { conversationId: general!.id })
  const watcher = await server.connect(bob.token)

  const sent = await alice.call('message.send', { conversationId: general!.id, text: 'hello *there*', clientId: randomUUID() })
  const event = await watcher.waitFor((e) => e.type === 'message.created' && e.seq === sent.seq)
  t.same(event.data.message, sent, 'the live event carries the acknowledged message')
  t.same(await alice.call('message.get', { messageId: sent.id }), sent, 'message.get reads back the same message')
  t.equal(event.at, sent.createdAt, 'the event and the message share the transaction time')

  const reply = await bob.call('message.send', { conversationId: general!.id, text: 'a reply', clientId: randomUUID(), threadRootId: sent.id, alsoToChannel: true })
  t.same(await bob.call('message.get', { messageId: reply.id }), reply, 'a thread reply is stored as acknowledged')
  const replyEvent = await watcher.waitFor((e) => e.type === 'message.created' && e.seq === reply.seq)
  t.same(replyEvent.data.message, reply)
  t.match(replyEvent.data.root, { id: sent.id, replyCount: 1 }, 'the reply event carries the updated root')
})

t.test('a send waiting for the conversation lock sees a kick that commits meanwhile, and spends no seq', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await bob.call('conversation.join', { conversationId: general!.id })

  const sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [{ last_seq: before }] = await sql<{ last_seq: number }[]>`select last_seq from conversations where id = ${general!.id}`

  // Hold the conversation's seq lock the way a concurrent change would, remove Bob, commit.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const kick = sql.begin(async (tx) => {
    await tx`select 1 from conversations where id = ${general!.id} for update`
    locked()
    await held
    await tx`delete from conversation_members where conversation_id = ${general!.id} and user_id = ${bob.id}`
  })
  await isLocked
  const send = bob.call('message.send', { conversationId: general!.id, text: 'too late', clientId: randomUUID() }).catch((e: unknown) => e)
  // Give the send time to pass its access check and queue on the lock.
  await new Promise((r) => setTimeout(r, 300))
  release()
  await kick
  t.match(await send, { code: 'forbidden' }, 'the send is refused once the kick has committed')
  const [{ last_seq: after }] = await sql<{ last_seq: number }[]>`select last_seq from conversations where id = ${general!.id}`
  t.equal(Number(after), Number(before), 'the refused send spent no seq')
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages where text = 'too late'`
  t.equal(n, 0, 'nothing was stored')
})

t.test('a clientId that commits in another conversation while a send waits on it: conflict, not that message', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice] } = await server.team('alice')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const other = await alice.call('channel.create', { workspaceId: ws.id, name: 'other' })
  const clientId = randomUUID()

  const sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end())
  // Another send of the same clientId, to #other, not yet committed: the send to #general passes
  // its early duplicate check, then its insert waits on the unique key.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let inserted!: () => void
  const isInserted = new Promise<void>((resolve) => (inserted = resolve))
  const racer = sql.begin(async (tx) => {
    await tx`insert into messages (conversation_id, seq, author_id, client_id, text)
             values (${other.id}, 1000000, ${alice.id}, ${clientId}, 'sent to #other')`
    inserted()
    await held
  })
  await isInserted
  const send = alice.call('message.send', { conversationId: general!.id, text: 'to #general', clientId }).catch((e: unknown) => e)
  await new Promise((r) => setTimeout(r, 300))
  release()
  await racer
  t.match(await send, { code: 'conflict' }, 'the clientId belongs to a message in another conversation')
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages where text = 'to #general'`
  t.equal(n, 0, 'nothing was stored')
})
