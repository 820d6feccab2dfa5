import { randomUUID } from 'node:crypto'
import t from 'tap'
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

const nav = (tab: Tab) => tab.page.getByRole('navigation', { name: 'Workspace' })
const log = (tab: Tab, channel: string) => tab.page.getByRole('log', { name: `Messages in ${channel}` })
const highlighted = (tab: Tab) => tab.page.locator('article.msg.highlighted')

/** Whether an element is inside the window, not only in the page. */
async function onScreen(tab: Tab, locator: ReturnType<Tab['page']['locator']>): Promise<boolean> {
  const box = await locator.boundingBox()
  const view = tab.page.viewportSize()!
  return !!box && box.y >= 0 && box.y + Math.min(box.height, 40) <= view.height
}

t.test('the views, search with suggestions, the new-messages line, group DMs, presence, channel details and shortcuts', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace', 'linus')
  const [ada, grace, linus] = people
  const general = (await ada.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  const random = await ada.call('channel.create', { workspaceId: ws.id, name: 'random' })
  await grace.call('conversation.join', { conversationId: random.id })

  // An old mention of Ada under 120 later messages: opening it must load older history.
  const old = await grace.call('message.send', { clientId: randomUUID(), conversationId: general.id, text: '@ada the old release note for the quarterly report' })
  for (let batch = 0; batch < 6; batch++) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => grace.call('message.send', { clientId: randomUUID(), conversationId: general.id, text: `filler message number ${batch * 20 + i}` })))
  }
  await ada.call('read.mark', { conversationId: general.id })
  const pinned = await grace.call('message.send', { clientId: randomUUID(), conversationId: random.id, text: 'The wifi password is on the fridge' })
  await grace.call('pin.add', { messageId: pinned.id })
  await ada.call('saved.add', { messageId: pinned.id })
  const root = await ada.call('message.send', { clientId: randomUUID(), conversationId: general.id, text: 'Who reviews the views branch?' })
  await grace.call('message.send', { clientId: randomUUID(), conversationId: general.id, threadRootId: root.id, text: 'I can take the views review' })
  await ada.call('read.mark', { conversationId: general.id })
  await ada.call('read.mark', { conversationId: random.id })
  await grace.call('message.send', { clientId: randomUUID(), conversationId: random.id, text: 'first new one in random' })
  await grace.call('message.send', { clientId: randomUUID(), conversationId: random.id, text: 'second new one in random' })

  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const G = await openTab(browser, server.url, { colorScheme: 'dark' })
  await Promise.all([signIn(A, ada.email), signIn(G, grace.email)])
  await A.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()

  // Unreads: one list across channels and threads.
  await nav(A).getByRole('link', { name: /^Unreads/ }).click()
  const main = A.page.getByRole('main')
  await main.getByRole('heading', { name: 'Unreads', level: 1 }).waitFor()
  await main.getByRole('region', { name: '#random' }).getByText('second new one in random').waitFor()
  await main.getByRole('region', { name: 'Thread in #general' }).getByText('I can take the views review').waitFor()
  t.pass('Unreads lists the unread messages of a channel and of a followed thread')
  t.match(A.page.url(), /\/views\/unreads$/, 'at its own address')
  t.equal(await A.page.locator('link[rel="icon"]').getAttribute('data-count'), '3', 'the favicon carries the unread count')
  await grace.call('message.send', { clientId: randomUUID(), conversationId: random.id, text: 'third one, while Unreads is open' })
  await main.getByRole('region', { name: '#random' }).getByText('third one, while Unreads is open').waitFor()
  t.pass('Unreads follows what arrives while it is open')
  await A.shot('web-view-unreads')
  t.same(await seriousViolations(A.page), [], 'axe: no serious or critical violations in Unreads')

  // An item opens the conversation at the message; the "new messages" line sits above the first unread.
  await main.getByRole('region', { name: '#random' }).getByText('first new one in random').click()
  await A.page.getByRole('heading', { name: '#random', level: 1 }).waitFor()
  await highlighted(A).filter({ hasText: 'first new one in random' }).waitFor()
  t.match(A.page.url(), /\/c\/[^/]+\?m=/, 'the address names the message')
  const separator = log(A, 'random').getByRole('separator', { name: 'New messages' })
  await separator.waitFor()
  const lineY = (await separator.boundingBox())!.y
  const firstNewY = (await log(A, 'random').getByRole('article').filter({ hasText: 'first new one' }).boundingBox())!.y
  const pinnedY = (await log(A, 'random').getByRole('article').filter({ hasText: 'wifi password' }).boundingBox())!.y
  t.ok(pinnedY < lineY && lineY < firstNewY, 'the "new messages" line is between what was read and the first unread message')

  // Mentions: the old one opens far back in history, scrolled to and highlighted.
  await A.page.goto('/views/mentions')
  await main.getByRole('heading', { name: 'Mentions', level: 1 }).waitFor()
  await main.getByText('the old release note').click()
  await A.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()
  const oldRow = highlighted(A).filter({ hasText: 'the old release note' })
  await oldRow.waitFor()
  await t.resolves(
    (async () => {
      for (let i = 0; i < 40 && !(await onScreen(A, oldRow)); i++) await A.page.waitForTimeout(100)
    })(),
  )
  t.ok(await onScreen(A, oldRow), 'a mention 120 messages back is loaded, scrolled to and highlighted')
  t.equal(await oldRow.getAttribute('data-message-id'), old.id, 'the very message')

  // Saved and Pins.
  await nav(A).getByRole('link', { name: /^Saved/ }).click()
  await main.getByText('The wifi password is on the fridge').waitFor()
  t.pass('Saved lists my saved message')
  await nav(A).getByRole('link', { name: /^Pins/ }).click()
  await main.getByRole('region', { name: '#random' }).getByText('The wifi password is on the fridge').waitFor()
  t.ok(await main.getByText('Pinned by Grace', { exact: false }).count(), 'Pins lists the pinned message with who pinned it')

  // Threads: opens the thread pane.
  await nav(A).getByRole('link', { name: /^Threads/ }).click()
  await main.getByText('Who reviews the views branch?').click()
  await A.page.getByRole('complementary', { name: 'Thread' }).getByText('I can take the views review').waitFor()
  t.pass('Threads lists my thread and opens it')
  await A.page.keyboard.press('Escape')
  await A.page.getByRole('complementary', { name: 'Thread' }).waitFor({ state: 'detached' })
  t.pass('Esc closes the thread pane')

  // Power search with suggestions.
  await A.page.keyboard.press('/')
  const box = A.page.getByRole('combobox', { name: 'Search messages' })
  t.ok(await hasFocus(box), '/ opens Search ready to type')
  await box.pressSequentially('release fr')
  await A.page.getByRole('option', { name: 'from:' }).waitFor()
  // On a slow frame: a key typed after the completion and before the next frame must not send
  // the caret back in front of it (what follows would then be typed before the key).
  await A.page.evaluate(`{ const raf = window.requestAnimationFrame; window.__raf = raf; window.requestAnimationFrame = (cb) => raf(() => setTimeout(() => raf(cb), 150)) }`)
  await box.press('Tab')
  await box.press('@')
  await A.page.waitForTimeout(400)
  await A.page.evaluate(`window.requestAnimationFrame = window.__raf`)
  await box.pressSequentially('gr')
  t.equal(await box.inputValue(), 'release from:@gr', 'a key typed right after a completion stays where it was typed')
  await A.page.getByRole('option', { name: /^@grace/ }).waitFor()
  await A.shot('web-search-suggestions')
  await box.press('Enter')
  t.equal(await box.inputValue(), 'release from:@grace ', 'suggestions complete from: and the handle')
  await box.pressSequentially('in:#gen')
  await box.press('Enter')
  t.equal(await box.inputValue(), 'release from:@grace in:#general ', 'and channels for in:')
  await box.pressSequentially('aft')
  await box.press('Enter')
  await A.page.getByRole('option', { name: /^today/ }).waitFor()
  t.ok(await A.page.getByRole('option', { name: /^yesterday/ }).count(), 'dates are suggested for after:')
  await box.press('Escape')
  t.equal(await A.page.getByRole('option').count(), 0, 'Esc closes the suggestions')
  await box.fill('release from:@grace in:#general')
  await box.press('Enter')
  await A.page.waitForURL(/\/views\/search\?q=/)
  const hit = main.locator('.view-item').filter({ hasText: 'quarterly report' })
  await hit.waitFor()
  t.equal(await hit.locator('mark').first().textContent(), 'release', 'the hit is marked in the excerpt')
  t.same(await seriousViolations(A.page), [], 'axe: none in Search')
  await hit.click()
  await highlighted(A).filter({ hasText: 'the old release note' }).waitFor()
  t.pass('a result opens the conversation at the message')

  // Channel details: topic, description, members, adding someone, an invite link, archive.
  await A.page.getByRole('button', { name: 'Details of general' }).click()
  const details = A.page.getByRole('dialog', { name: '#general' })
  await details.getByRole('list', { name: /^Members/ }).getByText('Grace', { exact: false }).waitFor()
  await details.getByLabel('Topic').fill('Views week')
  await details.getByLabel('Description').fill('Where the whole company talks')
  await details.getByRole('button', { name: 'Save' }).click()
  await A.page.locator('.conv-head .topic').filter({ hasText: 'Views week' }).waitFor()
  t.equal((await grace.call('conversation.get', { conversationId: general.id })).description, 'Where the whole company talks', 'topic and description are saved')
  await details.getByRole('button', { name: 'Create an invite link' }).click()
  t.match(await details.getByLabel('Invite link').inputValue(), /invite/, 'an admin creates a workspace invite link')
  await A.shot('web-channel-details')
  await details.getByRole('button', { name: 'Close' }).click()

  const scratch = await ada.call('channel.create', { workspaceId: ws.id, name: 'scratch' })
  await nav(A).getByRole('link', { name: /^scratch/ }).click()
  await A.page.getByRole('button', { name: 'Details of scratch' }).click()
  const scratchDetails = A.page.getByRole('dialog', { name: '#scratch' })
  await scratchDetails.getByLabel('Add people').fill('lin')
  await scratchDetails.getByRole('button', { name: 'Add Linus' }).click()
  await scratchDetails.getByRole('list', { name: /^Members \(2\)/ }).waitFor()
  t.ok((await linus.call('conversation.members', { conversationId: scratch.id })).some((m) => m.id === linus.id), 'a member is added to the channel')
  await scratchDetails.getByRole('button', { name: 'Archive channel' }).click()
  await scratchDetails.getByRole('button', { name: 'Yes, archive' }).click()
  await A.page.getByText('This channel is archived.').waitFor()
  t.ok((await linus.call('conversation.get', { conversationId: scratch.id })).archived, 'the channel is archived')

  // Leave: Grace leaves #random from its details.
  await nav(G).getByRole('link', { name: /^random/ }).click()
  await G.page.getByRole('button', { name: 'Details of random' }).click()
  await G.page.getByRole('button', { name: 'Leave channel' }).click()
  await G.page.getByRole('button', { name: 'Yes, leave' }).click()
  await nav(G).getByRole('link', { name: /^random/ }).waitFor({ state: 'detached' })
  t.pass('leaving takes the channel out of the sidebar')

  // A group DM from the DM dialog, shown in the sidebar; presence of a DM partner.
  await nav(A).getByRole('button', { name: 'New direct message' }).click()
  const dm = A.page.getByRole('dialog', { name: 'New message' })
  await dm.getByRole('button', { name: /^Add Grace/ }).click()
  await dm.getByRole('button', { name: /^Add Linus/ }).click()
  await dm.getByRole('button', { name: 'Start group message' }).click()
  const groupLink = nav(A).getByRole('list', { name: 'Direct messages' }).getByRole('link', { name: /Grace.*Linus|Linus.*Grace/ })
  await groupLink.waitFor()
  t.pass('a group DM is created and shown under Direct messages')
  const conversations = await linus.call('conversation.list', { workspaceId: ws.id })
  t.ok(conversations.some((c) => c.kind === 'group_dm' && c.members?.length === 3), 'with the three of us')

  await ada.call('dm.open', { workspaceId: ws.id, userIds: [grace.id] })
  await nav(A).getByRole('list', { name: 'Direct messages' }).getByRole('link', { name: 'Grace', exact: true, description: 'Grace is active' }).waitFor()
  t.pass('the DM partner, signed in in a browser, shows as active')

  // Shortcuts: help, next unread conversation, edit the last message with ↑.
  await A.page.locator('body').click({ position: { x: 900, y: 20 } })
  await A.page.keyboard.press('?')
  const help = A.page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await help.waitFor()
  t.ok(await help.getByText('Next unread conversation').count(), 'the help dialog lists the shortcuts')
  await A.shot('web-shortcuts')
  t.same(await seriousViolations(A.page), [], 'axe: none in the help dialog')
  await A.page.keyboard.press('Escape')
  await help.waitFor({ state: 'detached' })

  await nav(A).getByRole('link', { name: /^general/ }).click()
  await A.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()
  await linus.call('message.send', { clientId: randomUUID(), conversationId: (await linus.call('conversation.list', { workspaceId: ws.id })).find((c) => c.kind === 'group_dm')!.id, text: 'ping from linus' })
  await groupLink.and(A.page.locator('.unread')).waitFor()
  await A.page.keyboard.press('Alt+Shift+ArrowDown')
  await A.page.getByRole('log').getByRole('article').filter({ hasText: 'ping from linus' }).waitFor()
  t.pass('Alt+Shift+↓ goes to the next unread conversation')

  const composer = A.page.getByRole('textbox', { name: /^Message / })
  await composer.fill('tpyo here')
  await composer.press('Enter')
  await A.page.getByRole('log').locator('article.msg:not(.pending)').filter({ hasText: 'tpyo here' }).waitFor()
  await composer.press('ArrowUp')
  const edit = A.page.getByRole('textbox', { name: 'Edited message' })
  await edit.waitFor()
  await edit.fill('typo here')
  await edit.press('Enter')
  await A.page.getByRole('log').getByRole('article').filter({ hasText: 'typo here' }).getByText('(edited)').waitFor()
  t.pass('↑ in the empty composer edits my last message')

  // On a phone a view takes the whole screen, with back to the list.
  const P = await openTab(browser, server.url, { viewport: phone, mobile: true })
  await signIn(P, ada.email)
  await P.page.goto('/views/mentions')
  await P.page.getByRole('main').getByText('the old release note').waitFor()
  t.notOk(await nav(P).isVisible(), 'phone: the Mentions view takes the whole screen')
  await P.shot('web-phone-mentions')
  await P.page.getByRole('button', { name: 'Back to conversations' }).click()
  await nav(P).getByRole('link', { name: /^Mentions/ }).waitFor()
  t.pass('phone: back goes to the list, views at its top')

  for (const tab of [A, G, P]) t.same(tab.errors, [], 'no script errors')
})
