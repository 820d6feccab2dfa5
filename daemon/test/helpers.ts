import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The built daemon (npm test builds first): starts much faster than through tsx. Tests that
 * start it on demand pass it to connectDaemon as `main`.
 */
export const builtMain = fileURLToPath(new URL('../dist/main.js', import.meta.url))

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A private OCOMMS_HOME whose daemon is stopped and which is removed at teardown. */
export async function home(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-daemon-test-'))
  await chmod(dir, 0o700)
  t.teardown(async () => {
    await killDaemon(dir)
    await rm(dir, { recursive: true, force: true })
  })
  return dir
}

/** The daemon in the foreground as its own process (the way `ocomms` starts it, minus detaching). */
export function runDaemon(dir: string): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [builtMain], { env: { ...process.env, OCOMMS_HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stderr: () => err, exit }
}

/** Stops the daemon of this OCOMMS_HOME, if one runs: SIGTERM, then SIGKILL after 5 s. */
export async function killDaemon(dir: string): Promise<void> {
  let pid: number
  try {
    pid = Number((await readFile(join(dir, 'daemon.pid'), 'utf8')).trim())
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  // Still there after 5 s: do not leave it behind the test run.
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone meanwhile
  }
}

export async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}
