import t from 'tap'
import type { Message } from '@ocomms/shared'
import { NotificationAdapter } from '../src/shell/notifications.js'
import type { OpenRequest } from '../src/index.js'
import { bridgeFor, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

t.test('daemon notifications become native notifications exactly once, none during DND; a click opens the message', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const shell = bridge.session()
  const renderer = bridge.session()
  const opened: OpenRequest[] = []
  renderer.onOpen((r) => opened.push(r))

  const shown: Array<{ title: string; body: string; click: () => void }> = []
  const adapter = new NotificationAdapter({ show: (n, click) => shown.push({ ...n, click }) }, (r) => bridge.open(r))
  const shellEvents: string[] = []
  shell.onEvent((e) => (shellEvents.push(e.event.type), adapter.handle(e)))
  // A second subscription without `notifications` (the renderer's own): it must not get the verdicts.
  const rendererEvents: string[] = []
  renderer.onEvent((e) => rendererEvents.push(e.event.type))
  await renderer.call('subscribe', {})
  await shell.call('subscribe', { notifications: true })

  const first = await ann.json<Message>(['send', '@bob', 'ping for the desktop'])
  await until(() => shown.length > 0)
  t.match(shown, [{ title: '@ann', body: 'ping for the desktop' }])
  const record = (await bob.rpc('notifications.list', {})).find((n) => n.messageId === first.id)
  // desktop: true although this daemon has no desktop of its own (OCOMMS_NOTIFY=off): the app took over.
  t.match(record, { shown: true, desktop: true, heldBy: null }, 'the history says the app showed it')

  // Exactly once: the same verdict delivered again (a renewed subscription, a replay) shows nothing.
  const again = adapter.handle({ subscriptionId: 'x', profile: 'default', event: { type: 'daemon.notification', notification: record! } })
  t.equal(again, false)
  t.equal(shown.length, 1)

  // A click opens the conversation at the message, in the renderer.
  shown[0]!.click()
  t.same(opened, [{ profile: 'default', conversationId: first.conversationId, messageId: first.id, threadRootId: null }])

  // During DND the daemon holds it back: recorded, not shown.
  await shell.call('call', { operation: 'dnd.snooze', input: { minutes: 30 } })
  // The daemon learns of the snooze from its event stream and applies it before passing the event on.
  await until(() => shellEvents.includes('dnd.updated'))
  const held = await ann.json<Message>(['send', '@bob', 'during dnd'])
  const heldRecord = await until(async () => (await bob.rpc('notifications.list', {})).find((n) => n.messageId === held.id))
  t.match(heldRecord, { shown: false, heldBy: 'dnd', desktop: false })
  await new Promise((r) => setTimeout(r, 300))
  t.equal(shown.length, 1, 'nothing shown during DND')

  await shell.call('call', { operation: 'dnd.off', input: {} })
  const later = await ann.json<Message>(['send', '@bob', 'after dnd'])
  await until(() => shown.length === 2)
  t.match(shown[1], { body: 'after dnd' })
  t.ok((await bob.rpc('notifications.list', {})).some((n) => n.messageId === later.id && n.desktop))
  t.notOk(rendererEvents.includes('daemon.notification'), 'only the subscription that asked gets verdicts')
})
