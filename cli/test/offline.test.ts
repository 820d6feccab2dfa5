import t from 'tap'
import type { Message } from '@ocomms/shared'
import { person, team, until, type Person } from './helpers/cli.js'
import { killableServer } from './helpers/server-process.js'

t.test('the server dies and comes back while a person keeps sending: queued, then delivered exactly once', async (t) => {
  const server = await killableServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]

  const bobTail = bob.spawn(['tail', '--json', '#general'])
  const annTail = ann.spawn(['tail', '--json'])
  t.teardown(() => Promise.all([bobTail.stop(), annTail.stop()]))
  await Promise.all([bobTail.ready(), annTail.ready()])
  await ann.json(['send', '#general', 'before'])
  await bobTail.waitFor((l) => l.includes('"before"'))

  await server.kill()

  const first = await ann.run(['--json', 'send', '#general', 'while down 1'])
  t.equal(first.code, 0, 'a send while the server is down is accepted')
  t.match(JSON.parse(first.stdout), { queued: true, clientId: String })
  t.match(first.stderr, /queued/)
  const second = await ann.run(['send', '#general', 'while down 2'])
  t.equal(second.code, 0)
  t.match(second.stderr, /queued/)

  const cached = await ann.run(['--json', 'read', '#general'])
  t.equal(cached.code, 0, 'reading still works from the cache')
  t.match(cached.stderr, /unreachable/, 'and says it is stale')
  t.same((JSON.parse(cached.stdout) as Message[]).map((m) => m.text), ['before'])

  const refused = await ann.run(['--json', 'invite'])
  t.equal(refused.code, 3, 'a server operation exits 3 when the server is down')
  t.match(JSON.parse(refused.stdout), { error: { code: 'unavailable', message: /Cannot reach the server/ } })
  const stranger = await person(t, 'carl')
  const login = await stranger.run(['login', '--server', server.url, '--email', 'carl@example.test', '--password-stdin'], { stdin: 'whatever pw\n' })
  t.equal(login.code, 3, 'signing in to a server that is down exits 3')

  const status = await ann.json<{ profiles: Array<{ outbox: number; connection: string }> }>(['daemon', 'status'])
  t.equal(status.profiles[0]!.outbox, 2, 'two messages wait in the outbox')
  t.not(status.profiles[0]!.connection, 'connected')

  await server.restart()
  await bobTail.waitFor((l) => l.includes('while down 2'), 45_000)
  await until(async () => (await ann.json<{ profiles: Array<{ outbox: number }> }>(['daemon', 'status'])).profiles[0]!.outbox === 0, 20_000)

  const texts = (await bob.json<Message[]>(['read', '#general'])).map((m) => m.text)
  t.same(texts, ['before', 'while down 1', 'while down 2'], 'each queued message arrived exactly once, in order')
  const created = bobTail.lines.map((l) => JSON.parse(l) as { type: string; data?: { message?: Message } }).filter((e) => e.type === 'message.created')
  t.same(created.map((e) => e.data!.message!.text), ['before', 'while down 1', 'while down 2'], 'the other side saw each one once')
  const delivered = await annTail.waitFor((l) => l.includes('daemon.outbox.delivered') && l.includes('while down 2'))
  t.ok(delivered, 'the sender is told when the outbox delivered')
  t.equal(annTail.lines.filter((l) => l.includes('daemon.outbox.delivered')).length, 2, 'once per queued message, none for sends answered at once')
})
