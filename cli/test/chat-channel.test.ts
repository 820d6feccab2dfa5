import t from 'tap'
import type { Conversation, Invite, Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

type InviteOut = typeof Invite.static

t.test('two people chat in a channel from the CLI: history, threads, live tail', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')

  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.json<InviteOut>(['invite'])
  t.match(invite, { code: String, link: /invite#code=/, role: 'member', expiresAt: String })
  await signup(bob, server.url, { invite: invite.code })

  // A public channel.
  const dev = await ann.json<Conversation>(['channel', 'create', 'dev', '--topic', 'builds and releases'])
  t.match(dev, { id: String, kind: 'public', name: 'dev', topic: 'builds and releases', memberCount: 1, archived: false })
  const notJoined = await bob.json<Conversation[]>(['channel', 'list'])
  t.notOk(notJoined.some((c) => c.name === 'dev'), 'list shows joined channels only')
  const all = await bob.json<Conversation[]>(['channel', 'list', '--all'])
  t.ok(all.some((c) => c.name === 'dev' && !c.isMember), '--all shows public channels not joined')
  t.equal((await bob.run(['channel', 'join', 'dev'])).code, 0)

  // Bob listens before Ann speaks.
  const tail = bob.spawn(['tail', '--json'])
  t.teardown(() => tail.stop())
  await tail.ready()

  const hello = await ann.json<Message>(['send', '#dev', 'hello **bob**'])
  t.match(hello, { id: String, seq: Number, conversationId: dev.id, threadRootId: null, author: { handle: 'ann' }, text: 'hello **bob**', replyCount: 0, reactions: [], pinned: false, files: [] })
  const live = await tail.waitFor((l) => l.includes(hello.id))
  const event = JSON.parse(live) as { type: string; conversationId: string; seq: number }
  t.match(event, { type: 'message.created', conversationId: dev.id, seq: hello.seq }, 'tail --json streams the event live')

  const readByBob = await bob.json<Message[]>(['read', '#dev'])
  t.same(readByBob.map((m) => m.text), ['hello **bob**'])
  const human = await bob.run(['read', '#dev'])
  t.match(human.stdout, new RegExp(`${hello.seq}\\s+\\d\\d:\\d\\d\\s+@ann: hello \\*bob\\*`), 'human output: seq, time, author, markdown rendered (plain when piped)')

  // A thread, addressed as #channel/SEQ, with stdin text.
  const reply = await bob.json<Message>(['send', 'dev', '-', '--thread', `#dev/${hello.seq}`], { stdin: 'hi ann\n' })
  t.equal(reply.threadRootId, hello.id)
  t.equal(reply.text, 'hi ann', 'text from stdin, trailing newline dropped')
  const thread = await ann.json<Message[]>(['read', '#dev', '--thread', hello.id])
  t.same(thread.map((m) => m.text), ['hello **bob**', 'hi ann'], 'the thread: root first, then replies')
  t.equal(thread[0]!.replyCount, 1)
  const top = await ann.json<Message[]>(['read', '#dev'])
  t.same(top.map((m) => m.text), ['hello **bob**'], 'a thread reply stays out of the channel')
  await bob.json(['send', '#dev', 'shipping it', '--thread', reply.id, '--also-channel'])
  t.same((await ann.json<Message[]>(['read', '#dev'])).map((m) => m.text), ['hello **bob**', 'shipping it'], '--also-channel shows it in the channel')

  t.equal(await tail.stop(), 0, 'tail ends cleanly on Ctrl-C')
  const events = tail.lines.map((l) => JSON.parse(l) as { type: string; seq?: number; streamId?: string })
  const keys = events.filter((e) => e.seq !== undefined).map((e) => `${e.streamId}/${e.seq}`)
  t.equal(new Set(keys).size, keys.length, 'no event was delivered twice')

})
