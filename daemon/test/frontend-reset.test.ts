import t from 'tap'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { connectDaemon } from '../src/index.js'
import { home, runDaemon, until } from './helpers.js'

/**
 * A frontend that goes away abruptly (a UI quitting with answers still on their way, a killed
 * process) resets its connection. That is the frontend's business: the daemon must carry on
 * serving the others, not die of the reset.
 */
t.test('a frontend resetting its connection does not take the daemon down', async (t) => {
  const dir = await home(t)
  const d = runDaemon(dir)
  t.teardown(() => d.child.kill())
  await until(() => connectDaemon({ home: dir, start: false }).then((c) => (c.close(), true)).catch(() => false))
  for (let i = 0; i < 5; i++) {
    const sock = createConnection(join(dir, 'daemon.sock'))
    await new Promise((resolve, reject) => (sock.once('connect', resolve), sock.once('error', reject)))
    sock.on('error', () => {})
    // Answers left unread when the socket closes: the daemon's side sees a reset (ECONNRESET),
    // and writing what is still to come fails (EPIPE).
    sock.pause()
    for (let id = 1; id <= 200; id++) sock.write(JSON.stringify({ jsonrpc: '2.0', id, method: 'daemon.status', params: {} }) + '\n')
    await new Promise((r) => setTimeout(r, 20))
    sock.destroy()
  }
  await new Promise((r) => setTimeout(r, 300))
  const client = await connectDaemon({ home: dir, start: false })
  t.teardown(() => client.close())
  const status = await client.request('daemon.status', {})
  t.equal(status.pid, d.child.pid, 'the same daemon still answers')
  t.notMatch(d.stderr(), /uncaught exception/, 'nothing went unhandled')
})
