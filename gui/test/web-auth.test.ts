import { webSession } from '@ocomms/shared'
import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { seriousViolations } from './helpers/axe.js'
import { cannotRun, hasFocus, launchChromium, openTab, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

t.test('the web app: sign up, sign out, sign in by password and by mailed link, invite links, sessions', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const browser = await launchChromium(t)

  // Sign up and create a workspace.
  const ada = await openTab(browser, server.url)
  const { page } = ada
  await page.goto('/')
  await page.waitForURL('**/signin')
  t.pass('a signed-out visitor lands on the sign-in page')
  await page.getByRole('link', { name: 'Create an account' }).click()
  t.ok(await hasFocus(page.getByLabel('Full name')), 'the sign-up page opens with its first field focused')
  await page.getByLabel('Full name').fill('Ada Lovelace')
  t.equal(await page.getByLabel('Handle').inputValue(), 'adalovelace', 'a handle is suggested from the name')
  await page.getByLabel('Handle').fill('ada')
  await page.getByLabel('Email').fill('ada@example.test')
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('New workspace name').fill('Analytical Engines')
  await ada.shot('web-sign-up')
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations on the sign-up page')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByText('Analytical Engines').first().waitFor()
  t.pass('signed up, the new workspace opens')

  const cookies = await ada.context.cookies()
  const session = cookies.find((c) => c.name === webSession.cookie)
  t.ok(session?.httpOnly, 'the session is an HttpOnly cookie')
  t.equal(session?.sameSite, 'Lax', 'SameSite=Lax')
  t.notMatch(await page.evaluate(() => document.cookie), new RegExp(webSession.cookie), 'scripts cannot read it')
  t.same(await page.evaluate(() => JSON.stringify({ ...localStorage }).match(/[A-Za-z0-9_-]{43}/g)), null, 'no token in local storage')

  const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))
  let kept: Array<string | undefined> = []
  for (let i = 0; i < 50 && kept.length === 0; i++) {
    kept = await databases()
    if (kept.length === 0) await new Promise((r) => setTimeout(r, 100))
  }
  t.match(kept, [/^ocomms-/], 'the client state is kept in IndexedDB')

  // Sign out, then in again with the password.
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL('**/signin')
  for (let i = 0; i < 50 && (await databases()).length > 0; i++) await new Promise((r) => setTimeout(r, 100))
  t.same(await databases(), [], 'signing out deletes what the browser kept')
  t.notOk((await ada.context.cookies()).some((c) => c.name === webSession.cookie), 'signing out clears the cookie')
  await page.getByLabel('Email', { exact: true }).fill('ada@example.test')
  await page.getByLabel('Password', { exact: true }).fill('wrong password')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  t.match(await page.getByRole('alert').textContent(), /Wrong email or password/, 'a wrong password says so')
  await page.getByLabel('Password', { exact: true }).fill(password)
  await ada.shot('web-sign-in')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByText('Analytical Engines').first().waitFor()
  t.pass('signed in with the password')

  // A sign-in link by mail: the page asks for it, the link opens the app signed in.
  const linked = await openTab(browser, server.url)
  await linked.page.goto('/signin')
  await linked.page.getByLabel('Email for the link').fill('ada@example.test')
  await linked.page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await linked.page.getByRole('status').filter({ hasText: 'sign-in link is on its way' }).waitFor()
  let link = ''
  for (let i = 0; i < 50 && !link; i++) {
    link = /(http\S+\/magic-link#token=\S+)/.exec((await server.mails()).at(-1)?.text ?? '')?.[1] ?? ''
    if (!link) await new Promise((r) => setTimeout(r, 100))
  }
  t.ok(link, 'the mail holds the link')
  await linked.page.goto(link)
  t.equal(await linked.page.getByRole('heading', { name: 'Sign in to OComms' }).count(), 1, 'the link opens the app, which asks before signing in')
  t.notOk((await linked.context.cookies()).some((c) => c.name === webSession.cookie), 'opening the link (as a mail scanner would) signs nobody in')
  await linked.page.getByRole('button', { name: 'Sign in' }).click()
  await linked.page.getByText('Analytical Engines').first().waitFor()
  t.ok((await linked.context.cookies()).some((c) => c.name === webSession.cookie && c.httpOnly), 'the link signed this browser in')
  await linked.page.goto(link)
  await linked.page.getByRole('button', { name: 'Sign in' }).click()
  t.match(await linked.page.getByRole('alert').textContent(), /invalid, already used or expired/, 'a link works once')

  // An invite link opened by someone without an account: sign up and join in one go.
  const me = await server.call('auth.login', { email: 'ada@example.test', password })
  const [ws] = (await server.call('auth.me', {}, me.token)).workspaces
  const invite = await server.call('invite.create', { workspaceId: ws!.id }, me.token)
  const grace = await openTab(browser, server.url, { viewport: { width: 390, height: 844 }, mobile: true })
  await grace.page.goto(invite.link)
  await grace.page.getByRole('heading', { name: 'Join your team on OComms' }).waitFor()
  t.equal(await grace.page.getByLabel('Invite code').inputValue(), invite.code, 'the invite code is filled in')
  await grace.page.getByLabel('Full name').fill('Grace Hopper')
  await grace.page.getByLabel('Email').fill('grace@example.test')
  await grace.page.getByLabel('Password', { exact: true }).fill(password)
  await grace.shot('web-invite-phone')
  await grace.page.getByRole('button', { name: 'Create account and join' }).click()
  await grace.page.getByText('Analytical Engines').first().waitFor()
  const members = await server.call('member.list', { workspaceId: ws!.id }, me.token)
  t.ok(members.some((m) => m.handle === 'gracehopper'), 'the invited person joined the workspace')

  // Sessions: the list, and "sign out everywhere else" ends the others but not this browser.
  await page.goto('/settings/sessions')
  const rows = page.getByRole('list', { name: 'Sessions' }).getByRole('listitem')
  await rows.first().waitFor()
  t.ok((await rows.count()) >= 3, 'every session of the account is listed')
  t.equal(await rows.filter({ hasText: 'This browser' }).count(), 1, 'this browser\'s session is marked')
  await ada.shot('web-sessions')
  t.same(await seriousViolations(page), [], 'axe: none on the sessions page')
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click()
  t.match(await page.getByRole('status').textContent(), /Signed out \d+ other sessions?/, 'says how many ended')
  await t.rejects(server.call('auth.me', {}, me.token), { code: 'unauthenticated' }, 'the other sessions ended')
  await linked.page.goto('/')
  await linked.page.waitForURL('**/signin')
  t.pass('the other browser is signed out')
  await page.reload()
  await rows.first().waitFor()
  t.equal(await rows.count(), 1, 'this browser stays signed in, alone')

  for (const tab of [ada, linked, grace]) t.same(tab.errors, [], 'no script errors and no CSP violations')
})
