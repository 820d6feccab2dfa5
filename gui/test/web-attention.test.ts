import { parseDndSchedule } from '@ocomms/shared'
import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { seriousViolations } from './helpers/axe.js'
import { cannotRun, launchChromium, openTab, screenshotDir, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'
const minutesFromNow = (iso: string | null | undefined) => (iso ? Math.round((Date.parse(iso) - Date.now()) / 60_000) : NaN)

/**
 * Status and notifications in the web app, checked against what the server keeps: a custom
 * status with its expiry (and another person's shown next to their name), presence, DND snoozes
 * and off, the weekly schedule, keywords, and one channel's notification settings.
 */
t.test('the web app: custom status, presence, do-not-disturb, schedule, keywords, channel notifications', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const general = (await grace.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  await grace.call('status.set', { text: 'On holiday', emoji: ':palm_tree:' })
  await grace.call('message.send', { conversationId: general.id, text: 'back on Monday', clientId: 'grace-1' })

  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const { page } = A
  await page.goto('/signin')
  await page.getByLabel('Email', { exact: true }).fill(ada.email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^general\b/ }).click()
  const graces = page.getByRole('article').filter({ hasText: 'back on Monday' })
  await graces.getByRole('img', { name: 'Status: On holiday' }).waitFor()
  t.equal(await graces.getByRole('img', { name: 'Status: On holiday' }).textContent(), '🌴', 'another person\'s status is shown next to their name')

  await page.getByRole('link', { name: 'Status and notifications' }).click()
  await page.waitForURL('**/settings/notifications')

  // Custom status with an expiry, then cleared.
  await page.getByLabel('Emoji').fill(':calendar:')
  await page.getByLabel('What are you up to?').fill('In a meeting')
  await page.getByLabel('Clear after').selectOption({ label: '1 hour' })
  await page.getByRole('button', { name: 'Set status' }).click()
  await page.getByRole('status').filter({ hasText: 'Status set.' }).waitFor()
  let mine = (await grace.call('member.list', { workspaceId: ws.id })).find((m) => m.id === ada.id)!
  t.match(mine.status, { text: 'In a meeting' }, 'the status is set')
  t.ok(Math.abs(minutesFromNow(mine.status?.expiresAt) - 60) <= 1, 'to clear itself in an hour')
  await page.getByRole('button', { name: 'Clear status' }).click()
  await page.getByRole('status').filter({ hasText: 'Status cleared.' }).waitFor()
  mine = (await grace.call('member.list', { workspaceId: ws.id })).find((m) => m.id === ada.id)!
  t.equal(mine.status, null, 'and cleared')

  const live = await server.connect(ada.token) // presence is for people connected
  t.teardown(() => live.close())
  await page.getByLabel('Presence').selectOption('away')
  await page.getByRole('status').filter({ hasText: 'Shown as away.' }).waitFor()
  mine = (await grace.call('member.list', { workspaceId: ws.id })).find((m) => m.id === ada.id)!
  t.equal(mine.presence, 'away', 'presence set to away')

  // Do not disturb: snoozes and off.
  const pause = page.getByRole('group', { name: 'Pause notifications' })
  await pause.getByRole('button', { name: 'For 30 minutes' }).click()
  await page.getByRole('status').filter({ hasText: 'Paused for 30 minutes.' }).waitFor()
  let dnd = await ada.call('dnd.get', {})
  t.ok(dnd.active && Math.abs(minutesFromNow(dnd.snoozeUntil) - 30) <= 1, 'snoozed for 30 minutes')
  await pause.getByRole('button', { name: 'Until tomorrow' }).click()
  await page.getByRole('status').filter({ hasText: 'Paused until tomorrow.' }).waitFor()
  dnd = await ada.call('dnd.get', {})
  const tomorrow = new Date()
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1)
  tomorrow.setUTCHours(9, 0, 0, 0) // the browser's time zone is UTC here
  t.equal(dnd.snoozeUntil && new Date(dnd.snoozeUntil).toISOString(), tomorrow.toISOString(), 'until tomorrow means tomorrow 09:00')
  t.match(await page.getByText(/Notifications are paused until/).textContent(), /paused until/, 'the page says so')
  await pause.getByRole('button', { name: 'Turn off' }).click()
  await page.getByRole('status').filter({ hasText: 'Notifications are on.' }).first().waitFor()
  t.notOk((await ada.call('dnd.get', {})).active, 'turned off')

  // The weekly schedule: weekdays 09:00-18:00 by default; Monday from 08:00, Saturday morning too.
  await page.getByLabel('Monday from').fill('08:00')
  await page.getByRole('checkbox', { name: 'Saturday' }).check()
  await page.getByLabel('Saturday from').fill('10:00')
  await page.getByLabel('Saturday to').fill('12:00')
  await page.getByRole('button', { name: 'Save schedule' }).click()
  await page.getByRole('status').filter({ hasText: 'Schedule saved.' }).waitFor()
  dnd = await ada.call('dnd.get', {})
  t.equal(dnd.timeZone, 'UTC', 'in the browser\'s time zone')
  const schedule = parseDndSchedule(dnd.schedule ?? '')
  t.same(schedule, { 1: [{ start: 480, end: 1080 }], 2: [{ start: 540, end: 1080 }], 3: [{ start: 540, end: 1080 }], 4: [{ start: 540, end: 1080 }], 5: [{ start: 540, end: 1080 }], 6: [{ start: 600, end: 720 }], 7: [] }, `the schedule is saved (${dnd.schedule})`)

  // Keywords.
  await page.getByLabel('New keyword').fill('deploy')
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.getByRole('list', { name: 'Keywords' }).getByText('deploy').waitFor()
  t.same((await ada.call('keywords.get', {})).keywords, ['deploy'], 'a keyword added')

  // One channel's notifications.
  await page.getByLabel('Notifications for #general').selectOption('mentions')
  await page.getByRole('checkbox', { name: 'Mute #general' }).check()
  await page.getByRole('checkbox', { name: 'Ignore @channel in #general' }).check()
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[aria-label="Ignore @channel in #general"]')?.checked === true)
  let pref = await ada.call('notify.get', { conversationId: general.id })
  for (let i = 0; i < 20 && !pref.ignoreChannelMentions; i++) {
    await new Promise((r) => setTimeout(r, 100))
    pref = await ada.call('notify.get', { conversationId: general.id })
  }
  t.match(pref, { level: 'mentions', muted: true, ignoreChannelMentions: true }, 'the channel notifies of mentions only, muted, ignoring @channel')

  await page.screenshot({ path: `${screenshotDir}/web-status-notifications.png`, fullPage: true, animations: 'disabled' })
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations')
  await page.getByRole('button', { name: 'Remove deploy' }).click()
  await page.getByRole('list', { name: 'Keywords' }).waitFor({ state: 'detached' })
  t.same((await ada.call('keywords.get', {})).keywords, [], 'and removed')
  t.same(A.errors, [], 'no script error or CSP violation')
})
