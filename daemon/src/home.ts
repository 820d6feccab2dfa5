import { mkdirSync, statSync, chmodSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Where one user's daemon keeps everything: config, socket, cache, logs. */
export interface HomePaths {
  home: string
  socket: string
  lock: string
  log: string
  profiles: string
  cacheDir: string
}

export function ocommsHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.OCOMMS_HOME || join(homedir(), '.ocomms'))
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    socket: join(home, 'daemon.sock'),
    lock: join(home, 'daemon.pid'),
    log: join(home, 'daemon.log'),
    profiles: join(home, 'profiles.json'),
    cacheDir: join(home, 'cache'),
  }
}

export class LoosePermissionsError extends Error {}

/** Group or other may read, write or enter: someone else on the machine could use the account. */
const loose = (mode: number) => (mode & 0o077) !== 0

/**
 * Creates the home (0700) when missing; refuses one that others can reach. A home created by
 * someone else, or opened up with chmod, would let another local user drive the daemon.
 */
export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const st = statSync(home)
  if (!st.isDirectory()) throw new LoosePermissionsError(`${home} is not a directory.`)
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new LoosePermissionsError(`${home} belongs to another user (uid ${st.uid}); refusing to use it.`)
  }
  if (loose(st.mode)) {
    throw new LoosePermissionsError(
      `${home} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); run: chmod 700 ${home}`,
    )
  }
}

/** Checks a file the daemon keeps secret (socket, profiles): only its owner may touch it. */
export function checkPrivate(path: string): void {
  let st
  try {
    st = statSync(path)
  } catch {
    return
  }
  if (loose(st.mode)) {
    throw new LoosePermissionsError(`${path} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`)
  }
}

export function makePrivate(path: string): void {
  chmodSync(path, 0o600)
}
