import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'

export class AlreadyRunningError extends Error {
  constructor(readonly pid: number) {
    super(`the daemon is already running (pid ${pid})`)
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function readLock(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/**
 * One daemon per home: the pid file is created exclusively, so of two daemons started at
 * once only one wins. A pid file left by a daemon that died is taken over.
 */
export function acquireLock(path: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        if (readLock(path) === process.pid) rmSync(path, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = readLock(path)
      if (pid !== null && pid !== process.pid && alive(pid)) throw new AlreadyRunningError(pid)
      rmSync(path, { force: true })
    }
  }
  throw new Error(`could not take the lock ${path}`)
}
