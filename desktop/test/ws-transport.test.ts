import t from 'tap'
import WebSocket from 'ws'
import type { Conversation, Message } from '@ocomms/shared'
import { connectBridge, openBridge, serveBridge, type OpenRequest, type WebSocketConstructor } from '../src/index.js'
import { routeLink } from '../src/shell/links.js'
import { bridgeFor, password, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

/** A client that talks to the bridge the way the renderer's daemon-backed client will. */
async function wireClient(url: string) {
  const ws = new WebSocket(url)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  let next = 1
  const pending = new Map<number, (m: { result?: unknown; error?: { code: string; message: string } }) => void>()
  const notes: Array<{ method: string; params: { subscriptionId?: string; event?: { type: string; data?: { message?: Message } } } }> = []
  ws.on('message', (data) => {
    const m = JSON.parse(String(data))
    if (typeof m.id === 'number' && pending.has(m.id)) {
      pending.get(m.id)!(m)
      pending.delete(m.id)
    } else if (m.method) notes.push(m)
  })
  return {
    ws,
    notes,
    call: (method: unknown, params: unknown) =>
      new Promise<{ result?: unknown; error?: { code: string; message: string } }>((resolve) => {
        const id = next++
        pending.set(id, resolve)
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      }),
  }
}

t.test('the bridge over a local WebSocket: calls, refusals, events; links opened through it', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const wire = await serveBridge(bridge)
  t.teardown(() => wire.close())
  t.match(wire.url, /^ws:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/)

  // Without the token, or with a wrong one (its first digit changed), no connection.
  for (const bad of [wire.url.replace(/\?token=.*/, ''), wire.url.replace(/token=(.)/, (_m, c: string) => `token=${c === '0' ? '1' : '0'}`)]) {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(bad)
      ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
      ws.once('open', () => resolve('open'))
      ws.once('error', (e) => resolve(e.message))
    })
    t.equal(refused, '401', 'refused without the token')
  }

  const renderer = await wireClient(wire.url)
  t.teardown(() => renderer.ws.close())
  t.match(await renderer.call('profile.whoami', {}), { result: { user: { handle: 'bob' } } })
  t.match(await renderer.call('fs.readFile', { path: '/etc/passwd' }), { error: { code: 'not_found' } })
  t.match(await renderer.call('messages.read', { conversationId: 42 }), { error: { code: 'invalid_input' } })
  renderer.ws.send('not json')

  const sub = (await renderer.call('subscribe', {})) as { result: { subscriptionId: string } }
  const toBob = await ann.rpc('resolve.target', { target: '@bob' })
  const sent = await ann.rpc('messages.send', { conversationId: toBob.id, text: 'over the wire' })
  const note = await until(() => renderer.notes.find((n) => n.method === 'event' && n.params.event?.data?.message?.text === 'over the wire'))
  t.equal(note.params.subscriptionId, sub.result.subscriptionId)

  // The page-side client of the transport (what a browser page uses in place of the preload).
  const page = await connectBridge(wire.url, WebSocket as unknown as WebSocketConstructor)
  t.teardown(() => page.close())
  t.match(await page.call('profile.whoami', {}), { user: { handle: 'bob' } })
  await t.rejects(page.call('daemon.shell' as never, {} as never), { code: 'not_found' })
  await t.rejects(page.call('messages.send', { conversationId: toBob.id, text: '' }), { code: 'invalid_input' })
  // Opened without waiting, as the page's stand-in for the preload is: calls made before the
  // socket is open go out once it is, in order; without the token every call is refused.
  const early = openBridge(wire.url, WebSocket as unknown as WebSocketConstructor)
  t.teardown(() => early.close())
  const [whoFirst, status] = await Promise.all([early.call('profile.whoami', {}), early.call('daemon.status', {})])
  t.match(whoFirst, { user: { handle: 'bob' } }, 'a call made before the socket opened is answered')
  t.ok(status, 'and the one after it')
  early.close()
  await t.rejects(early.call('profile.whoami', {}), { code: 'unavailable' }, 'a call after the bridge closed is refused, not left waiting')
  const refused = openBridge(wire.url.replace(/\?token=.*/, ''), WebSocket as unknown as WebSocketConstructor)
  await t.rejects(refused.call('profile.whoami', {}), { message: /Cannot reach the bridge/ }, 'a bridge that cannot open refuses its calls, saying why')
  const pageEvents: string[] = []
  const pageOpens: OpenRequest[] = []
  page.onEvent((e) => e.event.type === 'message.created' && pageEvents.push((e.event as unknown as { data: { message: Message } }).data.message.text))
  page.onOpen((r) => pageOpens.push(r))
  await page.call('subscribe', {})
  await ann.rpc('messages.send', { conversationId: toBob.id, text: 'to the page' })
  await until(() => pageEvents.includes('to the page'))

  // A link, routed by the shell and opened in the renderer (as a `bridge.open` notification).
  const shell = bridge.session()
  const messageUrl = `ocomms://message/${sent.message!.conversationId}/${sent.message!.id}`
  const route = await routeLink(messageUrl, 'default', shell)
  t.same(route, { open: { profile: 'default', conversationId: toBob.id, messageId: sent.message!.id, threadRootId: null } })
  if ('open' in route) bridge.open(route.open)
  await until(() => renderer.notes.find((n) => n.method === 'bridge.open'))
  await until(() => pageOpens.length === 1)
  t.same(pageOpens[0], 'open' in route ? route.open : null)

  await ann.call('channel.create', { name: 'general-talk' })
  await bob.call('conversation.join', { conversationId: ((await ann.rpc('resolve.target', { target: '#general-talk' })) as Conversation).id })
  t.match(await routeLink('ocomms://channel/general-talk', 'default', shell), { open: { conversationId: String, messageId: null } })
  t.match(await routeLink('ocomms://dm/ann', 'default', shell), { open: { conversationId: toBob.id } })
  // Links from another server: another profile's instance, or refused when none is signed in there.
  await t.rejects(routeLink('ocomms://channel/general-talk?server=https://elsewhere.example', 'default', shell), { code: 'not_found' })
  t.same(await routeLink(`ocomms://channel/general-talk?server=${encodeURIComponent(server.url)}`, 'work', shell), { relaunch: 'default' })
  // A private channel bob is not in: refused like any read.
  const secret = (await ann.call('channel.create', { name: 'secret', private: true })) as Conversation
  await t.rejects(routeLink(`ocomms://channel/${secret.id}`, 'default', shell), { code: 'not_found' })
  await t.rejects(routeLink(`ocomms://message/${secret.id}/${sent.message!.id}`, 'default', shell), { code: 'not_found' })
  await t.rejects(routeLink('ocomms://nonsense', 'default', shell), { code: 'invalid_input' })

  // Several accounts: a second profile signed in through the bridge, as `--profile` does.
  t.match(await renderer.call('profile.login', { profile: 'work', server: server.url, email: ann.email, password }), { result: { profile: 'work', user: { handle: 'ann' } } })
  t.match(await renderer.call('profile.whoami', { profile: 'work' }), { result: { user: { handle: 'ann' } } })
  t.match(await renderer.call('profile.whoami', {}), { result: { user: { handle: 'bob' } } })
  // A link of that server opened in the work profile's instance stays there.
  t.match(await routeLink(`ocomms://dm/bob?server=${encodeURIComponent(server.url)}`, 'work', shell), { open: { profile: 'work', conversationId: toBob.id } })

  // The renderer goes away: its subscriptions end with it.
  t.equal(bridge.subscriptionCount, 2)
  renderer.ws.close()
  page.close()
  await until(() => bridge.subscriptionCount === 0)
})
