import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

export interface ServerProcess {
  child: ChildProcess
  url: string
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>
}

/**
 * Node running the built server, for `spawnServer`: what ships, and started in a fraction of
 * the CPU that compiling the sources through tsx takes (`npm test` builds before it runs).
 */
export const builtServer = [main]

/**
 * Spawns a server process (`node ...args`) and resolves once it logs the address it listens
 * on; rejects with its stderr when it exits first.
 */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env: { OCOMMS_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  const url = await new Promise<string>((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)))
  })
  return { child, url }
}

/** Resolves with the exit code when the process has exited (at once if it already has; null after a signal). */
export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)))

/** Runs `ocomms-server` as a separate process with the given environment, on a free port. */
export async function startServerProcess(
  t: { teardown(fn: () => unknown): void },
  env: Record<string, string>,
): Promise<ServerProcess> {
  const { child, url } = await spawnServer([...builtServer, '--port', '0'], { ...process.env, ...env })
  const stop = () => {
    child.kill('SIGTERM')
    return exited(child)
  }
  t.teardown(stop)
  return { child, url, stop }
}
