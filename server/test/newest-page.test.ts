import t from 'tap'
import { randomUUID } from 'node:crypto'
import { type CallInput, type CallOutput, type Message, type OperationName } from '@ocomms/shared'
import { NewestPages, newestPagesOf } from '../src/messages/newest-page.js'
import { startTeam, type Team } from './helpers/team.js'
import { startTestServer, type TestUser } from './helpers/server.js'

/**
 * The newest page of a conversation's history is kept per process and served again while the
 * conversation's version is unchanged (src/messages/newest-page.ts). These pin that every
 * change a page shows reaches the next read, on this process and on another one, and that
 * access is checked on every read.
 */

/** A second server process on the same database, as behind a load balancer. */
async function secondProcess(t: { teardown(fn: () => unknown): void }, team: Team) {
  const other = await startTestServer(t, { databaseUrl: team.server.databaseUrl })
  return <N extends OperationName>(u: TestUser, name: N, input: CallInput<N>): Promise<CallOutput<N>> => other.call(name, input, u.token)
}

const texts = (page: readonly Message[]) => page.map((m) => m.text)

t.test('every change a page shows reaches the next read, on either process', async (t) => {
  const team = await startTeam(t)
  const { alice, bob, general } = team
  const onOther = await secondProcess(t, team)
  const sent: Message[] = []
  for (let i = 0; i < 8; i++) sent.push(await team.send(i % 2 ? bob : alice, general.id, `m${i}`))

  // The truth: read without the newest-page path (afterSeq reads the database every time).
  const truth = async (limit: number) => (await alice.call('message.list', { conversationId: general.id, afterSeq: 0, limit: 200 })).slice(-limit)
  const check = async (what: string) => {
    for (const limit of [50, 3]) {
      const want = await truth(limit)
      t.same(await alice.call('message.list', { conversationId: general.id, limit }), want, `${what}: this process, limit ${limit}`)
      t.same(await onOther(bob, 'message.list', { conversationId: general.id, limit }), want, `${what}: the other process, limit ${limit}`)
    }
  }
  await check('start')

  const last = sent.at(-1)!
  const changes: Array<[string, () => Promise<unknown>]> = [
    ['a message sent here', () => team.send(alice, general.id, 'new here')],
    ['a message sent on the other process', () => onOther(bob, 'message.send', { conversationId: general.id, text: 'new there', clientId: randomUUID() })],
    ['an edit', () => onOther(bob, 'message.edit', { messageId: last.id, text: 'edited' })],
    ['a reaction', () => alice.call('reaction.add', { messageId: last.id, emoji: 'tada' })],
    ['a reaction from the other process', () => onOther(bob, 'reaction.add', { messageId: last.id, emoji: 'tada' })],
    ['a reaction taken back', () => alice.call('reaction.remove', { messageId: last.id, emoji: 'tada' })],
    ['a pin', () => onOther(bob, 'pin.add', { messageId: sent[0]!.id })],
    ['an unpin', () => alice.call('pin.remove', { messageId: sent[0]!.id })],
    ['a thread reply (the root counts it)', () => onOther(bob, 'message.send', { conversationId: general.id, text: 'in thread', threadRootId: last.id, clientId: randomUUID() })],
    ['a reply also sent to the channel', () => alice.call('message.send', { conversationId: general.id, text: 'reply shown', threadRootId: last.id, alsoToChannel: true, clientId: randomUUID() })],
    ['a file posted with a comment', () => team.upload(bob, { conversationId: general.id, name: 'notes.txt', comment: 'the notes', clientId: randomUUID() }, Buffer.from('notes'))],
    ['a deletion', () => alice.call('message.delete', { messageId: sent[6]!.id })],
    ['an author renamed on the other process', () => onOther(bob, 'auth.profile.update', { name: 'Robert' })],
  ]
  for (const [what, change] of changes) {
    // The page is kept on both processes before each change.
    await alice.call('message.list', { conversationId: general.id })
    await onOther(bob, 'message.list', { conversationId: general.id })
    await change()
    await check(what)
  }
  const page = await alice.call('message.list', { conversationId: general.id })
  t.ok(page.some((m) => m.author.name === 'Robert'), 'the new name shows')
  t.ok(page.some((m) => m.files.length === 1), 'the file shows')
  t.ok(page.some((m) => m.replyCount === 2), 'the thread root counts its replies')
})

t.test('access is checked on every read, also when the page is kept', async (t) => {
  const team = await startTeam(t)
  const { server, alice, bob, carol, eve, secret } = team
  await team.send(alice, secret.id, 'for the two of us')
  t.equal((await bob.call('message.list', { conversationId: secret.id })).length, 1, 'bob reads the private channel')
  t.ok(newestPagesOf(server.services).size > 0, 'the page is kept')
  for (const outsider of [carol, eve]) {
    await t.rejects(outsider.call('message.list', { conversationId: secret.id }), { code: 'not_found' }, `${outsider.handle} may not read it`)
  }
  await alice.call('conversation.kick', { conversationId: secret.id, userId: bob.id })
  await t.rejects(bob.call('message.list', { conversationId: secret.id }), { code: 'not_found' }, 'bob, removed, no longer reads it')
})

t.test('the same page answers again until the conversation changes; kept pages expire; 0 MiB keeps none', async (t) => {
  const team = await startTeam(t)
  const { server, alice, general } = team
  const sql = server.services.sql
  await team.send(alice, general.id, 'one')
  const pages = new NewestPages({ maxBytes: 1024 * 1024, maxAgeMs: 300 })
  const first = await pages.read(sql, general.id, alice.id, 50)
  t.equal(await pages.read(sql, general.id, alice.id, 50), first, 'unchanged: the kept page answers')
  t.not(await pages.read(sql, general.id, alice.id, 10), first, 'another page size is a page of its own')
  t.throws(() => (first as Message[]).push(first[0]!), TypeError, 'a kept page cannot be changed in place')

  await team.send(alice, general.id, 'two')
  const second = await pages.read(sql, general.id, alice.id, 50)
  t.not(second, first, 'changed: read again')
  t.same(texts(second).slice(-2), ['one', 'two'])
  t.equal(await pages.read(sql, general.id, alice.id, 50), second)

  await new Promise((resolve) => setTimeout(resolve, 400))
  const aged = await pages.read(sql, general.id, alice.id, 50)
  t.not(aged, second, 'past its age: read again')
  t.same(aged, second, 'with the same content')

  const none = new NewestPages({ maxBytes: 0, maxAgeMs: 60_000 })
  const a = await none.read(sql, general.id, alice.id, 50)
  t.not(await none.read(sql, general.id, alice.id, 50), a, 'with no memory, every read goes to the database')
  t.equal(none.size, 0)
})

t.test('pages are kept within their memory: least recently used go first', async (t) => {
  const team = await startTeam(t)
  const { server, alice, general, secret, dm } = team
  const sql = server.services.sql
  const long = 'x'.repeat(20_000)
  for (const c of [general, secret, dm]) await team.send(alice, c.id, long)
  // A page of one 20,000-character message takes about 41 KB; 100 KB holds two.
  const pages = new NewestPages({ maxBytes: 100_000, maxAgeMs: 60_000 })
  for (const c of [general, secret, dm]) await pages.read(sql, c.id, alice.id, 50)
  t.equal(pages.size, 2, 'two pages fit')
  const dmPage = await pages.read(sql, dm.id, alice.id, 50)
  t.equal(await pages.read(sql, dm.id, alice.id, 50), dmPage, 'the most recent is kept')
})
