import t from 'tap'
import { callHttp, type Message } from '@ocomms/shared'
import { killableServer } from '../../cli/test/helpers/server-process.js'
import { cannotRun } from '../../gui/test/helpers/browser.js'
import { NotificationAdapter } from '../src/shell/notifications.js'
import { openRenderer } from './renderer-page.js'
import { bridgeFor, killDaemon, password, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'
// Reconnect quickly once the server is back (the daemons inherit this).
process.env.OCOMMS_RECONNECT_MAX_MS = '1000'

const skip = cannotRun()

t.test('the web app in Chromium through the desktop bridge to a real daemon and server', { skip: skip ?? false }, async (t) => {
  const server = await killableServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)

  // The shell's own session: notifications from the daemon's verdicts, as main.ts wires it.
  const shown: Array<{ title: string; body: string }> = []
  const adapter = new NotificationAdapter({ show: (n) => shown.push(n) }, (r) => bridge.open(r))
  const shell = bridge.session('shell')
  const shellEvents: string[] = []
  shell.onEvent((e) => (shellEvents.push(e.event.type), adapter.handle(e)))
  await shell.call('subscribe', { notifications: true })

  const tab = await openRenderer(t, bridge)
  const { page } = tab
  // Who is signed in is answered late, after the app has drawn its first screen: the app must
  // still start one backend for the workspace, not the one prepared for it and another.
  await page.addInitScript(`{
    let bridge
    Object.defineProperty(window, 'ocomms', { configurable: true, get: () => bridge, set: (b) => {
      const call = b.call.bind(b)
      b.call = (method, params) => method === 'profile.whoami' ? new Promise((r) => setTimeout(r, 300)).then(() => call(method, params)) : call(method, params)
      bridge = b
    } })
  }`)
  const started = Date.now()
  await page.goto('/')
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor({ timeout: 30_000 })
  await page.getByRole('log', { name: 'Messages in general' }).waitFor()
  t.comment(`first screen through the bridge in ${Date.now() - started} ms`)
  t.pass('the app opens signed in as the daemon profile, at #general')
  await new Promise((r) => setTimeout(r, 500))
  t.equal(bridge.subscriptionCount, 2, "one subscription for the page's backend (and the shell's own)")

  const log = page.getByRole('log', { name: 'Messages in general' })
  const message = (text: string | RegExp) => log.getByRole('article').filter({ hasText: text })
  const say = async (text: string) => {
    const box = page.getByRole('textbox', { name: 'Message #general' })
    await box.fill(text)
    await box.press('Enter')
  }
  const annReads = async () => (await ann.json<Message[]>(['read', '#general'])).map((m) => m.text)

  const mark = (what: string) => t.comment(`${what}: ${Date.now() - started} ms`)
  // Messages both ways.
  await say('hello from the desktop')
  await until(async () => (await annReads()).includes('hello from the desktop'))
  t.pass('a message written in the app reaches the server through the daemon')
  await ann.json(['send', '#general', 'hello from the terminal'])
  await message('hello from the terminal').waitFor()
  t.pass('a message sent elsewhere appears live')

  mark('A thread.')
  // A thread.
  await message('hello from the terminal').hover()
  await message('hello from the terminal').getByRole('button', { name: 'Reply in thread' }).click()
  const thread = page.getByRole('complementary', { name: 'Thread' })
  await thread.getByRole('textbox', { name: 'Reply…' }).fill('a reply from the desktop')
  await thread.getByRole('textbox', { name: 'Reply…' }).press('Enter')
  await thread.getByRole('article').filter({ hasText: 'a reply from the desktop' }).waitFor()
  const root = (await ann.json<Message[]>(['read', '#general'])).find((m) => m.text === 'hello from the terminal')!
  await until(async () => (await ann.rpc('messages.read', { conversationId: root.conversationId, threadRootId: root.id })).messages.some((m) => m.text === 'a reply from the desktop'))
  await message('hello from the terminal').getByRole('button', { name: '1 reply' }).waitFor()
  t.pass('a thread reply, counted on its root')
  await thread.getByRole('button', { name: 'Close thread' }).click()

  mark('A reaction.')
  // A reaction.
  await message('hello from the terminal').hover()
  await message('hello from the terminal').getByRole('button', { name: 'Add reaction' }).click()
  await message('hello from the terminal').getByRole('button', { name: 'React with 👍' }).click()
  await message('hello from the terminal').getByRole('button', { name: /^👍 1: bob$/ }).waitFor()
  await until(async () => (await ann.json<Message[]>(['read', '#general'])).find((m) => m.id === root.id)?.reactions.length === 1)
  t.pass('a reaction, shown from the event the daemon passed on, and on the server')

  mark('Notifications')
  // Notifications: the shell's adapter, exactly once; none during DND.
  await ann.json(['send', '@bob', 'ping the desktop'])
  await until(() => shown.some((n) => n.body === 'ping the desktop'))
  // Paused from the app's own settings screen, which reaches the server through the daemon (the
  // page has no session of its own, and its address is not the server's).
  await page.getByRole('link', { name: 'Status and notifications' }).click()
  const dndGroup = page.getByRole('group', { name: 'Pause notifications' })
  const dndNow = page.getByRole('region', { name: 'Do not disturb' }).getByRole('status')
  await dndGroup.getByRole('button', { name: 'For 30 minutes' }).click()
  await dndNow.filter({ hasText: /^Notifications are paused until/ }).waitFor()
  // The daemon learns of the snooze from its event stream and applies it before passing the event on.
  await until(() => shellEvents.includes('dnd.updated'))
  t.ok((await bob.call('dnd.get', {})).active, 'the settings screen paused the profile\'s notifications on the server')
  const held = await ann.json<Message>(['send', '@bob', 'during dnd'])
  await until(async () => (await bob.rpc('notifications.list', {})).find((n) => n.messageId === held.id))
  const updates = shellEvents.filter((x) => x === 'dnd.updated').length
  await dndGroup.getByRole('button', { name: 'Turn off' }).click()
  await dndNow.filter({ hasText: 'Notifications are on.' }).waitFor()
  await until(() => shellEvents.filter((x) => x === 'dnd.updated').length > updates)
  await ann.json(['send', '@bob', 'after dnd'])
  await until(() => shown.some((n) => n.body === 'after dnd'))
  t.same(
    shown.map((n) => n.body),
    ['ping the desktop', 'after dnd'],
    'each notification shown once, none during DND',
  )

  // Where the account is signed in: the daemon's session is this computer's.
  await page.goto('/settings/sessions')
  const sessions = page.getByRole('list', { name: 'Sessions' })
  await sessions.getByRole('listitem').filter({ hasText: 'This computer' }).waitFor()
  t.equal(await sessions.getByRole('listitem').filter({ hasText: 'This computer' }).count(), 1, 'the sessions screen lists the profile\'s sessions through the daemon, its own marked')
  await page.goto('/')
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor()

  mark('The daemon restarted under')
  // The daemon restarted under the app: it reconnects and follows again.
  await killDaemon(bob.home)
  await ann.json(['send', '#general', 'while the daemon restarted'])
  await message('while the daemon restarted').waitFor({ timeout: 30_000 })
  t.pass('the app reconnects to the restarted daemon and shows what came meanwhile')
  await ann.json(['send', '#general', 'after the restart'])
  await message('after the restart').waitFor()
  t.pass('and follows live again')

  mark('The server stopped')
  // The server stopped: cached conversations, marked offline; a message written then goes out once.
  await server.kill()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ timeout: 30_000 })
  await page.reload()
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor({ timeout: 30_000 })
  await message('after the restart').waitFor()
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor()
  t.pass('opened again offline: conversations and history from the daemon cache, marked offline')
  await say('written offline')
  await message('written offline').waitFor()
  mark('await server.restart()')
  await server.restart()
  mark('server back')
  await until(async () => (await annReads()).includes('written offline'), 45_000)
  mark('delivered')
  await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ state: 'detached', timeout: 30_000 })
  mark('online again')
  await new Promise((r) => setTimeout(r, 1_000))
  t.equal((await annReads()).filter((x) => x === 'written offline').length, 1, 'it went out exactly once when the server was back')
  t.equal(await message('written offline').count(), 1, 'and the app shows it once')
  t.same(tab.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no errors in the page')
})

t.test('signing in inside the app signs in the window’s daemon profile, beside the others', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const tab = await openRenderer(t, bridge)
  const { page } = tab

  // Bob's machine, a second profile "work" not signed in yet: the app asks for its account.
  await page.goto('/?profile=work')
  const form = page.getByRole('form', { name: 'Sign in this profile' })
  await form.getByLabel('Server', { exact: true }).fill(server.url)
  await form.getByLabel('Email', { exact: true }).fill(ann.email)
  await form.getByLabel('Password', { exact: true }).fill('wrong password')
  await form.getByRole('button', { name: 'Sign in' }).click()
  t.match(await form.getByRole('alert').textContent(), /password|credentials|invalid/i, 'a refusal is shown with its message')
  await form.getByLabel('Password', { exact: true }).fill(password)
  await form.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor({ timeout: 20_000 })

  const box = page.getByRole('textbox', { name: 'Message #general' })
  await box.fill('from the work profile')
  await box.press('Enter')
  const sent = await until(async () => (await bob.json<Message[]>(['read', '#general'])).find((m) => m.text === 'from the work profile'))
  t.equal(sent.author.handle, 'ann', 'the window speaks as the account of its profile')
  t.match(await bob.rpc('profile.whoami', { profile: 'work' }), { user: { handle: 'ann' } }, 'which the daemon now holds (the CLI sees it with --profile work)')
  t.match(await bob.rpc('profile.whoami', {}), { user: { handle: 'bob' } }, 'and the default profile is still bob')

  // The page may not name local files for the daemon to read or write (only the shell's dialogs do: renderer-files.test.ts).
  const general = await bob.rpc('resolve.target', { profile: 'work', target: '#general' })
  const refused = await page.evaluate(
    (id) =>
      (window as unknown as { ocomms: { call(m: string, p: object): Promise<unknown> } }).ocomms.call('files.upload', { profile: 'work', conversationId: id, path: '/etc/passwd' }).then(
        () => 'accepted',
        (e: { code: string }) => e.code,
      ),
    general.id,
  )
  t.equal(refused, 'forbidden', 'files.upload with a path is refused to a page')

  // An account in no workspace yet: its window offers to create one, and opens it once made.
  await callHttp(server.url, 'auth.signup', { email: 'cleo@example.com', password, name: 'Cleo', handle: 'cleo' })
  await page.goto('/?profile=fresh')
  const fresh = page.getByRole('form', { name: 'Sign in this profile' })
  await fresh.getByLabel('Server', { exact: true }).fill(server.url)
  await fresh.getByLabel('Email', { exact: true }).fill('cleo@example.com')
  await fresh.getByLabel('Password', { exact: true }).fill(password)
  await fresh.getByRole('button', { name: 'Sign in' }).click()
  const create = page.getByRole('form', { name: 'Create a workspace' })
  await create.getByRole('textbox').fill('Side project')
  await create.getByRole('button', { name: 'Create workspace' }).click()
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor({ timeout: 20_000 })
  t.match(await bob.rpc('profile.whoami', { profile: 'fresh' }), { workspaces: [{ name: 'Side project' }] }, 'a workspace created in the app opens in it, made by the profile\'s account')
  t.same(tab.errors.filter((e) => !/Failed to load resource/.test(e)), [])
})
