import { callHttp, type CallInput, type OperationName } from '@ocomms/shared'
import t from 'tap'
import { killableServer } from '../../cli/test/helpers/server-process.js'
import { cannotRun, launchChromium, openTab } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

t.test('the web app through a server restart: offline sends wait and go out once, the page catches up', { skip: skip ?? false }, async (t) => {
  const server = await killableServer(t)
  const call = <N extends OperationName>(name: N, input: CallInput<N>, token?: string) => callHttp(server.url, name, input, { token: token ?? null })
  const ada = await call('auth.signup', { email: 'ada@example.test', password, name: 'Ada', handle: 'ada' })
  const ws = await call('workspace.create', { name: 'Acme' }, ada.token)
  const grace = await call('auth.signup', { email: 'grace@example.test', password, name: 'Grace', handle: 'grace' })
  await call('invite.accept', { code: (await call('invite.create', { workspaceId: ws.id }, ada.token)).code }, grace.token)
  const general = (await call('conversation.list', { workspaceId: ws.id }, ada.token)).find((c) => c.name === 'general')!
  const history = async () => (await call('message.list', { conversationId: general.id, limit: 50 }, grace.token))

  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const { page } = A
  await page.goto('/signin')
  await page.getByLabel('Email', { exact: true }).fill('ada@example.test')
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  const log = page.getByRole('log', { name: 'Messages in general' })
  const box = page.getByRole('textbox', { name: 'Message #general' })
  await box.waitFor()
  await box.fill('before the restart')
  await box.press('Enter')
  await log.getByRole('article').filter({ hasText: 'before the restart' }).waitFor()
  await log.getByRole('article', { name: 'Ada, sending' }).waitFor({ state: 'detached' })

  await server.kill()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor()
  t.pass('the page says it is offline')
  await box.fill('written while the server was down')
  await box.press('Enter')
  const waiting = log.getByRole('article', { name: 'Ada, sending' }).filter({ hasText: 'written while the server was down' })
  await waiting.waitFor()
  t.pass('the message waits in the page, marked as sending')

  await server.restart()
  // Written by someone else while the page may still be away: it arrives, by sync or live.
  await call('message.send', { conversationId: general.id, text: 'from Grace during the reconnect', clientId: crypto.randomUUID() }, grace.token)
  await log.getByRole('article').filter({ hasText: 'from Grace during the reconnect' }).waitFor({ timeout: 20_000 })
  t.pass('the page reconnects and catches up on what it missed')
  await waiting.waitFor({ state: 'detached', timeout: 20_000 })
  const texts = (await history()).map((m) => m.text)
  t.equal(texts.filter((x) => x === 'written while the server was down').length, 1, 'the offline message was delivered exactly once')
  t.equal(await log.getByRole('article').filter({ hasText: 'written while the server was down' }).count(), 1, 'and shows once')
  t.equal(await log.getByRole('article').filter({ hasText: 'before the restart' }).count(), 1, 'nothing is doubled')

  // Without the server at all: the page opens from the service worker's shell and shows what
  // IndexedDB kept, marked offline.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))
  await server.kill()
  await page.reload()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor()
  await log.getByRole('article').filter({ hasText: 'from Grace during the reconnect' }).waitFor()
  t.pass('with the server down, a reload opens the app with what it had, marked offline')
  await server.restart()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ state: 'detached', timeout: 20_000 })
  t.pass('and it connects when the server is back')
  t.same(A.errors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_FAILED|WebSocket|status of 50\d/.test(e)), [], 'no script errors')
})
