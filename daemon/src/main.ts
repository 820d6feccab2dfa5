#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { pino } from 'pino'
import { Daemon } from './daemon.js'
import { checkPrivate, ensureHome, homePaths, LoosePermissionsError, ocommsHome } from './home.js'
import { acquireLock, AlreadyRunningError } from './lock.js'

// Everything the daemon creates (socket, cache, logs, profiles) is for this user only.
process.umask(0o077)

const home = ocommsHome()
const paths = homePaths(home)
let release = () => {}
try {
  ensureHome(home)
  // A socket someone opened up is a sign of tampering: do not quietly replace it.
  if (existsSync(paths.socket)) checkPrivate(paths.socket)
  checkPrivate(paths.profiles)
  release = acquireLock(paths.lock)
} catch (err) {
  if (err instanceof AlreadyRunningError) {
    process.stderr.write(`ocomms daemon: ${err.message}\n`)
    process.exit(0)
  }
  process.stderr.write(`ocomms daemon: ${err instanceof LoosePermissionsError ? err.message : String(err)}\n`)
  process.exit(1)
}
process.on('exit', () => release())

const log = pino({ level: process.env.OCOMMS_LOG_LEVEL ?? 'info' }, pino.destination({ dest: paths.log, sync: true }))
const daemon = new Daemon(home, log)

process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception')
  process.exit(1)
})
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'))

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    void daemon.stop().then(() => process.exit(0))
  })
}

try {
  await daemon.listen()
  log.info({ pid: process.pid, home }, 'daemon started')
  // Its home removed (rm -rf ~/.ocomms) or its socket taken away: nobody can reach it any more.
  setInterval(() => {
    if (!existsSync(paths.socket)) {
      log.warn('socket removed; exiting')
      void daemon.stop().then(() => process.exit(0))
    }
  }, 5_000).unref()
} catch (err) {
  log.fatal({ err }, 'could not start')
  process.stderr.write(`ocomms daemon: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}
