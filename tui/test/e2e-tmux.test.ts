import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

/**
 * The real TUI in a real terminal (tmux) against a real server through a real daemon: another
 * person's message arrives live, a thread is opened and answered, a reaction is added, a message
 * is marked unread, and Ctrl+K switches conversations. The screen is read with capture-pane.
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

const skip = !existsSync(join(root, 'daemon', 'package.json'))
  ? 'needs the daemon (daemon/) and the ocomms CLI (cli/) in this repository; they land with the daemon/CLI work'
  : !existsSync(join(root, 'cli', 'package.json'))
    ? 'needs the ocomms CLI (cli/) in this repository'
    : !hasTmux()
      ? 'needs tmux (apt-get install tmux)'
      : false

t.test('the TUI in tmux against a real server', { skip, timeout: 90_000 }, async (t) => {
  const { startTestServer } = (await import(join(root, 'server/test/helpers/server.ts'))) as typeof import('../../server/test/helpers/server.js')
  const server = await startTestServer(t)
  const cliPkg = JSON.parse(readFileSync(join(root, 'cli/package.json'), 'utf8')) as { bin?: string | Record<string, string> }
  const bin = typeof cliPkg.bin === 'string' ? cliPkg.bin : (cliPkg.bin?.ocomms ?? 'dist/main.js')
  const cliEntry = join(root, 'cli', bin)

  const homeA = await mkdtemp(join(tmpdir(), 'ocomms-e2e-a-'))
  const homeB = await mkdtemp(join(tmpdir(), 'ocomms-e2e-b-'))
  const session = `ocomms-e2e-${process.pid}`
  t.teardown(async () => {
    await run('tmux', ['kill-session', '-t', session]).catch(() => {})
    for (const home of [homeA, homeB]) {
      await run('node', [cliEntry, 'daemon', 'stop'], { env: { ...process.env, OCOMMS_HOME: home } }).catch(() => {})
      await rm(home, { recursive: true, force: true })
    }
  })
  const ocomms = async (home: string, args: string[], input?: string) => {
    const child = execFile('node', [cliEntry, ...args], { env: { ...process.env, OCOMMS_HOME: home } })
    if (input !== undefined) child.stdin?.end(input)
    let out = ''
    child.stdout?.on('data', (d: string) => (out += d))
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)))
    if (code !== 0) throw new Error(`ocomms ${args.join(' ')} exited ${code}`)
    return out
  }

  await ocomms(homeA, ['signup', '--server', server.url, '--email', 'alice@example.test', '--name', 'Alice', '--handle', 'alice', '--password-stdin', '--create-workspace', 'E2E'], 'correct horse battery staple')
  const invite = JSON.parse(await ocomms(homeA, ['--json', 'invite'])) as { code: string }
  await ocomms(homeB, ['signup', '--server', server.url, '--email', 'bob@example.test', '--name', 'Bob', '--handle', 'bob', '--password-stdin', '--invite', invite.code], 'correct horse battery staple')
  await ocomms(homeA, ['channel', 'create', 'lobby'])
  await ocomms(homeA, ['channel', 'create', 'e2e'])
  await ocomms(homeB, ['channel', 'join', 'e2e'])

  // The TUI runs as `ocomms` with no arguments. CI=true would make Ink print only the final frame.
  await run('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `env -u CI OCOMMS_HOME=${homeA} node ${cliEntry}`])
  const screen = async () => (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout
  const waitFor = async (pattern: RegExp, what: string) => {
    const until = Date.now() + 15_000
    let last = ''
    while (Date.now() < until) {
      last = await screen()
      if (pattern.test(last)) return last
      await new Promise((r) => setTimeout(r, 100))
    }
    t.fail(`${what}: ${pattern} not on screen`, { screen: last })
    return last
  }
  const send = (...keys: string[]) => run('tmux', ['send-keys', '-t', session, ...keys])

  await waitFor(/# e2e/, 'the sidebar lists the channels')
  await send('C-k')
  await send('-l', 'e2e')
  await send('Enter')
  await waitFor(/── message #e2e/, 'Ctrl+K switched to #e2e')

  await ocomms(homeB, ['send', '#e2e', 'hello from bob'])
  await waitFor(/hello from bob/, "another person's message arrives live")

  await send('Escape', 'Enter')
  await waitFor(/Thread in #e2e/, 'the thread opens')
  await send('-l', 'reply from alice')
  await send('Enter')
  await waitFor(/reply from alice/, 'the reply shows in the thread')
  const history = JSON.parse(await ocomms(homeB, ['--json', 'read', '#e2e'])) as Array<{ text: string; replyCount: number }>
  t.equal(history.find((m) => m.text === 'hello from bob')?.replyCount, 1, 'bob sees the reply count')

  await send('Escape', 'Escape')
  await waitFor(/── message #e2e/, 'back in the channel')
  await send('Escape', 'r')
  await send('-l', 'tada')
  await send('Enter')
  await waitFor(/🎉 1/, 'the reaction shows')

  await send('u')
  await waitFor(/new messages/, 'mark unread puts the line above the message')
  const unreads = JSON.parse(await ocomms(homeA, ['--json', 'unreads'])) as { conversations: Array<{ conversation: { name: string }; unread: number }> }
  t.ok(unreads.conversations.some((c) => c.conversation.name === 'e2e' && c.unread > 0), 'the daemon and server agree it is unread')
})
