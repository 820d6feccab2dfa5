import t from 'tap'
import { AttentionTray, countUnreads, tomorrowMorning, type MenuItem, type TrayIcon } from '../src/shell/tray.js'
import { bridgeFor, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

const item = (menu: MenuItem[], label: RegExp): MenuItem => {
  const found = menu.flatMap((m) => [m, ...(m.submenu ?? [])]).find((m) => m.label && label.test(m.label))
  if (!found) throw new Error(`no menu item ${label}: ${menu.map((m) => m.label).join(' | ')}`)
  return found
}

t.test('badge, tray icon, tooltip and menu follow the daemon; the menu acts through it', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)

  // Fakes of Electron's Tray and app badge: they only record.
  const calls = { icon: [] as TrayIcon[], tip: [] as string[], menu: [] as MenuItem[][], badge: [] as Array<[number, boolean]>, quit: 0, show: 0 }
  let remembered: { spec: string; timeZone: string } | null = null
  const tray = new AttentionTray({
    session: bridge.session(),
    profile: 'default',
    tray: { setIcon: (i) => calls.icon.push(i), setToolTip: (s) => calls.tip.push(s), setMenu: (m) => calls.menu.push(m) },
    badge: { setBadge: (n, dot) => calls.badge.push([n, dot]) },
    schedule: { get: () => remembered, set: (v) => (remembered = v) },
    show: () => calls.show++,
    quit: () => calls.quit++,
    debounceMs: 50,
  })
  t.teardown(() => tray.stop())
  await tray.start()
  t.same(calls.badge.at(-1), [0, false])
  t.equal(calls.icon.at(-1), 'idle')
  t.match(calls.tip.at(-1), /nothing unread/)

  // Two DMs from ann: the badge counts them; a channel message is a dot-only unread.
  // Straight to the daemons (not through `ocomms` processes): this test is about the tray.
  const toBob = await ann.rpc('resolve.target', { target: '@bob' })
  await ann.rpc('messages.send', { conversationId: toBob.id, text: 'one' })
  await ann.rpc('messages.send', { conversationId: toBob.id, text: 'two' })
  await until(() => calls.badge.at(-1)?.[0] === 2)
  t.equal(calls.icon.at(-1), 'mention')
  t.match(calls.tip.at(-1), /2 unread/)

  // Reading it (on any device) clears it.
  const dm = await bob.rpc('resolve.target', { target: '@ann' })
  await bob.rpc('call', { operation: 'read.mark', input: { conversationId: dm.id } })
  await until(() => calls.badge.at(-1)?.[0] === 0)

  const lobby = (await ann.call('channel.create', { name: 'lobby' })) as { id: string }
  await bob.call('conversation.join', { conversationId: lobby.id })
  await ann.rpc('messages.send', { conversationId: lobby.id, text: 'chatter' })
  await until(() => calls.badge.at(-1)?.[1] === true)
  t.same(calls.badge.at(-1), [0, true], 'unread without a mention: a dot')
  t.equal(calls.icon.at(-1), 'unread')

  // DND for 1 hour from the menu.
  item(calls.menu.at(-1)!, /for 1 hour/).click!()
  await until(() => calls.icon.at(-1) === 'dnd')
  const dnd = (await bob.rpc('call', { operation: 'dnd.get', input: {} })) as { active: boolean; until: string }
  t.ok(dnd.active)
  const minutes = (Date.parse(dnd.until) - Date.now()) / 60_000
  t.ok(minutes > 58 && minutes <= 60, `about an hour (${minutes.toFixed(1)} min)`)
  t.match(calls.tip.at(-1), /do not disturb until/)
  item(calls.menu.at(-1)!, /turn off/i).click!()
  await until(() => calls.icon.at(-1) !== 'dnd')

  // Until tomorrow: tomorrow 09:00 on this machine's clock.
  item(calls.menu.at(-1)!, /until tomorrow/).click!()
  await until(() => calls.icon.at(-1) === 'dnd')
  const night = (await bob.rpc('call', { operation: 'dnd.get', input: {} })) as { until: string }
  t.equal(Date.parse(night.until), tomorrowMorning(new Date()).getTime())
  await bob.rpc('call', { operation: 'dnd.off', input: {} })

  // The schedule: off remembers it, on restores it.
  await bob.rpc('call', { operation: 'dnd.schedule', input: { spec: 'mon-sun 00:00-23:59', timeZone: 'UTC' } })
  await until(() => item(calls.menu.at(-1)!, /schedule/).checked === true)
  item(calls.menu.at(-1)!, /schedule/).click!()
  await until(() => item(calls.menu.at(-1)!, /schedule/).checked === false)
  t.match(remembered, { spec: String, timeZone: 'UTC' })
  t.equal(((await bob.rpc('call', { operation: 'dnd.get', input: {} })) as { schedule: string | null }).schedule, null)
  item(calls.menu.at(-1)!, /schedule/).click!()
  await until(() => item(calls.menu.at(-1)!, /schedule/).checked === true)
  t.equal(remembered, null)

  // Status, show and quit.
  item(calls.menu.at(-1)!, /^Away$/).click!()
  await until(async () => ((await ann.rpc('call', { operation: 'member.get', input: { member: 'bob' } })) as { presence: string }).presence === 'away')
  // The menu is rebuilt when the daemon's event reaches the tray, which may come after the server has it.
  await until(() => item(calls.menu.at(-1)!, /^Away$/).checked === true)
  t.equal(item(calls.menu.at(-1)!, /^Away$/).checked, true)
  item(calls.menu.at(-1)!, /^Open OComms$/).click!()
  item(calls.menu.at(-1)!, /^Quit/).click!()
  t.same([calls.show, calls.quit], [1, 1])
})

t.test('countUnreads: DMs by unread, the rest by mentions, muted ones only by mentions', async (t) => {
  const conv = (kind: string) => ({ kind }) as never
  const counts = countUnreads({
    conversations: [
      { conversation: conv('dm'), unread: 3, mentions: 0, lastReadSeq: 0, muted: false },
      { conversation: conv('public'), unread: 5, mentions: 1, lastReadSeq: 0, muted: false },
      { conversation: conv('group_dm'), unread: 4, mentions: 0, lastReadSeq: 0, muted: true },
    ],
    threads: [{ root: {} as never, unread: 2, mentions: 1, lastReadSeq: 0 }],
    total: 14,
    totalMentions: 2,
  })
  t.same(counts, { badge: 5, unread: 10, mentions: 2 })
})
