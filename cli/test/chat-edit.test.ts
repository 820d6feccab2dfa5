import t from 'tap'
import type { Conversation, Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

t.test('edits, deletes and channel settings from the CLI', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.call('invite.create', {})
  await signup(bob, server.url, { invite: invite.code })
  const dev = await ann.call('channel.create', { name: 'dev' })
  await bob.call('conversation.join', { conversationId: dev.id })
  const hello = (await ann.rpc('messages.send', { conversationId: dev.id, text: 'hello **bob**' })).message!

  // Edit and delete.
  const edited = await ann.json<Message>(['edit', `#dev/${hello.seq}`, 'hello bob'])
  t.ok(edited.editedAt)
  const missing = await bob.run(['read', '#dev', '--before', `#dev/${hello.seq + 100}`])
  t.equal(missing.code, 1, 'a ref to a missing seq is refused')
  t.match(missing.stderr, /No message/)
  t.equal((await bob.json<Message[]>(['read', '#dev']))[0]!.text, 'hello bob')
  t.equal((await bob.run(['edit', hello.id, 'not mine'])).code, 1, 'no editing other people\'s messages')
  await ann.json(['delete', hello.id])
  const afterDelete = await bob.json<Message[]>(['read', '#dev'])
  t.equal(afterDelete[0]!.deleted, true)
  t.equal(afterDelete[0]!.text, '')

  // Channel settings.
  await ann.json(['channel', 'topic', 'dev', 'release on friday'])
  t.equal((await bob.json<Conversation>(['channel', 'info', '#dev'])).topic, 'release on friday')
  await ann.json(['channel', 'describe', 'dev', '-'], { stdin: 'where we build' })
  t.equal((await bob.json<Conversation>(['channel', 'info', '#dev'])).description, 'where we build')
  await ann.json(['channel', 'kick', 'dev', '@bob'])
  t.notOk((await bob.json<Conversation[]>(['channel', 'list'])).some((c) => c.name === 'dev'), 'kicked out of #dev')
  await ann.json(['channel', 'archive', 'dev'])
  const archived = await ann.run(['send', '#dev', 'too late'])
  t.equal(archived.code, 1, 'an archived channel is read-only')
  t.match(archived.stderr, /archived/i)

})
