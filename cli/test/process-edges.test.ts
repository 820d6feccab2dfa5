import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer } from '../../server/test/helpers/server.js'
import { ocommsBin, person, signup } from './helpers/cli.js'

/** Runs `ocomms` with stdin and stdout as given (never a terminal here), collecting what it writes. */
function ocomms(args: string[], env: NodeJS.ProcessEnv, shell?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = shell
      ? spawn('/bin/sh', ['-c', shell], { env: { ...process.env, ...env, OCOMMS_BIN: ocommsBin }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [ocommsBin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`ocomms ${args.join(' ')}${shell ?? ''} did not end\n${stderr}`))
    }, 15_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

t.test('ocomms without a terminal prints help instead of crashing', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'ocomms-home-'))
  t.teardown(() => rm(home, { recursive: true, force: true }))
  const res = await ocomms([], { OCOMMS_HOME: home })
  t.equal(res.code, 0)
  t.match(res.stdout, /^Usage: ocomms/)
  t.notMatch(res.stderr, /Raw mode|Error/)
})

t.test('a reader that stops early ends the output quietly', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'ocomms-home-'))
  t.teardown(() => rm(home, { recursive: true, force: true }))
  // The reader exits before reading anything, so every write meets a closed pipe.
  for (let i = 0; i < 5; i++) {
    const res = await ocomms([], { OCOMMS_HOME: home }, `"${process.execPath}" "$OCOMMS_BIN" --help | true`)
    t.notMatch(res.stderr, /EPIPE|Error|at /, `run ${i + 1}: no stack trace`)
    const head = await ocomms([], { OCOMMS_HOME: home }, `"${process.execPath}" "$OCOMMS_BIN" --help | head -5`)
    t.equal(head.stdout.split('\n').length, 6, 'head gets its five lines')
    t.notMatch(head.stderr, /EPIPE|Error/)
  }
})

t.test('tail of a conversation I cannot see says so and ends', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.call('invite.create', {})
  await signup(bob, server.url, { invite: invite.code })
  await ann.json(['channel', 'create', 'secret', '--private'])
  const started = Date.now()
  const res = await bob.run(['tail', '#secret'], { timeoutMs: 15_000 })
  t.equal(res.code, 1, 'exits 1 (refused)')
  t.match(res.stderr, /secret/)
  t.notMatch(res.stderr, /daemon stopped/)
  t.ok(Date.now() - started < 10_000, 'and does not hang')
  const none = await bob.run(['tail', '#nope', '#general'], { timeoutMs: 15_000 })
  t.equal(none.code, 1, 'one unknown target among several is refused too')
})

t.test('stdin from a slow writer is read to its end, not refused with EAGAIN', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'ocomms-home-'))
  t.teardown(() => rm(home, { recursive: true, force: true }))
  // The password arrives after the command has started reading: a read of the still empty,
  // non-blocking pipe used to fail with EAGAIN. Port 9 answers nothing, so getting as far as
  // "cannot reach the server" proves the password was read.
  const res = await ocomms([], { OCOMMS_HOME: home }, `(sleep 0.5; printf 'a password') | "${process.execPath}" "$OCOMMS_BIN" login --server http://127.0.0.1:9 --email a@example.com --password-stdin`)
  t.notMatch(res.stderr, /EAGAIN/)
  t.match(res.stderr, /Cannot reach the server/)
  t.equal(res.code, 3)
})
