import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DAEMON_API_VERSION, OCommsError } from '@ocomms/shared/core'
import { DaemonClient } from './client.js'
import { checkPrivate, ensureHome, homePaths, LoosePermissionsError, ocommsHome } from './home.js'
import { readLock } from './lock.js'

export interface ConnectOptions {
  /** OCOMMS_HOME; defaults to the environment's. */
  home?: string
  /** Start the daemon when none answers (the default). */
  start?: boolean
  timeoutMs?: number
  /**
   * The Node.js that runs a daemon started on demand; default this process's own. The desktop app
   * passes one: its own executable is Electron, whose native modules (better-sqlite3) are built
   * for another ABI.
   */
  node?: string
  /** The daemon's entry point for a daemon started on demand; default `daemonMain()`. */
  main?: string
}

/** The daemon's entry point, resolved the same way this module was (source or built). */
export function daemonMain(): string {
  return fileURLToPath(import.meta.resolve('@ocomms/daemon/main'))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Checks the home like the daemon does, as a refusal the frontends can show. */
function checkHome(home: string): void {
  try {
    ensureHome(home)
    const { socket } = homePaths(home)
    if (existsSync(socket)) checkPrivate(socket)
  } catch (err) {
    // Refused (exit 1), not unreachable (exit 3): nothing is down, the home must be made private.
    if (err instanceof LoosePermissionsError) throw new OCommsError('forbidden', `Refusing to use ${home}: ${err.message}`)
    throw err
  }
}

/** Starts the daemon in the background (detached, logging to daemon.log) without waiting. */
export function spawnDaemon(home: string, options: Pick<ConnectOptions, 'node' | 'main'> = {}): void {
  const { log } = homePaths(home)
  const out = openSync(log, 'a', 0o600)
  const main = options.main ?? daemonMain()
  // Another Node.js, or a given entry point, runs bare; otherwise the daemon runs the way this
  // process does (from source under tsx in development).
  const args = options.node || options.main ? [main] : [...process.execArgv, main]
  try {
    const child = spawn(options.node ?? process.execPath, args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, OCOMMS_HOME: home },
    })
    child.unref()
  } finally {
    closeSync(out)
  }
}

/**
 * True when the running daemon speaks this API version. An older one (left running across an
 * upgrade) is asked to stop, so a current one can start; its outbox survives in SQLite.
 */
async function current(client: DaemonClient, socket: string): Promise<boolean> {
  const status = await client.request('daemon.status', {})
  if (status.apiVersion === DAEMON_API_VERSION) return true
  await client.request('daemon.stop', {}).catch(() => null)
  client.close()
  for (let i = 0; i < 100 && existsSync(socket); i++) await sleep(50)
  return false
}

/**
 * Connects to this user's daemon, starting it on demand and waiting for its socket: the way
 * every frontend reaches it.
 */
export async function connectDaemon(options: ConnectOptions = {}): Promise<DaemonClient> {
  const home = options.home ?? ocommsHome()
  checkHome(home)
  const { socket } = homePaths(home)
  try {
    const client = await DaemonClient.connect(socket)
    if (options.start === false || (await current(client, socket))) return client
  } catch (err) {
    if (options.start === false) throw new OCommsError('unavailable', `The daemon is not running (${(err as Error).message}).`)
  }
  spawnDaemon(home, options)
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  let last: unknown
  while (Date.now() < deadline) {
    await sleep(100)
    try {
      return await DaemonClient.connect(socket)
    } catch (err) {
      last = err
    }
  }
  throw new OCommsError('unavailable', `The daemon did not start (${(last as Error | undefined)?.message ?? 'no answer'}); see ${homePaths(home).log}.`)
}

/** The pid recorded by a running daemon, if any. */
export function daemonPid(home: string = ocommsHome()): number | null {
  return readLock(homePaths(home).lock)
}
