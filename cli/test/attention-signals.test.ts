import t from 'tap'
import type { Message, Unreads } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { team, type Person } from './helpers/cli.js'

// No desktop notifications from the daemons these tests start.
process.env.OCOMMS_NOTIFY = 'off'

t.test('tail shows typing and presence; status, presence, keywords, follow', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const general = await ann.json<{ id: string }>(['channel', 'info', 'general'])

  const tail = bob.spawn(['tail', '--json'])
  const human = bob.spawn(['tail'])
  t.teardown(() => Promise.all([tail.stop(), human.stop()]))
  await Promise.all([tail.ready(), human.ready()])
  await ann.call('typing.start', { conversationId: general.id })
  const line = await tail.waitFor((l) => l.includes('"type":"typing"'))
  t.match(JSON.parse(line), { type: 'typing', conversationId: general.id, handle: 'ann', typing: true })
  await human.waitFor((l) => l.includes('@ann is typing'))

  t.match(await bob.json(['presence', 'busy']), { mode: 'busy', presence: { presence: 'busy' } })
  const p = await tail.waitFor((l) => l.includes('"type":"presence"'))
  t.match(JSON.parse(p), { type: 'presence', presence: 'busy' })

  t.match(await bob.json(['status', '--text', 'in a meeting', '--emoji', ':calendar:', '--expires', '1h']), { text: 'in a meeting', expiresAt: String })
  t.match(await bob.json(['status']), { text: 'in a meeting' })
  t.match(await ann.json(['whois', '@bob']), { status: { text: 'in a meeting' }, presence: 'busy' })
  await bob.json(['status', '--clear'])
  t.equal(await bob.json(['status']), null)
  t.equal((await bob.run(['status', '--text', 'x', '--expires', 'soon'])).code, 2, 'a bad duration is a usage error')
  t.equal((await bob.run(['presence', 'asleep'])).code, 2)

  t.same(await bob.json(['keywords', 'add', 'deploy']), { keywords: ['deploy'] })
  t.same(await bob.json(['keywords']), { keywords: ['deploy'] })
  await ann.json(['send', '#general', 'the deploy is done'])
  t.same((await bob.json<Message[]>(['mentions'])).map((m) => m.text), ['the deploy is done'], 'a keyword counts as a mention')
  t.same(await bob.json(['keywords', 'remove', 'deploy']), { keywords: [] })

  const root = await ann.json<Message>(['send', '#general', 'a thread'])
  await bob.json(['follow', `#general/${root.seq}`])
  await ann.json(['send', '#general', 'a reply', '--thread', root.id])
  const u = await bob.json<Unreads>(['unreads'])
  t.match(u.threads.find((th) => th.root.id === root.id), { unread: 1 }, 'a followed thread shows in unreads')
  await bob.json(['unfollow', root.id])
  t.notOk((await bob.json<Unreads>(['unreads'])).threads.some((th) => th.root.id === root.id), 'unfollowed: gone from unreads')
})
