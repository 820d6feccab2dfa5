import t from 'tap'
import type { Conversation, Message } from '@ocomms/shared'
import { bridgeFor, killDaemon, recorder, refusal, startTestServer, team, until, type Person } from './helpers.js'
import { daemonPid } from '@ocomms/daemon'

process.env.OCOMMS_NOTIFY = 'off'

const messageText = (e: { event: { type: string } }) => (e.event.type === 'message.created' ? ((e.event as unknown as { data: { message: Message } }).data.message.text) : null)

t.test('the bridge: declared calls pass, others are refused before the daemon; events; the daemon restarted underneath', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const session = bridge.session()
  const seen = recorder(session)

  const me = (await session.call('profile.whoami', {})) as { user: { handle: string } }
  t.equal(me.user.handle, 'bob', 'a declared method reaches the daemon')

  // Refusals: undeclared methods, bad params, prototype tricks. None reaches the daemon.
  t.match(await refusal(session.call('shell.exec', { cmd: 'id' })), { code: 'not_found', message: /not a daemon method/ })
  t.match(await refusal(session.call('__proto__', {})), { code: 'not_found' })
  t.match(await refusal(session.call('toString', {})), { code: 'not_found' })
  t.match(await refusal(session.call(42, {})), { code: 'not_found' })
  t.match(await refusal(session.call('messages.read', { conversationId: 'not-an-id' })), { code: 'invalid_input', message: /conversationId/ })
  t.match(await refusal(session.call('messages.send', 'text')), { code: 'invalid_input' })
  const dm = (await session.call('resolve.target', { target: '@ann' })) as Conversation
  t.match(await refusal(session.call('messages.send', { conversationId: dm.id, text: '' })), { code: 'invalid_input', message: /text/ })
  const reply = await session.reply('messages.send', { conversationId: dm.id, text: 42 })
  t.match(reply, { ok: false, error: { code: 'invalid_input' } }, 'reply() carries the code across a boundary')
  const history = (await session.call('messages.read', { conversationId: dm.id })) as { messages: Message[] }
  t.same(history.messages, [], 'the refused sends changed nothing')
  // A refusal from the daemon itself keeps its code too.
  t.match(await refusal(session.call('resolve.target', { target: '#no-such-channel' })), { code: 'not_found' })

  // Events of a subscription, under the id the bridge gave.
  const { subscriptionId } = (await session.call('subscribe', {})) as { subscriptionId: string }
  // Ann writes straight through her daemon: the `ocomms` processes are not what is tested here.
  const toBob = await ann.rpc('resolve.target', { target: '@bob' })
  const annSays = (text: string) => ann.rpc('messages.send', { conversationId: toBob.id, text })
  await annSays('hello through the bridge')
  const got = await seen.waitFor((e) => messageText(e) === 'hello through the bridge')
  t.equal(got.subscriptionId, subscriptionId)
  t.equal(got.profile, 'default')

  // A thread reply and a reaction, sent through the bridge, come back as events.
  const root = (await session.call('messages.send', { conversationId: dm.id, text: 'a root' })) as { message: Message }
  await session.call('messages.send', { conversationId: dm.id, text: 'in the thread', threadRootId: root.message.id })
  const threaded = await seen.waitFor((e) => messageText(e) === 'in the thread')
  t.equal((threaded.event as unknown as { data: { message: Message } }).data.message.threadRootId, root.message.id)
  await session.call('call', { operation: 'reaction.add', input: { messageId: root.message.id, emoji: ':tada:' } })
  await seen.waitFor((e) => e.event.type === 'reaction.added')

  // The daemon goes away: the bridge says so, starts a new one, renews the subscription.
  const before = daemonPid(bob.home)
  t.ok(before, 'a daemon runs')
  await killDaemon(bob.home)
  await until(() => seen.daemon.includes('down'))
  await until(() => seen.daemon.includes('up'), 30_000)
  const after = daemonPid(bob.home)
  t.not(after, before, 'a new daemon process')
  t.same(seen.daemon, ['down', 'up'])
  // Same subscription id, events flowing again once the new daemon is connected to the server.
  await until(async () => ((await session.call('daemon.status', {})) as { profiles: Array<{ connection: string }> }).profiles[0]?.connection === 'connected', 30_000)
  await annSays('after the restart')
  const again = await seen.waitFor((e) => messageText(e) === 'after the restart')
  t.equal(again.subscriptionId, subscriptionId, 'the renderer keeps its subscription id')
  t.equal(seen.events.filter((e) => messageText(e) === 'after the restart').length, 1, 'once')

  // Unsubscribe: nothing more comes; an unknown id is refused.
  await session.call('unsubscribe', { subscriptionId })
  t.match(await refusal(session.call('unsubscribe', { subscriptionId })), { code: 'not_found' })
  const count = seen.events.length
  await annSays('nobody listening')
  await new Promise((r) => setTimeout(r, 500))
  t.equal(seen.events.length, count)

  // Another renderer cannot end this one's subscriptions.
  const other = bridge.session()
  const mine = (await session.call('subscribe', {})) as { subscriptionId: string }
  t.match(await refusal(other.call('unsubscribe', { subscriptionId: mine.subscriptionId })), { code: 'not_found' })
})
