import t from 'tap'
import type { Conversation, Message } from '@ocomms/shared'
import { killableServer } from '../../cli/test/helpers/server-process.js'
import { bridgeFor, recorder, team, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'
// Reconnect quickly once the server is back (the daemons inherit this).
process.env.OCOMMS_RECONNECT_MAX_MS = '1000'

t.test('the server stops under the app: cached conversations marked offline, a message written then goes out once', async (t) => {
  const server = await killableServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const page = bridge.session()
  const seen = recorder(page)
  await page.call('subscribe', {})
  const general = (await page.call('resolve.target', { target: '#general' })) as Conversation
  await page.call('messages.send', { conversationId: general.id, text: 'before' })

  await server.kill()
  await seen.waitFor((e) => e.event.type === 'daemon.connection' && 'connection' in e.event && e.event.connection === 'offline')

  // What the page shows from the cache, marked as such.
  const list = (await page.call('conversations.list', {})) as { conversations: Conversation[]; stale: boolean }
  t.equal(list.stale, true, 'conversations from the cache, marked stale')
  t.ok(list.conversations.some((c) => c.id === general.id))
  const history = (await page.call('messages.read', { conversationId: general.id })) as { messages: Message[]; stale: boolean; source: string }
  t.match(history, { stale: true, source: 'cache' })
  t.same(history.messages.map((m) => m.text), ['before'])
  t.match(await page.call('profile.whoami', {}), { connection: 'offline' })
  const cached = (await page.call('profile.whoami', { cached: true })) as { user: { id: string }; connection: string }
  t.match(cached, { connection: 'offline', user: { id: String } }, 'the window opens as the cached profile, without the server')

  // Written while offline: queued in the daemon's outbox.
  const queued = (await page.call('messages.send', { conversationId: general.id, text: 'written offline' })) as { queued: boolean; clientId: string }
  t.match(queued, { queued: true, clientId: String })

  await server.restart()
  const delivered = await seen.waitFor((e) => e.event.type === 'daemon.outbox.delivered', 45_000)
  t.match(delivered.event, { clientId: queued.clientId, message: { text: 'written offline' } })
  await seen.waitFor((e) => e.event.type === 'daemon.connection' && 'connection' in e.event && e.event.connection === 'connected')

  const texts = (await ann.rpc('messages.read', { conversationId: general.id })).messages.map((m) => m.text)
  t.same(texts, ['before', 'written offline'], 'it went out exactly once')
  await new Promise((r) => setTimeout(r, 300))
  t.equal(seen.events.filter((e) => e.event.type === 'daemon.outbox.delivered').length, 1, 'and the page heard so once')
  const fresh = (await page.call('messages.read', { conversationId: general.id })) as { stale: boolean }
  t.equal(fresh.stale, false, 'back online')
})
