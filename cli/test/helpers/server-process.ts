import type { ChildProcess } from 'node:child_process'
import { spawnServer } from '../../../server/test/helpers/process.js'
import { ocommsBin } from './cli.js'

export { freePort } from '../../../server/src/net/free-port.js'
export { exited } from '../../../server/test/helpers/process.js'

/** `ocomms server start` as its own process (so a test can kill it), on its own database. */
export function startServerProcess(port: number, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  return spawnServer([ocommsBin, 'server', 'start', '--port', String(port), '--database-url', databaseUrl], process.env)
}
