import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DaemonClient } from '@ocomms/daemon'
import type { CallInput, CallOutput, DaemonMethodMap, DaemonMethodName, OperationName, ParamsOf, ResultOf } from '@ocomms/shared'
import { killDaemon, until } from '../../../daemon/test/helpers.js'

export { killDaemon as stopDaemon, until }

/** The built `ocomms` launcher: `npm test` builds before it runs the tests. */
export const ocommsBin = fileURLToPath(new URL('../../bin/ocomms.js', import.meta.url))

export interface Teardown {
  teardown(fn: () => unknown): void
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** One person on this machine: an OCOMMS_HOME of their own, so a daemon of their own. */
export interface Person {
  home: string
  handle: string
  email: string
  run(args: string[], options?: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>
  /** Runs and parses --json stdout, failing loudly when the command failed. */
  json<T = unknown>(args: string[], options?: { stdin?: string }): Promise<T>
  /** A long-running `ocomms` (tail): its stdout lines as they come. */
  spawn(args: string[]): Running
  /**
   * Straight to this person's daemon (started by an earlier `ocomms` command): for setting a
   * scene quickly, so the `ocomms` processes of a test are the commands under test.
   */
  rpc<N extends DaemonMethodName>(method: N, params: ParamsOf<DaemonMethodMap[N]>): Promise<ResultOf<DaemonMethodMap[N]>>
  call<N extends OperationName>(operation: N, input: Partial<CallInput<N>>): Promise<CallOutput<N>>
}

export interface Running {
  child: ChildProcess
  lines: string[]
  stderr: () => string
  /** Resolves once the command said it is listening (tail prints "tailing ..." on stderr). */
  ready(timeoutMs?: number): Promise<void>
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
  stop(): Promise<number | null>
}

export function runOcomms(home: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ocommsBin, ...args], {
      env: { ...process.env, OCOMMS_HOME: home, OCOMMS_PROFILE: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`ocomms ${args.join(' ')} took too long\n${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    // A command may stop reading its input before the end (one over a size limit says so and
    // exits): the rest of the write then fails with EPIPE, which is the command's answer, not an
    // error of the test.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err)
    })
    child.stdin.end(options.stdin ?? '')
  })
}

let counter = 0

/** A fresh OCOMMS_HOME (0700); its daemon is stopped and the home removed at teardown. */
export async function person(t: Teardown, handle: string): Promise<Person> {
  const home = await mkdtemp(join(tmpdir(), `ocomms-home-${handle}-`))
  await chmod(home, 0o700)
  let client: DaemonClient | null = null
  t.teardown(async () => {
    client?.close()
    await killDaemon(home)
    await rm(home, { recursive: true, force: true })
  })
  const run: Person['run'] = (args, options) => runOcomms(home, args, options)
  const rpc: Person['rpc'] = async (method, params) => {
    client ??= await DaemonClient.connect(join(home, 'daemon.sock'))
    return client.request(method, params)
  }
  return {
    rpc,
    call: async (operation, input) => (await rpc('call', { operation, input: input as Record<string, unknown> })) as never,
    home,
    handle,
    email: `${handle}.${process.pid}.${++counter}@example.test`,
    run,
    async json(args, options) {
      const res = await run(['--json', ...args], options)
      if (res.code !== 0) throw new Error(`ocomms ${args.join(' ')} exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`)
      return JSON.parse(res.stdout) as never
    },
    spawn(args) {
      const child = spawn(process.execPath, [ocommsBin, ...args], { env: { ...process.env, OCOMMS_HOME: home, OCOMMS_PROFILE: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
      const lines: string[] = []
      const waiters: Array<{ match: (l: string) => boolean; resolve: (l: string) => void }> = []
      let buf = ''
      let err = ''
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString()
        let nl
        while ((nl = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          lines.push(line)
          for (const w of [...waiters]) {
            if (!w.match(line)) continue
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(line)
          }
        }
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      return {
        child,
        lines,
        stderr: () => err,
        async ready(timeoutMs = 20_000) {
          const deadline = Date.now() + timeoutMs
          while (!err.includes('tailing')) {
            if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not ready: ${err}`)
            await new Promise((r) => setTimeout(r, 50))
          }
        },
        waitFor(match, timeoutMs = 15_000) {
          const seen = lines.find(match)
          if (seen) return Promise.resolve(seen)
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching line; got:\n${lines.join('\n')}\nstderr: ${err}`)), timeoutMs)
            waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) })
          })
        },
        async stop() {
          if (child.exitCode === null) child.kill('SIGINT')
          return exited
        },
      }
    },
  }
}

export const password = 'correct horse battery staple'

/** Signs a person up on a server: creating a workspace, or joining with an invite code. */
export async function signup(p: Person, server: string, how: { createWorkspace: string } | { invite: string }): Promise<void> {
  const extra = 'createWorkspace' in how ? ['--create-workspace', how.createWorkspace] : ['--invite', how.invite]
  const res = await p.run(
    ['signup', '--server', server, '--email', p.email, '--name', p.handle[0]!.toUpperCase() + p.handle.slice(1), '--handle', p.handle, '--password-stdin', ...extra],
    { stdin: `${password}\n` },
  )
  if (res.code !== 0) throw new Error(`signup ${p.handle} failed (${res.code}): ${res.stderr}`)
}

/**
 * People signed up through the CLI: the first creates workspace "Acme", the others join it
 * with an invite code.
 */
export async function team(t: Teardown, server: string, handles: string[]): Promise<Person[]> {
  const people = await Promise.all(handles.map((h) => person(t, h)))
  const [founder, ...others] = people
  await signup(founder!, server, { createWorkspace: 'Acme' })
  const { code } = await founder!.json<{ code: string }>(['invite'])
  for (const p of others) await signup(p, server, { invite: code })
  return people
}
