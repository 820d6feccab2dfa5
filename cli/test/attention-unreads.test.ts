import t from 'tap'
import type { Message, Unreads } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { password, person, team, type Person } from './helpers/cli.js'

// No desktop notifications from the daemons these tests start.
process.env.OCOMMS_NOTIFY = 'off'

const general = (u: Unreads) => u.conversations.find((c) => c.conversation.name === 'general')

/** A second device of the same person: its own OCOMMS_HOME (so its own daemon), signed in as them. */
async function secondDevice(t: { teardown(fn: () => unknown): void }, of: Person, server: string): Promise<Person> {
  const other = await person(t, of.handle)
  const res = await other.run(['login', '--server', server, '--email', of.email, '--password-stdin'], { stdin: `${password}\n` })
  if (res.code !== 0) throw new Error(`login failed: ${res.stderr}`)
  return other
}

t.test('unreads, mark-read, mark-unread, mentions and drafts across people and devices', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bob2 = await secondDevice(t, bob, server.url)

  const sent: Message[] = []
  for (const text of ['one', 'two', 'three @bob']) sent.push(await ann.json<Message>(['send', '#general', text]))

  const u1 = await bob.json<Unreads>(['unreads'])
  t.match(general(u1), { unread: 3, mentions: 1 }, 'three unread in #general, one mentions bob')
  t.equal(u1.total, 3)
  t.match(general(await bob2.json<Unreads>(['unreads'])), { unread: 3, mentions: 1 }, 'the second daemon agrees')
  t.equal(general(await ann.json<Unreads>(['unreads'])), undefined, 'your own messages are not unread')
  const human = await bob.run(['unreads'])
  t.match(human.stdout, /#general\s+3\s+1/, 'human output lists the channel with its counts')

  const mentions = await bob.json<Message[]>(['mentions'])
  t.same(mentions.map((m) => m.text), ['three @bob'])

  await bob.json(['mark-read', '#general'])
  const u2 = await bob2.json<Unreads>(['unreads'])
  t.equal(general(u2), undefined, 'marked read on one device: read on the other')
  t.equal(u2.total, 0)

  await bob2.json(['mark-unread', `#general/${sent[1]!.seq}`])
  t.match(general(await bob.json<Unreads>(['unreads'])), { unread: 2 }, 'mark-unread: that message and the ones after it')
  t.match(general(await bob2.json<Unreads>(['unreads'])), { unread: 2 })
  t.equal((await bob.run(['mark-unread', 'not-a-ref'])).code, 2, 'a bad ref is a usage error')

  // Drafts live on the server: the other device sees them.
  await bob.json(['draft', '#general', 'half a thought'])
  await bob.json(['draft', '#general', 'a reply idea', '--thread', `#general/${sent[0]!.seq}`])
  const drafts = await bob2.json<Array<{ conversationId: string; threadRootId: string | null; text: string; updatedAt: string }>>(['drafts'])
  t.same(drafts.map((d) => [d.text, d.threadRootId]).sort(), [['a reply idea', sent[0]!.id], ['half a thought', null]])
  t.equal((await bob2.run(['draft', '#general'])).stdout.trim(), 'half a thought')
  await bob2.json(['draft', '#general', '--clear'])
  t.same((await bob.json<Array<{ text: string }>>(['drafts'])).map((d) => d.text), ['a reply idea'])
})

