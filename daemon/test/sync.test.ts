import t from 'tap'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { connectDaemon, type DaemonClient, type EventNotificationParams } from '../src/index.js'
import { builtMain, home, killDaemon, until } from './helpers.js'

t.test('the daemon against a real server: profiles, cache, live events, gaps and resets', async (t) => {
  const server = await startTestServer(t)
  const dir = await home(t)
  let client: DaemonClient = await connectDaemon({ home: dir, main: builtMain })
  t.teardown(() => client.close())

  const ann = await client.request('profile.signup', {
    server: server.url.replace('http://', ''),
    email: 'ann@example.test',
    name: 'Ann',
    handle: 'ann',
    password: 'correct horse battery staple',
    createWorkspace: 'Acme',
  })
  t.match(ann, { profile: 'default', server: server.url, user: { handle: 'ann' }, workspace: { slug: 'acme' }, connection: 'connected' })
  t.equal((await stat(join(dir, 'profiles.json'))).mode & 0o777, 0o600, 'tokens are stored 0600')

  // Bob talks to the server directly, like any other client would.
  const bob = await server.signup('bob')
  const ws = ann.workspace!
  const invite = (await client.request('call', { operation: 'invite.create', input: {} })) as { code: string }
  await bob.call('invite.accept', { code: invite.code })
  const general = await client.request('resolve.target', { target: '#general' })

  const events: EventNotificationParams[] = []
  client.onEvent((n) => events.push(n))
  const { subscriptionId } = await client.request('subscribe', {})
  const say = (text: string) => bob.call('message.send', { conversationId: general.id, text, clientId: randomUUID() })

  const one = await say('one')
  const live = await until(() => events.find((n) => n.event.type === 'message.created'))
  t.equal(live.subscriptionId, subscriptionId)
  t.match(live.event, { type: 'message.created', conversationId: general.id, seq: one.seq, data: { message: { text: 'one' } } })

  const first = await client.request('messages.read', { conversationId: general.id })
  t.same(first.messages.map((m) => m.text), ['one'])
  const second = await client.request('messages.read', { conversationId: general.id })
  t.equal(second.source, 'cache', 'a second read comes from the cache')
  t.equal(second.stale, false)
  await say('two')
  await until(() => events.some((n) => n.event.type === 'message.created' && (n.event as { seq: number }).seq === one.seq + 1))
  const third = await client.request('messages.read', { conversationId: general.id })
  t.same([third.source, third.messages.map((m) => m.text)], ['cache', ['one', 'two']], 'live events keep the cache current')

  // Offline: messages sent meanwhile arrive through sync from the stored cursor.
  client.close()
  await killDaemon(dir)
  await say('three')
  await say('four')
  client = await connectDaemon({ home: dir, main: builtMain })
  await until(async () => (await client.request('daemon.status', {})).profiles[0]?.connection === 'connected')
  await until(async () => {
    const r = await client.request('messages.read', { conversationId: general.id })
    return r.source === 'cache' && r.messages.length === 4 && r
  })
  t.pass('sync from the cursors caught up, and the cache answers')

  // A cursor older than what the server keeps: the stream is rebuilt from a fresh snapshot.
  client.close()
  await killDaemon(dir)
  await say('five')
  await server.services.sql`update conversations set first_retained_seq = last_seq + 1 where id = ${general.id}`
  client = await connectDaemon({ home: dir, main: builtMain })
  // Answered from the cache: the daemon has rebuilt the stream and follows it live. (A read the
  // daemon passed to the server could come first; a message sent then could be counted in the
  // rebuilt stream's snapshot instead of arriving as an event below.)
  const after = await until(async () => {
    const r = await client.request('messages.read', { conversationId: general.id })
    return r.source === 'cache' && !r.stale && r.messages.length === 5 && r
  })
  t.same(after.messages.map((m) => m.text), ['one', 'two', 'three', 'four', 'five'], 'after a reset the history is fetched again')

  // A subscription for some conversations only.
  const seen: EventNotificationParams[] = []
  client.onEvent((n) => seen.push(n))
  await client.request('subscribe', { conversationIds: [general.id] })
  await server.services.sql`update conversations set first_retained_seq = 1 where id = ${general.id}`
  const six = await say('six')
  await until(() => seen.some((n) => (n.event as { seq?: number }).seq === six.seq))
  const sevenLater = await say('seven')
  await until(() => seen.some((n) => (n.event as { seq?: number }).seq === sevenLater.seq))
  const seqs = seen.filter((n) => n.event.type === 'message.created').map((n) => (n.event as { seq: number }).seq)
  t.same(seqs, [six.seq, sevenLater.seq], 'a filtered subscription gets its conversation\'s events in order')

  // The outbox answers with the message when connected.
  const sent = await client.request('messages.send', { conversationId: general.id, text: 'from the daemon' })
  t.match(sent, { queued: false, clientId: String, message: { text: 'from the daemon', author: { handle: 'ann' } } })
  const again = await client.request('messages.send', { conversationId: general.id, text: 'from the daemon', clientId: sent.clientId })
  t.equal(again.message?.id, sent.message!.id, 'the same clientId is the same message')
  await t.rejects(client.request('messages.send', { conversationId: randomUUID(), text: 'nowhere' }), { code: 'not_found' }, 'a refused send is an error, not queued')
  t.equal((await client.request('daemon.status', {})).profiles[0]!.outbox, 0, 'and leaves nothing in the outbox')

  // `call` reaches any operation; workspace-scoped ones default to the current workspace.
  const created = (await client.request('call', { operation: 'channel.create', input: { name: 'ops' } })) as { workspaceId: string; name: string }
  t.match(created, { workspaceId: ws.id, name: 'ops' })
  await t.rejects(client.request('call', { operation: 'no.such', input: {} }), { code: 'not_found' })
  const thread = await client.request('messages.send', { conversationId: general.id, text: 'in a thread', threadRootId: one.id })
  const replies = await client.request('messages.read', { conversationId: general.id, threadRootId: one.id })
  t.same(replies.messages.map((m: Message) => m.text), ['one', 'in a thread'])
  t.equal(thread.message?.threadRootId, one.id)
  t.match(await client.request('resolve.message', { ref: `#general/${one.seq}` }), { id: one.id })

  // Several profiles at once, each with its own account.
  const link = await client.request('profile.magicLink.request', { profile: 'bob', server: server.url, email: bob.email })
  t.same(link, { ok: true })
  const mail = await until(async () => (await server.mails()).find((m) => m.to === bob.email))
  const url = /(http\S+magic-link#token=\S+)/.exec(mail.text)![1]!
  const asBob = await client.request('profile.magicLink.consume', { profile: 'bob', link: url })
  t.match(asBob, { profile: 'bob', user: { handle: 'bob' }, workspace: { id: ws.id } })
  const status = await client.request('daemon.status', {})
  t.same(status.profiles.map((p) => [p.profile, p.handle]).sort(), [['bob', 'bob'], ['default', 'ann']])
  t.equal((await client.request('profile.whoami', { profile: 'bob' })).user.handle, 'bob')

  // Tokens live only in profiles.json.
  const profiles = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8')) as { profiles: Record<string, { token: string }> }
  const token = profiles.profiles.default!.token
  for (const f of await readdir(join(dir, 'cache'))) {
    t.notOk((await readFile(join(dir, 'cache', f))).includes(token), `no token in cache/${f}`)
  }
  t.same(await client.request('profile.logout', { profile: 'bob' }), { ok: true })
  await t.rejects(client.request('profile.whoami', { profile: 'bob' }), { code: 'unauthenticated' })
})
