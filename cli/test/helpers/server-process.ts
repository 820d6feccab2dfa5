import type { ChildProcess } from 'node:child_process'
import { freePort } from '../../../server/src/net/free-port.js'
import { freshDatabase } from '../../../server/test/helpers/database.js'
import { exited, spawnServer } from '../../../server/test/helpers/process.js'
import { ocommsBin, type Teardown } from './cli.js'

/** `ocomms server start` as its own process (so a test can kill it), on its own database. */
export function startServerProcess(port: number, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  return spawnServer([ocommsBin, 'server', 'start', '--port', String(port), '--database-url', databaseUrl], process.env)
}

/**
 * A server process on a fresh database, which the test can kill (SIGKILL) and start again on
 * the same port and data, so clients see the same address come back. Killed and its database
 * dropped when the test ends.
 */
export async function killableServer(t: Teardown): Promise<{ url: string; kill(): Promise<void>; restart(): Promise<void> }> {
  const db = await freshDatabase()
  const port = await freePort()
  let current = await startServerProcess(port, db.url)
  const kill = async () => {
    current.child.kill('SIGKILL')
    await exited(current.child)
  }
  t.teardown(async () => {
    await kill()
    await db.drop()
  })
  return {
    url: current.url,
    kill,
    async restart() {
      current = await startServerProcess(port, db.url)
    },
  }
}
