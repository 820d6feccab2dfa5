import type { Message } from '@ocomms/shared'
import t from 'tap'
import { person, signup } from '../../cli/test/helpers/cli.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { seriousViolations } from './helpers/axe.js'
import { cannotRun, hasFocus, launchChromium, openTab, phone, webDir, type Tab } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

async function signIn(tab: Tab, email: string): Promise<void> {
  await tab.page.goto('/signin')
  await tab.page.getByLabel('Email', { exact: true }).fill(email)
  await tab.page.getByLabel('Password', { exact: true }).fill(password)
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await tab.page.getByRole('navigation', { name: 'Workspace' }).waitFor()
}

const log = (tab: Tab, channel: string) => tab.page.getByRole('log', { name: `Messages in ${channel}` })
const message = (tab: Tab, channel: string, text: string | RegExp) => log(tab, channel).getByRole('article').filter({ hasText: text })

async function openChannel(tab: Tab, name: string): Promise<void> {
  await tab.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: new RegExp(`^${name}\\b`) }).click()
  await tab.page.getByRole('heading', { name: `#${name}`, level: 1 }).waitFor()
}

async function say(tab: Tab, channel: string, text: string): Promise<void> {
  const box = tab.page.getByRole('textbox', { name: `Message #${channel}` })
  await box.fill(text)
  await box.press('Enter')
}

t.test('the web app: two people in browsers and one on the CLI, live both ways, threads, reactions, unreads, hostile text, phone layout', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const random = await ada.call('channel.create', { workspaceId: ws.id, name: 'random' })
  await grace.call('conversation.join', { conversationId: random.id })
  const linus = await person(t, 'linus')
  await signup(linus, server.url, { invite: (await ada.call('invite.create', { workspaceId: ws.id })).code })
  const general = (await ada.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  await ada.call('conversation.update', { conversationId: general.id, topic: 'Company-wide announcements and chat' })

  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const G = await openTab(browser, server.url, { colorScheme: 'dark' })
  await Promise.all([signIn(A, ada.email), signIn(G, grace.email)])
  await Promise.all([A.page.getByRole('heading', { name: '#general', level: 1 }).waitFor(), G.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()])
  t.pass('both open at #general')

  // Browser → browser and CLI.
  await say(A, 'general', 'Morning all! The **build** is green :tada:')
  await message(G, 'general', 'Morning all!').waitFor()
  t.pass('a message from one browser appears live in the other')
  t.equal(await message(G, 'general', 'Morning all!').locator('strong').textContent(), 'build', 'rich text is rendered (bold)')
  t.equal(await message(G, 'general', 'Morning all!').getByRole('img', { name: 'tada' }).textContent(), '🎉', 'and :shortcodes: as emoji')
  const read = await linus.json<Message[]>(['read', '#general'])
  t.ok(read.some((m) => m.text.includes('Morning all!')), 'the CLI reads what the browser sent')

  // CLI → browsers.
  await linus.json(['send', '#general', 'Hello from the terminal, @ada — see `npm test`'])
  await Promise.all([message(A, 'general', 'Hello from the terminal').waitFor(), message(G, 'general', 'Hello from the terminal').waitFor()])
  t.pass('a message from the CLI appears live in both browsers')
  t.match(await message(A, 'general', 'Hello from the terminal').getAttribute('class'), /mentions-me/, 'a mention of me is highlighted')
  await say(G, 'general', 'Three things for today:\n1. review the *web app*\n2. ship it\n\n> quality is not an act, it is a habit')
  await message(A, 'general', 'review the').waitFor()
  t.equal(await message(A, 'general', 'review the').locator('ol > li').count(), 2, 'lists are rendered as lists')
  t.equal(await message(A, 'general', 'review the').locator('blockquote').count(), 1, 'and quotes as quotes')

  // Unread badge: a message in #random while Ada looks at #general.
  await G.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^random/ }).click()
  await G.page.getByRole('heading', { name: '#random', level: 1 }).waitFor()
  await say(G, 'random', 'psst, cake in the kitchen')
  const randomLink = A.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^random, 1 unread$/ })
  await randomLink.waitFor()
  t.pass('Ada sees one unread message in #random')
  // The read marker of the open conversation moves at most once a second: the title follows.
  await A.page.waitForFunction(() => document.title.startsWith('(1) Acme'))
  t.match(await A.page.title(), /^\(1\) Acme/, 'and the tab title counts it')
  await randomLink.click()
  await message(A, 'random', 'cake in the kitchen').waitFor()
  await A.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^random$/ }).waitFor()
  t.pass('opening it reads it: the badge goes')
  await openChannel(A, 'general')
  await openChannel(G, 'general')

  // A thread: Grace replies to Ada in a thread; Ada sees the count and the reply.
  const adaMessage = message(G, 'general', 'Morning all!')
  await adaMessage.hover()
  await adaMessage.getByRole('button', { name: 'Reply in thread' }).click()
  const thread = G.page.getByRole('complementary', { name: 'Thread' })
  await thread.waitFor()
  await thread.getByRole('textbox', { name: 'Reply…' }).fill('Nice! Which commit fixed it?')
  await thread.getByRole('textbox', { name: 'Reply…' }).press('Enter')
  await thread.getByRole('article').filter({ hasText: 'Which commit fixed it?' }).waitFor()
  await message(A, 'general', 'Morning all!').getByRole('button', { name: '1 reply' }).click()
  const adaThread = A.page.getByRole('complementary', { name: 'Thread' })
  await adaThread.getByRole('article').filter({ hasText: 'Which commit fixed it?' }).waitFor()
  t.pass('a thread reply reaches the other browser, counted on its root')
  await adaThread.getByRole('textbox', { name: 'Reply…' }).fill('The one that pinned Vite 7.')
  await adaThread.getByRole('textbox', { name: 'Reply…' }).press('Enter')
  await thread.getByRole('article').filter({ hasText: 'pinned Vite 7' }).waitFor()
  t.pass('and back')
  await adaThread.getByRole('button', { name: 'Close thread' }).click()

  // A reaction from the browser, seen by the other browser and the CLI.
  const cliMessage = message(A, 'general', 'Hello from the terminal')
  await cliMessage.hover()
  await cliMessage.getByRole('button', { name: 'Add reaction' }).click()
  await cliMessage.getByRole('button', { name: 'React with 👍' }).click()
  await message(G, 'general', 'Hello from the terminal').getByRole('button', { name: /^👍 1: ada$/ }).waitFor()
  t.pass('a reaction appears live in the other browser')
  const afterReaction = await linus.json<Message[]>(['read', '#general'])
  t.same(afterReaction.find((m) => m.text.startsWith('Hello from the terminal'))?.reactions, [{ emoji: '👍', count: 1, members: ['ada'] }], 'and on the CLI')
  await message(G, 'general', 'Hello from the terminal').getByRole('button', { name: /^👍 1/ }).click()
  await message(A, 'general', 'Hello from the terminal').getByRole('button', { name: /^👍 2: ada, grace$/ }).waitFor()
  t.pass('pressing a reaction adds mine to it')

  // Edit and delete.
  await say(A, 'general', 'Lunch at 12?')
  const lunch = message(A, 'general', 'Lunch at 12?')
  await lunch.hover()
  await lunch.getByRole('button', { name: 'Edit message' }).click()
  const edited = A.page.getByRole('textbox', { name: 'Edited message' })
  t.ok(await hasFocus(edited), 'editing starts in the message\'s text')
  t.ok(await edited.evaluate((el: HTMLTextAreaElement) => el.selectionStart === el.value.length && el.value.length > 0), 'with the caret after it')
  await A.page.getByRole('textbox', { name: 'Edited message' }).fill('Lunch at 12:30?')
  await A.page.getByRole('textbox', { name: 'Edited message' }).press('Enter')
  await message(G, 'general', 'Lunch at 12:30?').getByText('(edited)').waitFor()
  t.pass('an edit shows in the other browser, marked edited')
  const [line, mark] = await Promise.all([message(G, 'general', 'Lunch at 12:30?').locator('.rich p').last().boundingBox(), message(G, 'general', 'Lunch at 12:30?').getByText('(edited)').boundingBox()])
  t.ok(line && mark && mark.y >= line.y && mark.y + mark.height <= line.y + line.height + 1, 'the mark ends the line of the text, not a line of its own')
  await say(A, 'general', 'oops, wrong channel')
  const oops = message(A, 'general', 'oops, wrong channel')
  await oops.hover()
  await oops.getByRole('button', { name: 'Delete message' }).click()
  await oops.getByRole('button', { name: 'Delete', exact: true }).click()
  await message(G, 'general', 'This message was deleted.').waitFor()
  t.notOk(await message(G, 'general', 'oops, wrong channel').count(), 'a deleted message is gone from the other browser')

  // Screenshots of the real app: desktop light (Ada) and dark (Grace).
  await say(A, 'general', 'Shipping the web app today. Screenshots are in `docs/screenshots/`.')
  await message(G, 'general', 'Shipping the web app').waitFor()
  await A.shot('web-desktop-light')
  await G.shot('web-desktop-dark')
  t.same(await seriousViolations(A.page), [], 'axe: no serious or critical violations in the conversation (light)')
  t.same(await seriousViolations(G.page), [], 'axe: none with a thread open (dark)')

  // The phone: one pane at a time, with back navigation.
  for (const scheme of ['light', 'dark'] as const) {
    const P = await openTab(browser, server.url, { viewport: phone, mobile: true, colorScheme: scheme })
    await signIn(P, grace.email)
    const nav = P.page.getByRole('navigation', { name: 'Workspace' })
    t.ok(await nav.isVisible(), `phone (${scheme}): the list of conversations comes first`)
    const generalLink = nav.getByRole('link', { name: /^general/ })
    t.ok(((await generalLink.boundingBox())?.height ?? 0) >= 44, 'touch targets are at least 44 px high')
    if (scheme === 'light') await P.shot('web-phone-sidebar-light')
    await generalLink.click()
    await message(P, 'general', 'Shipping the web app').waitFor()
    t.notOk(await nav.isVisible(), 'the conversation takes the whole screen')
    await P.shot(`web-phone-conversation-${scheme}`)
    t.same(await seriousViolations(P.page), [], `axe: none on the phone (${scheme})`)
    await P.page.getByRole('button', { name: 'Back to conversations' }).click()
    await nav.waitFor()
    t.pass('back goes to the list')
    t.same(P.errors, [], 'no script errors on the phone')
    await P.context.close()
  }

  // Hostile text from the CLI: shown as text, never run.
  const hostile = [
    '<script>window.__pwned = "script"</script>',
    '[click me](javascript:window.__pwned="link")',
    '<img src=x onerror="window.__pwned=\'img\'">',
    '[also me](JaVaScRiPt:window.__pwned="case")',
    '<a href="javascript:window.__pwned=\'anchor\'">an anchor</a>',
    '![pic](javascript:window.__pwned="image")',
  ]
  for (const text of hostile) await linus.json(['send', '#general', text])
  for (const tab of [A, G]) {
    await message(tab, 'general', 'window.__pwned=\'anchor\'').waitFor()
    const messages = log(tab, 'general')
    t.equal(await messages.locator('script, img, iframe, object, embed').count(), 0, 'no element made from message text')
    t.equal(await messages.locator('a[href^="javascript" i]').count(), 0, 'no javascript: link')
    await messages.getByText('click me').click()
    await messages.getByText('also me').click()
    t.equal(await tab.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined, 'nothing ran')
    t.ok(await message(tab, 'general', '<script>window.__pwned').count(), 'the script tag shows as text')
  }

  for (const tab of [A, G]) t.same(tab.errors, [], 'no script errors and no CSP violations')
})
