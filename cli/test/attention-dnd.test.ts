import t from 'tap'
import type { Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { team, until, type Person } from './helpers/cli.js'

// No desktop notifications from the daemons these tests start.
process.env.OCOMMS_NOTIFY = 'off'

interface NotificationOut {
  id: string
  at: string
  conversationId: string
  messageId: string
  title: string
  body: string
  shown: boolean
  heldBy: 'dnd' | 'preference' | null
}

t.test('dnd on, status and off; a DM during DND is held in the notification history', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]

  const on = await bob.json<{ active: boolean; reason: string; until: string }>(['dnd', 'on', '--for', '30m'])
  t.match(on, { active: true, reason: 'snooze', until: String })
  const minutes = (Date.parse(on.until) - Date.now()) / 60_000
  t.ok(minutes > 28 && minutes <= 30, `about 30 minutes (${minutes.toFixed(1)})`)
  t.match(await bob.json(['dnd', 'status']), { active: true, reason: 'snooze', until: on.until, schedule: null, timeZone: String })
  t.match((await bob.run(['dnd', 'status'])).stdout, /Do not disturb is ON/)

  const held = await ann.json<Message>(['send', '@bob', 'psst, during dnd'])
  await until(async () => (await bob.rpc('notifications.list', {})).some((n) => n.messageId === held.id), 60_000)
  const first = (await bob.json<NotificationOut[]>(['notifications'])).find((n) => n.messageId === held.id)
  t.match(first, { conversationId: held.conversationId, shown: false, heldBy: 'dnd', title: '@ann', body: 'psst, during dnd', id: String, at: String })

  t.match(await bob.json(['dnd', 'off']), { active: false, reason: null, until: null })
  const shown = await ann.json<Message>(['send', '@bob', 'and after'])
  await until(async () => (await bob.rpc('notifications.list', {})).some((n) => n.messageId === shown.id), 60_000)
  const second = (await bob.json<NotificationOut[]>(['notifications'])).find((n) => n.messageId === shown.id)
  t.match(second, { shown: true, heldBy: null })
  const list = await bob.json<NotificationOut[]>(['notifications', '--limit', '1'])
  t.same(list.map((n) => n.messageId), [shown.id], 'newest first, limited')
  t.match((await bob.run(['notifications'])).stdout, /held \(dnd\)/)

  // A notify preference of none: the server sends no notification at all.
  await bob.json(['notify', '@ann', 'none'])
  const quiet = await ann.json<Message>(['send', '@bob', 'not notified'])
  await ann.json<Message>(['send', '@bob', 'marker'])
  await new Promise((r) => setTimeout(r, 500))
  t.notOk((await bob.json<NotificationOut[]>(['notifications'])).some((n) => n.messageId === quiet.id))


})

