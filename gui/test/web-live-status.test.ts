import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { cannotRun, launchChromium, openTab, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

/**
 * Another person's custom status and do-not-disturb change on the open page without a reload:
 * next to their name on their messages and in the channel's member list.
 */
t.test('the web app: statuses and DND of others are live', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('alice', 'bob')
  const [alice, bob] = people
  const general = (await alice.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  await alice.call('message.send', { conversationId: general.id, text: 'morning all', clientId: 'alice-1' })

  const browser = await launchChromium(t)
  const tab = await openTab(browser, server.url)
  const { page } = tab
  await page.goto('/signin')
  await page.getByLabel('Email', { exact: true }).fill(bob.email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^general\b/ }).click()
  const alices = page.getByRole('article').filter({ hasText: 'morning all' })
  await alices.waitFor()

  const details = page.getByRole('dialog', { name: '#general' })
  const aliceInList = details.getByRole('listitem').filter({ hasText: '@alice' })
  /** Waits until alice's badges read `names` (in order) on her message and in the member list. */
  const shows = async (names: string[], what: string) => {
    // Read in one step: a badge listed first and read after could be gone by then (the page
    // is live), and reading a gone element waits for it until the timeout.
    const badges = (where: typeof alices) =>
      where.getByRole('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('aria-label')))
    const until = async (where: typeof alices) => {
      for (let i = 0; i < 500; i++) {
        if (JSON.stringify(await badges(where)) === JSON.stringify(names)) return
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    const since = Date.now()
    await until(alices)
    t.comment(`${what}: shown ${Date.now() - since} ms after the change was saved`)
    t.same(await badges(alices), names, `${what}: next to her message`)
    await page.getByRole('button', { name: 'Details of general' }).click()
    await aliceInList.waitFor()
    await until(aliceInList)
    t.same(await badges(aliceInList), names, `${what}: in the member list`)
    await details.getByRole('button', { name: 'Close' }).click()
    await details.waitFor({ state: 'detached' })
  }

  await shows([], 'no status at first')
  await alice.call('status.set', { text: 'Walking the dog', emoji: ':dog:' })
  await shows(['Status: Walking the dog'], 'a custom status set')
  await alice.call('dnd.snooze', { minutes: 30 })
  await shows(['Status: Walking the dog', 'Do not disturb'], 'then do-not-disturb')
  await alice.call('status.clear', {})
  await alice.call('dnd.off', {})
  await shows([], 'both cleared')

  // A new socket starts with no subscriptions: the page subscribes again once it is back.
  server.services.realtime.disconnectUser(bob.user.id)
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ state: 'detached', timeout: 20_000 })
  await alice.call('status.set', { text: 'Back at my desk', emoji: ':computer:' })
  await shows(['Status: Back at my desk'], 'after a reconnect')
  t.equal(page.url().endsWith(`/c/${general.id}`), true, 'all on the same page, never reloaded')
  t.same(tab.errors, [], 'no script error or CSP violation')
})
