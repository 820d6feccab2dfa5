import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { cannotRun, hasFocus, launchChromium, openTab, webDir, type Tab } from './helpers/browser.js'

const skip = cannotRun()

async function signIn(tab: Tab, email: string): Promise<void> {
  await tab.page.goto('/signin')
  await tab.page.getByLabel('Email', { exact: true }).fill(email)
  await tab.page.getByLabel('Password', { exact: true }).fill('correct horse battery staple')
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await tab.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()
}

t.test('the web app: create and join channels, direct messages, drafts kept on the server, typing', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const G = await openTab(browser, server.url)
  await Promise.all([signIn(A, ada.email), signIn(G, grace.email)])
  const nav = (tab: Tab) => tab.page.getByRole('navigation', { name: 'Workspace' })

  // Ada creates a channel; Grace finds it and joins.
  await nav(A).getByRole('button', { name: 'Browse or create channels' }).click()
  const dialog = A.page.getByRole('dialog', { name: 'Channels' })
  await dialog.getByLabel('Channel name').fill('design')
  await dialog.getByRole('button', { name: 'Create channel' }).click()
  await A.page.getByRole('heading', { name: '#design', level: 1 }).waitFor()
  t.notOk(await dialog.isVisible(), 'creating a channel opens it and closes the dialog')
  await A.page.getByText('This is the very beginning of #design.').waitFor()
  t.pass('an empty channel says so')
  await nav(G).getByRole('button', { name: 'Browse or create channels' }).click()
  await G.page.getByRole('dialog', { name: 'Channels' }).getByRole('button', { name: 'Join #design' }).click()
  await G.page.getByRole('heading', { name: '#design', level: 1 }).waitFor()
  t.ok(await nav(G).getByRole('link', { name: /^design/ }).isVisible(), 'a joined channel is in the sidebar')
  t.equal((await ada.call('conversation.members', { conversationId: (await ada.call('channel.find', { workspaceId: ws.id, name: 'design' })).id })).length, 2, 'and Grace is a member on the server')

  // Typing: Ada sees Grace type.
  await A.page.getByRole('textbox', { name: 'Message #design' }).waitFor()
  await G.page.getByRole('textbox', { name: 'Message #design' }).pressSequentially('half a thought', { delay: 20 })
  await A.page.getByText('@grace is typing…').waitFor()
  t.pass('typing shows in the other browser')

  // The draft is kept on the server: the API (and so the terminal UI) sees it.
  let drafts = await grace.call('draft.list', { workspaceId: ws.id })
  for (let i = 0; i < 40 && !drafts.some((d) => d.text === 'half a thought'); i++) {
    await new Promise((r) => setTimeout(r, 100))
    drafts = await grace.call('draft.list', { workspaceId: ws.id })
  }
  t.ok(drafts.some((d) => d.text === 'half a thought'), 'a draft typed in the browser is on the server')
  const general = (await grace.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  await grace.call('draft.set', { conversationId: general.id, text: 'written in the terminal' })
  await nav(G).getByRole('link', { name: /^general/ }).click()
  t.equal(await G.page.getByRole('textbox', { name: 'Message #general' }).inputValue(), 'written in the terminal', 'a draft written elsewhere is in the composer')
  await G.page.getByRole('textbox', { name: 'Message #general' }).press('Enter')
  await A.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^general, 1 unread$/ }).waitFor()
  for (let i = 0; i < 40 && (await grace.call('draft.list', { workspaceId: ws.id })).some((d) => d.conversationId === general.id); i++) await new Promise((r) => setTimeout(r, 100))
  t.notOk((await grace.call('draft.list', { workspaceId: ws.id })).some((d) => d.conversationId === general.id), 'sending clears the draft')

  // Browser notifications: held back by DND, shown without it (the same rule as the daemon's).
  await A.context.grantPermissions(['notifications'])
  // A string, not a function: the test's compiler would add helpers the page does not have.
  await A.context.addInitScript({
    content: `window.__shown = [];
      window.Notification = class {
        static permission = 'granted'
        static requestPermission() { return Promise.resolve('granted') }
        constructor(title, options) { window.__shown.push({ title, body: options && options.body }) }
      }`,
  })
  await A.page.reload()
  await A.page.getByRole('heading', { name: '#design', level: 1 }).waitFor()
  const notified = () => A.page.evaluate(() => (window as unknown as { __shown: Array<{ title: string; body?: string }> }).__shown)
  await ada.call('dnd.snooze', { minutes: 30 })
  await A.page.waitForTimeout(300)

  // A direct message.
  await nav(G).getByRole('button', { name: 'New direct message' }).click()
  const picker = G.page.getByRole('dialog', { name: 'New message' })
  t.ok(await hasFocus(picker.getByLabel('Find a person')), 'the new message dialog opens on its search field')
  await picker.getByLabel('Find a person').fill('ad')
  await picker.getByRole('button', { name: 'Message Ada' }).click()
  await G.page.getByRole('heading', { name: 'Ada', level: 1 }).waitFor()
  await G.page.getByRole('textbox', { name: 'Message Ada' }).fill('A word in private?')
  await G.page.getByRole('textbox', { name: 'Message Ada' }).press('Enter')
  const dm = nav(A).getByRole('link', { name: /^Grace, 1 mention, 1 unread$/ })
  await dm.waitFor()
  t.pass('the DM appears in the other person\'s sidebar, unread and counted as a mention')
  await A.page.waitForTimeout(300)
  t.same(await notified(), [], 'during DND the browser shows no notification')
  await ada.call('dnd.off', {})
  await A.page.waitForTimeout(300)
  await G.page.getByRole('textbox', { name: 'Message Ada' }).fill('Still there?')
  await G.page.getByRole('textbox', { name: 'Message Ada' }).press('Enter')
  for (let i = 0; i < 50 && (await notified()).length === 0; i++) await A.page.waitForTimeout(100)
  t.same(await notified(), [{ title: '@grace', body: 'Still there?' }], 'without DND it does')
  await nav(A).getByRole('link', { name: /^Grace/ }).click()
  await A.page.getByRole('log', { name: 'Messages in Grace' }).getByRole('article').filter({ hasText: 'A word in private?' }).waitFor()
  t.pass('and opens there')

  // Pin, save and mark unread from the message's actions.
  const privateWord = A.page.getByRole('log', { name: 'Messages in Grace' }).getByRole('article').filter({ hasText: 'A word in private?' })
  await privateWord.hover()
  await privateWord.getByRole('button', { name: 'Pin message' }).click()
  await G.page.getByRole('log', { name: 'Messages in Ada' }).getByText('📌 Pinned').waitFor()
  t.pass('a pin shows in the other browser')
  await privateWord.hover()
  await privateWord.getByRole('button', { name: 'Save message' }).click()
  await privateWord.getByText('★ Saved').waitFor()
  t.equal((await ada.call('saved.list', { workspaceId: ws.id })).length, 1, 'saved on the server')
  await privateWord.hover()
  await privateWord.getByRole('button', { name: 'Mark unread from here' }).click()
  await nav(A).getByRole('link', { name: /^Grace, .*\d+ unread$/ }).waitFor()
  await new Promise((r) => setTimeout(r, 500))
  t.ok(await nav(A).getByRole('link', { name: /^Grace, .*\d+ unread$/ }).isVisible(), 'marked unread, and it stays unread while the conversation is open')

  // Ctrl+K jumps to a conversation by name; `:sho` offers emoji.
  await A.page.keyboard.press('Control+k')
  t.ok(await hasFocus(A.page.getByRole('dialog', { name: 'Jump to a conversation' }).getByLabel('Conversation name')), 'Ctrl+K opens the switcher ready to type')
  await A.page.getByRole('dialog', { name: 'Jump to a conversation' }).getByLabel('Conversation name').fill('desi')
  await A.page.keyboard.press('Enter')
  await A.page.getByRole('heading', { name: '#design', level: 1 }).waitFor()
  t.pass('the quick switcher opens a conversation')
  const box = A.page.getByRole('textbox', { name: 'Message #design' })
  await box.pressSequentially('Ship it :tad', { delay: 10 })
  await A.page.getByRole('listbox', { name: 'Emoji' }).getByRole('option', { name: /:tada:/ }).waitFor()
  await box.press('Enter')
  t.equal(await box.inputValue(), 'Ship it :tada: ', 'Enter takes the emoji offered')
  // Taken in the middle of the text, the caret stays after it.
  await box.pressSequentially('today', { delay: 10 })
  await box.press('Home')
  for (let i = 0; i < 'Ship it '.length; i++) await box.press('ArrowRight')
  await box.pressSequentially(':rocke', { delay: 10 })
  await A.page.getByRole('listbox', { name: 'Emoji' }).getByRole('option', { name: /:rocket:/ }).waitFor()
  await box.press('Enter')
  await box.pressSequentially('go ', { delay: 10 })
  t.equal(await box.inputValue(), 'Ship it :rocket: go :tada: today', 'an emoji taken mid-text leaves the caret right after it')
  await box.press('Enter')
  const unreadDesign = G.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^design, 1 unread$/ })
  await unreadDesign.waitFor()
  t.pass('and the message went out')
  // The count is drawn by the page's styles from the first screen on, not only once a view's
  // part of the app has been loaded.
  t.equal(await unreadDesign.locator('[data-n]').evaluate((e) => getComputedStyle(e, '::after').content), '"1"', 'the sidebar shows the count')

  for (const tab of [A, G]) t.same(tab.errors, [], 'no script errors and no CSP violations')
})
