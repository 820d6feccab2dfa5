import t from 'tap'
import { mayPost } from '../src/access.js'
import { connect } from '../src/db/connect.js'
import { transaction } from '../src/events/transaction.js'
import { insertMessages } from '../src/messages/store.js'
import type { Services } from '../src/services.js'
import { startTestServer } from './helpers/server.js'

/**
 * Who may post in a conversation is one SQL fragment, mayPost (src/access.ts). The send's check
 * reads it (assertCanPost), and the insert of a batch of plain sends uses it as its guard: the
 * check and the insert are separate statements, so a change committed between them (someone
 * deactivated, a channel archived) must be refused by the insert too, by the same rule.
 */
t.test('mayPost: the check and the insert of a send refuse the same people', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob', 'carol', 'dave')
  const [alice, bob, carol, dave] = people
  const [general] = await alice!.call('conversation.list', { workspaceId: ws.id })
  const archived = await alice!.call('channel.create', { workspaceId: ws.id, name: 'old' })
  await carol!.call('conversation.join', { conversationId: archived.id })
  await alice!.call('conversation.archive', { conversationId: archived.id })
  const sql = connect(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  // Bob leaves the workspace's active members but keeps his row in #general's members, as a
  // deactivation committed between a send's check and its insert would leave him.
  await sql`update workspace_members set state = 'deactivated' where user_id = ${bob!.user.id}`
  // Dave is in the workspace but not in the channel.
  await sql`delete from conversation_members where conversation_id = ${general!.id} and user_id = ${dave!.user.id}`

  const cases = [
    { who: 'alice, a member', user: alice!, conversation: general!.id, may: true },
    { who: 'bob, deactivated', user: bob!, conversation: general!.id, may: false },
    { who: 'dave, not in the channel', user: dave!, conversation: general!.id, may: false },
    { who: 'carol, in an archived channel', user: carol!, conversation: archived.id, may: false },
  ]
  for (const c of cases) {
    const [row] = await sql<{ may: boolean }[]>`select ${mayPost(sql, c.user.user.id)} as may from conversations c where c.id = ${c.conversation}`
    t.equal(row!.may, c.may, `mayPost: ${c.who}`)
  }

  const services = { sql, log: { error: () => {} }, realtime: { publish: () => {} } } as unknown as Services
  const stored = await transaction(services, async (change) => {
    // The seqs are taken as a send takes them, one per message, so each inserted row has its own.
    await change.sql`update conversations set last_seq = last_seq + ${cases.filter((c) => c.conversation === general!.id).length}::int where id = ${general!.id}`
    await change.sql`update conversations set last_seq = last_seq + 1 where id = ${archived.id}`
    return insertMessages(
      change,
      cases.map((c, i) => ({
        conversationId: c.conversation,
        back: c.conversation === general!.id ? i : 0,
        authorId: c.user.user.id,
        clientId: `may-post-${i}`,
        threadRootId: null,
        alsoInChannel: false,
        text: `from ${c.who}`,
      })),
    )
  })
  t.same(
    stored.map((r) => r.author_handle).sort(),
    cases.filter((c) => c.may).map((c) => c.user.user.handle),
    'the insert stores the messages of those mayPost lets post, and no one else',
  )

  // And over the API, each refused with its reason.
  const send = (p: (typeof people)[number], conversationId: string, clientId: string) =>
    p.call('message.send', { conversationId, text: 'hello', clientId })
  await t.rejects(send(dave!, general!.id, 'api-dave'), { code: 'forbidden', message: /Join #general/ }, 'not in the channel: join it first')
  await t.rejects(send(carol!, archived.id, 'api-carol'), { code: 'forbidden', message: /archived/ }, 'archived: read-only')
})
