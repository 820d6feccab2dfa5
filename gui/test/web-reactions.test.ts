import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { seriousViolations } from './helpers/axe.js'
import { cannotRun, launchChromium, openTab, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

/** The full reaction picker: search by shortcode, Enter takes the first, the recent ones come first next time. */
t.test('the web app: the reaction picker searches every emoji and remembers recent ones', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const general = (await grace.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  const sent = await grace.call('message.send', { conversationId: general.id, text: 'shipped the release', clientId: 'g-1' })
  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const { page } = A
  await page.goto('/signin')
  await page.getByLabel('Email', { exact: true }).fill(ada.email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^general\b/ }).click()
  const message = page.getByRole('article').filter({ hasText: 'shipped the release' })
  const reactions = async () => (await grace.call('message.list', { conversationId: general.id, limit: 5 })).find((m) => m.id === sent.id)!.reactions.map((r) => r.emoji)

  await message.hover()
  await message.getByRole('button', { name: 'Add reaction' }).click()
  const picker = page.getByRole('dialog', { name: 'Pick a reaction' })
  t.ok(await picker.getByRole('button', { name: 'React with 👍' }).isVisible(), 'the quick reactions are offered before anything is typed')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket')
  t.equal(await picker.getByRole('button').first().getAttribute('title'), ':rocket:', 'a search by shortcode finds the emoji')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('party')
  await A.shot('web-reaction-picker')
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations with the picker open')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket')
  await picker.getByRole('button', { name: 'React with 🚀' }).click()
  await message.getByRole('button', { name: /^🚀 1/ }).waitFor()
  t.same(await reactions(), ['🚀'], 'the reaction reaches the server')

  await message.hover()
  await message.getByRole('button', { name: 'Add reaction' }).click()
  t.equal(await picker.getByRole('button').first().getAttribute('aria-label'), 'React with 🚀', 'the last one used comes first next time')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill(':partying')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).press('Enter')
  await message.getByRole('button', { name: /^🥳 1/ }).waitFor()
  t.same((await reactions()).sort(), ['🚀', '🥳'].sort(), 'Enter takes the first match')

  await message.hover()
  await message.getByRole('button', { name: 'Add reaction' }).click()
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('zzzqqq')
  t.match(await picker.textContent(), /No emoji matches/, 'no match says so')
  await picker.getByRole('searchbox', { name: 'Search emoji' }).press('Escape')
  await picker.waitFor({ state: 'detached' })
  t.pass('Escape closes the picker')
  t.same(A.errors, [], 'no script error or CSP violation')
})
