import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

// Every reference the CLI prints is one every message-taking command accepts.
t.test('message references: read prints them, every command takes them', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.call('invite.create', {})
  await signup(bob, server.url, { invite: invite.code })
  const dev = await ann.call('channel.create', { name: 'dev' })
  await bob.call('conversation.join', { conversationId: dev.id })

  const one = await ann.json<Message>(['send', '#dev', 'one'])
  await bob.json(['react', `#dev/${one.seq}`, ':+1:']) // takes the next number
  const sent = await ann.run(['send', '#dev', 'two'])
  const two = (await ann.json<Message[]>(['read', '#dev'])).find((m) => m.text === 'two')!
  t.equal(two.seq, one.seq + 2, 'numbers skip: the reaction took one')
  t.match(sent.stdout, new RegExp(`^#dev/${two.seq}\\s+\\d\\d:\\d\\d\\s+@ann: two`), 'send prints the reference of what it sent')

  const read = await bob.run(['read', '#dev'])
  t.match(read.stdout, new RegExp(`^#dev/${one.seq}\\s+\\d\\d:\\d\\d\\s+@ann: one`, 'm'), 'read prints each reference')
  t.match(read.stdout, new RegExp(`^#dev/${two.seq}\\s+.*@ann: two`, 'm'))

  const gap = await ann.run(['edit', `#dev/${one.seq + 1}`, 'nope'])
  t.equal(gap.code, 1)
  t.match(gap.stderr, /No message \d+ in #dev: .*not every number is a message/)
  t.equal((await ann.json<Message>(['edit', `#dev/${two.seq}`, 'two!'])).text, 'two!', 'the printed reference edits')

  // read takes a message reference too: that message and its thread.
  const single = await bob.json<Message[]>(['read', `#dev/${one.seq}`])
  t.same(single.map((m) => m.text), ['one'])
  await bob.json(['send', '#dev', 'a reply', '--thread', `dev/${one.seq}`])
  const thread = await ann.run(['read', `#dev/${one.seq}`])
  t.equal(thread.code, 0, thread.stderr)
  t.match(thread.stdout, /@ann: one[\s\S]*@bob: a reply/)

  // DMs: @handle/SEQ, as read prints it.
  const hi = await ann.json<Message>(['send', '@bob', 'hi bob'])
  const dmRead = await bob.run(['read', '@ann'])
  t.match(dmRead.stdout, new RegExp(`^@ann/${hi.seq}\\s+.*@ann: hi bob`, 'm'), 'a DM message reads as @handle/SEQ')
  await bob.json(['react', `@ann/${hi.seq}`, ':wave:'])
  t.same((await ann.json<Message[]>(['read', `@bob/${hi.seq}`]))[0]!.reactions.map((r) => r.count), [1], 'and that reference works for reactions and read')
  // An upload without a comment prints the message with its file, not an empty line.
  const notes = join(ann.home, 'notes.txt')
  await writeFile(notes, 'plain notes\n')
  const upload = await ann.run(['upload', '#dev', notes])
  t.equal(upload.code, 0, upload.stderr)
  t.match(upload.stdout, /^#dev\/\d+\s+\d\d:\d\d\s+@ann: 📎 notes\.txt \(12 B\)$/m)
  t.notMatch(upload.stdout, /@ann: *$/m)

  const bad = await bob.run(['edit', 'dev-9', 'x'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /not a message reference: .*#channel\/SEQ, @handle\/SEQ/)
})
