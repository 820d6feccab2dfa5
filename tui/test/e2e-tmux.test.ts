import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

/**
 * The real TUI in a real terminal (tmux) against a real server through a real daemon: another
 * person's typing indicator and message arrive live, a thread is opened and answered, a reaction
 * is added, a message is marked unread, Ctrl+K switches conversations, and the other person's
 * presence changes live in the sidebar and the DM's header. The screen is read with capture-pane.
 */
const root = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)

function hasTmux() {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const skip = !hasTmux() ? 'needs tmux (apt-get install tmux): the test drives the real TUI in a real terminal' : false

t.test('the TUI in tmux against a real server', { skip, timeout: 150_000 }, async (t) => {
  const { startTestServer } = (await import(join(root, 'server/test/helpers/server.ts'))) as typeof import('../../server/test/helpers/server.js')
  const server = await startTestServer(t)
  // The scene is set through the server's API (fast); the person under test uses the real
  // `ocomms` launcher (sign-in, then the TUI), which starts her daemon on demand.
  const cli = join(root, 'cli/bin/ocomms.js')
  const alice = await server.signup('alice')
  const bob = await server.signup('bob')
  const ws = await server.workspace(alice, 'E2E')
  await server.join(ws, alice, bob)
  await alice.call('channel.create', { workspaceId: ws.id, name: 'lobby' })
  const e2e = await alice.call('channel.create', { workspaceId: ws.id, name: 'e2e' })
  await bob.call('conversation.join', { conversationId: e2e.id })
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })

  const home = await mkdtemp(join(tmpdir(), 'ocomms-e2e-'))
  const session = `ocomms-e2e-${process.pid}`
  const env = { ...process.env, OCOMMS_HOME: home, OCOMMS_PROFILE: '' }
  t.teardown(async () => {
    await run('tmux', ['kill-session', '-t', session]).catch(() => {})
    await run(process.execPath, [cli, 'daemon', 'stop'], { env }).catch(() => {})
    await rm(home, { recursive: true, force: true })
  })
  const login = execFile(process.execPath, [cli, 'login', '--server', server.url, '--email', alice.email, '--password-stdin'], { env })
  login.stdin?.end('correct horse battery staple\n')
  let loginErr = ''
  login.stderr?.on('data', (d: string) => (loginErr += d))
  const code = await new Promise<number>((r) => login.on('exit', (c) => r(c ?? 1)))
  t.equal(code, 0, 'ocomms login signs alice in', { stderr: loginErr })

  // The TUI runs as `ocomms` with no arguments. CI=true would make Ink print only the final frame.
  await run('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `env -u CI OCOMMS_HOME=${home} OCOMMS_PROFILE= ${process.execPath} ${cli} 2>${join(home, 'tui.err')}`])
  // A UI that exits stays on screen (with its errors in tui.err) instead of taking the session along.
  await run('tmux', ['set-option', '-t', session, 'remain-on-exit', 'on'])
  const screen = async () => (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout
  const waitFor = async (pattern: RegExp, what: string, ms = 20_000) => {
    const until = Date.now() + ms
    let last = ''
    while (Date.now() < until) {
      last = await screen()
      if (pattern.test(last)) {
        t.pass(what)
        return last
      }
      await new Promise((r) => setTimeout(r, 150))
    }
    t.fail(`${what}: ${pattern} not on screen`, { screen: last, stderr: await readFile(join(home, 'tui.err'), 'utf8').catch(() => '') })
    throw new Error(`${what}: not on screen`)
  }
  const waitForNot = async (pattern: RegExp, what: string) => {
    const until = Date.now() + 20_000
    let last = ''
    while (Date.now() < until) {
      last = await screen()
      if (!pattern.test(last)) return void t.pass(what)
      await new Promise((r) => setTimeout(r, 150))
    }
    t.fail(`${what}: ${pattern} still on screen`, { screen: last })
    throw new Error(`${what}: still on screen`)
  }
  // One key (or one literal text) per write, a moment apart: Escape followed at once by a key
  // reads as Alt+key.
  const send = async (...keys: string[]) => {
    const writes = keys[0] === '-l' ? [keys] : keys.map((k) => [k])
    for (const write of writes) {
      await run('tmux', ['send-keys', '-t', session, ...write])
      await new Promise((r) => setTimeout(r, 150))
    }
  }

  // The first paint waits for node, the daemon and the first answers: slow on a busy machine.
  await waitFor(/# e2e/, 'the sidebar lists the channels', 45_000)
  // Bob has no socket open: offline.
  await waitFor(/○ bob\b/, "the DM with bob in the sidebar, bob's presence offline")
  await send('C-k')
  await send('-l', 'e2e')
  await send('Enter')
  await waitFor(/── message #e2e/, 'Ctrl+K switched to #e2e')

  // Typing goes through the server's typing signal, the daemon, and the TUI's subscription.
  await bob.call('typing.start', { conversationId: e2e.id })
  await waitFor(/bob is typing…/, "bob's typing indicator appears")
  await bob.call('typing.stop', { conversationId: e2e.id })
  await waitForNot(/is typing/, 'it goes when bob stops')

  const hello = await bob.call('message.send', { conversationId: e2e.id, text: 'hello from *bob*', clientId: 'e2e-1' })
  await waitFor(/hello from \*?bob/, "another person's message arrives live")

  await send('Escape', 'Enter')
  await waitFor(/Thread in #e2e/, 'the thread opens')
  await send('-l', 'reply from alice')
  await send('Enter')
  await waitFor(/reply from alice/, 'the reply shows in the thread')
  // On screen first as `sending…`; the daemon delivers it a moment later.
  let replies = 0
  for (const until = Date.now() + 15_000; replies < 1 && Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
    replies = (await bob.call('message.get', { messageId: hello.id })).replyCount
  }
  t.equal(replies, 1, 'bob sees the reply count')

  // Esc: from the thread's composer to its messages; Esc again closes it, the channel's messages selected.
  await send('Escape', 'Escape')
  await waitForNot(/Thread in #e2e/, 'the thread closes')
  await send('r')
  await send('-l', 'tada')
  await send('Enter')
  await waitFor(/🎉 1/, 'the reaction shows')
  t.same((await bob.call('message.get', { messageId: hello.id })).reactions.map((r) => r.emoji), ['🎉'], 'the server has the reaction')

  await send('u')
  await waitFor(/new messages/, 'mark unread puts the line above the message')
  const unreads = await alice.call('unreads', { workspaceId: ws.id })
  t.ok(unreads.conversations.some((c) => c.conversation.id === e2e.id && c.unread > 0), 'the server agrees it is unread')

  // Presence, live: bob connects (online), turns on do-not-disturb (busy), sets himself away,
  // disconnects (offline).
  const bobSocket = await server.connect(bob.token)
  await waitFor(/● bob\b/, 'bob comes online in the sidebar')
  await send('C-k')
  await send('-l', 'bob')
  await send('Enter')
  await waitFor(/● @bob\s+Bob · online/, "the DM's header shows bob online")

  // Pasting and typing ahead, as the terminal delivers them: tmux pastes with the brackets the UI
  // asked for (its line breaks as CRs, which typed would be Enter), and writes text with an Enter
  // in one write, as a fast typist over a slow link does.
  const dmTexts = async () => (await bob.call('message.list', { conversationId: dm.id })).map((m) => m.text)
  const dmGets = async (text: string) => {
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      if ((await dmTexts()).includes(text)) return true
    }
    return false
  }
  await run('tmux', ['set-buffer', '-b', 'e2e-paste', 'pasted line one\npasted line two'])
  await run('tmux', ['paste-buffer', '-p', '-d', '-b', 'e2e-paste', '-t', session])
  await waitFor(/pasted line two/, 'a pasted block lands in the composer')
  await new Promise((r) => setTimeout(r, 500))
  t.notOk((await dmTexts()).some((text) => text.includes('pasted')), 'pasting two lines sent nothing')
  await send('Enter')
  t.ok(await dmGets('pasted line one\npasted line two'), 'Enter sends the paste as one message with both lines')
  await run('tmux', ['send-keys', '-t', session, '-l', 'typed ahead\r'])
  t.ok(await dmGets('typed ahead'), 'text and Enter in one read send the text')
  await bob.call('dnd.snooze', { minutes: 30 })
  await waitFor(/⊖ @bob\s+Bob · busy · DND/, 'do-not-disturb shows as busy in the header')
  await waitFor(/⊖ bob\b/, 'and in the sidebar')
  await bob.call('presence.set', { mode: 'away' })
  await waitFor(/◐ @bob\s+Bob · away · DND/, 'setting himself away shows as away')
  await waitFor(/◐ bob\b/, 'and in the sidebar')
  bobSocket.close()
  await waitFor(/○ @bob\s+Bob · offline/, 'bob goes offline when his socket closes')
  await waitFor(/○ bob\b/, 'and in the sidebar')

  // Ctrl+C quits; `ocomms tui` opens the same UI again.
  await send('C-c')
  await waitForNot(/# e2e/, 'Ctrl+C closes the UI')
  await run('tmux', ['respawn-pane', '-k', '-t', session, `env -u CI OCOMMS_HOME=${home} OCOMMS_PROFILE= ${process.execPath} ${cli} tui 2>>${join(home, 'tui.err')}`])
  await waitFor(/# e2e/, '`ocomms tui` opens the terminal UI', 45_000)
})
