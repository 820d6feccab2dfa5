import t from 'tap'
import type { Conversation, Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup, team, type Person } from './helpers/cli.js'

t.test('private channels, DMs and group DMs from the CLI: only their members see them', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  // The invite link works as well as the code.
  const cara = await person(t, 'cara')
  await signup(cara, server.url, { invite: (await ann.call('invite.create', {})).link })

  // A private channel: invisible until invited.
  await ann.json(['channel', 'create', 'secret', '--private'])
  const refused = await bob.run(['--json', 'read', '#secret'])
  t.equal(refused.code, 1)
  t.match(JSON.parse(refused.stdout), { error: { code: 'not_found', message: /No channel #secret/ } })
  t.equal((await bob.run(['channel', 'join', 'secret'])).code, 1)
  await ann.json(['channel', 'invite', 'secret', '@bob'])
  await bob.json(['send', '#secret', 'glad to be here'])
  t.same((await ann.json<Message[]>(['read', '#secret'])).map((m) => m.text), ['glad to be here'])
  t.equal((await cara.run(['read', '#secret'])).code, 1, 'still invisible to others')
  const info = await ann.json<Conversation>(['channel', 'info', 'secret'])
  t.match(info, { kind: 'private', memberCount: 2 })

  // A DM and a group DM.
  const dm = await bob.json<Conversation>(['dm', '@ann'])
  t.equal(dm.kind, 'dm')
  t.equal((await bob.run(['dm', '@ann'])).stdout.trim(), dm.id, 'dm prints the id, the same one again')
  await bob.json(['send', '@ann', 'psst'])
  t.same((await ann.json<Message[]>(['read', '@bob'])).map((m) => m.text), ['psst'])
  t.same((await ann.json<Message[]>(['read', dm.id])).map((m) => m.text), ['psst'], 'a conversation id is a target')
  t.equal((await cara.run(['read', dm.id])).code, 1, 'someone else\'s DM is not found')

  await ann.json(['send', '@bob,@cara', 'team lunch?'])
  const group = await cara.json<Message[]>(['read', '@ann,@bob'])
  t.same(group.map((m) => m.text), ['team lunch?'], 'the group DM is the same conversation whoever names it')

  await bob.json(['channel', 'leave', 'secret'])
  t.equal((await bob.run(['read', '#secret'])).code, 1, 'gone after leaving')
})
