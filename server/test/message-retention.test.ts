import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { sweepRetention } from '../src/retention/sweep.js'
import { startTeam } from './helpers/team.js'

t.test('retention: owners set it; the sweep deletes older messages and files in batches, tells clients, and records it', async (t) => {
  const { server, ws, alice, bob, carol, general, secret, send, upload } = await startTeam(t)
  const sql = server.services.sql
  await t.rejects(bob.call('retention.set', { workspaceId: ws.id, messageDays: 1 }), { code: 'forbidden' }, 'members may not')
  await t.rejects(alice.call('retention.set', { workspaceId: ws.id, messageDays: 0 }), { code: 'invalid_input' })
  t.same(await alice.call('retention.get', { workspaceId: ws.id }), { workspaceId: ws.id, messageDays: null, fileDays: null }, 'keeps everything by default')

  const old1 = await send(alice, general.id, 'old one')
  const old2 = await send(bob, general.id, 'old two')
  const reply = await carol.call('message.send', { conversationId: general.id, text: 'old reply', clientId: randomUUID(), threadRootId: old2.id })
  const oldSecret = await send(bob, secret.id, 'old secret')
  await bob.call('reaction.add', { messageId: old1.id, emoji: '👍' })
  await bob.call('pin.add', { messageId: old1.id })
  const { message: file } = await upload(alice, { conversationId: general.id, name: 'old.txt', clientId: randomUUID() }, Buffer.from('old bytes'))
  const sha = (await sql<{ sha256: string }[]>`select sha256 from files where message_id = ${file.id}`)[0]!.sha256
  const fresh = await send(alice, general.id, 'fresh')
  await sql`update messages set created_at = now() - interval '40 days' where id = any (${[old1.id, old2.id, reply.id, oldSecret.id, file.id]}::uuid[])`
  await sql`update files set created_at = now() - interval '40 days' where message_id = ${file.id}`

  t.same(await sweepRetention(server.services), { messages: 0, files: 0 }, 'no retention set: nothing happens')
  t.same(await alice.call('retention.set', { workspaceId: ws.id, messageDays: 30, fileDays: 30 }), { workspaceId: ws.id, messageDays: 30, fileDays: 30 })

  const live = await server.connect(carol.token)
  const head = (await carol.call('conversation.get', { conversationId: general.id })).lastSeq
  const result = await sweepRetention(server.services, 2)
  t.same(result, { messages: 5, files: 1 }, 'five old messages (in batches of two) and the old file')

  const list = await carol.call('message.list', { conversationId: general.id })
  t.same(list.filter((m) => m.text !== '').map((m) => m.text), ['fresh'], 'only the fresh message keeps its text')
  t.equal((await carol.call('message.get', { messageId: fresh.id })).text, 'fresh')
  t.match(await sql`select text, deleted_at from messages where id = ${oldSecret.id}`, [{ text: '', deleted_at: Date }], 'the private channel was swept too')
  t.same(await carol.call('pin.list', { conversationId: general.id }), [], 'unpinned')
  t.equal((await carol.call('message.get', { messageId: old2.id })).replyCount, 0, 'thread counts follow')

  // Clients learn of it through the ordinary events, gap-free.
  const deleted = await live.waitFor((e) => e.type === 'message.deleted' && e.data.messageId === file.id)
  t.match(deleted, { conversationId: general.id, data: { reason: 'retention' } })
  const after = await carol.call('sync', { conversations: { [general.id]: head } })
  const evs = after.conversations[0]!.events
  t.same(evs.map((e) => e.seq), evs.map((_, i) => head + 1 + i), 'seqs follow the head without gaps')
  t.same(evs.filter((e) => e.type === 'message.deleted').length, 4, 'a message.deleted per swept message of #general')
  t.same(evs.filter((e) => e.type === 'message.unpinned').map((e) => e.data.messageId), [old1.id])

  t.notOk(existsSync(join(server.config.dataDir, 'files', sha.slice(0, 2), sha)), 'the file body is gone')

  // File retention alone: a live message loses its file, and says so with message.updated.
  await alice.call('retention.set', { workspaceId: ws.id, messageDays: null, fileDays: 1 })
  const { message: kept } = await upload(alice, { conversationId: general.id, name: 'kept-message.txt', clientId: randomUUID(), comment: 'the text stays' }, Buffer.from('bytes'))
  await sql`update files set created_at = now() - interval '2 days' where message_id = ${kept.id}`
  const head2 = (await carol.call('conversation.get', { conversationId: general.id })).lastSeq
  t.same(await sweepRetention(server.services), { messages: 0, files: 1 })
  const updated = await live.waitFor((e) => e.type === 'message.updated' && (e.data.message as { id: string }).id === kept.id)
  t.match(updated, { seq: head2 + 1, data: { message: { text: 'the text stays', files: [] } } })
  t.same((await carol.call('message.get', { messageId: kept.id })).files, [], 'the message no longer lists it')
  t.same(await sweepRetention(server.services), { messages: 0, files: 0 }, 'a second sweep finds nothing')
  const log = await alice.call('audit.list', { workspaceId: ws.id })
  t.match(log.map((e) => e.action), ['retention.swept', 'retention.changed', 'retention.swept', 'retention.changed'])
  t.match(log[2], { actor: null, details: { messages: 5, files: 1 } })
  t.match(log[3], { actor: { handle: 'alice' }, details: { from: { messageDays: null }, to: { messageDays: 30, fileDays: 30 } } })
})
