import t from 'tap'
import { chmod, stat, writeFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { connectDaemon } from '../src/index.js'
import { builtMain, home, runDaemon, until } from './helpers.js'

const mode = async (path: string) => (await stat(path)).mode & 0o777

t.test('a home or socket others can reach is refused', async (t) => {
  const open = await home(t)
  await chmod(open, 0o755)
  const d = runDaemon(open)
  t.equal(await d.exit, 1, 'the daemon refuses to start')
  t.match(d.stderr(), /accessible to other users.*chmod 700/)
  await t.rejects(connectDaemon({ home: open, main: builtMain }), { code: 'forbidden', message: /Refusing to use/ }, 'and frontends refuse it too')

  const loose = await home(t)
  await writeFile(join(loose, 'daemon.sock'), '')
  await chmod(join(loose, 'daemon.sock'), 0o666)
  const d2 = runDaemon(loose)
  t.equal(await d2.exit, 1, 'a loose socket left behind is not silently replaced')
  t.match(d2.stderr(), /daemon\.sock is accessible to other users/)

  const tokens = await home(t)
  await writeFile(join(tokens, 'profiles.json'), '{"version":1,"profiles":{}}')
  await chmod(join(tokens, 'profiles.json'), 0o644)
  const d3 = runDaemon(tokens)
  t.equal(await d3.exit, 1)
  t.match(d3.stderr(), /profiles\.json is accessible/)
})

t.test('one daemon per home: a second start finds the first; stop removes the socket', async (t) => {
  const dir = await home(t)
  const a = runDaemon(dir)
  const b = runDaemon(dir)
  const first = await Promise.race([a.exit.then(() => 'a'), b.exit.then(() => 'b')])
  const [loser, winner] = first === 'a' ? [a, b] : [b, a]
  t.equal(await loser.exit, 0, 'the second one exits quietly')
  t.match(loser.stderr(), /already running/)
  const client = await until(() => connectDaemon({ home: dir, start: false }).catch(() => null))
  const status = await client.request('daemon.status', {})
  t.equal(status.pid, winner.child.pid)
  t.equal(status.apiVersion, 1)
  t.equal(await mode(dir), 0o700)
  t.equal(await mode(join(dir, 'daemon.sock')), 0o600, 'the socket is 0600')
  t.equal(await mode(join(dir, 'daemon.log')), 0o600)

  const again = await connectDaemon({ home: dir, main: builtMain })
  t.equal((await again.request('daemon.status', {})).pid, winner.child.pid, 'on-demand start finds the running daemon')
  again.close()
  t.same(await client.request('daemon.stop', {}), { ok: true })
  t.equal(await winner.exit, 0)
  await t.rejects(stat(join(dir, 'daemon.sock')), 'the socket is gone')
  await t.rejects(stat(join(dir, 'daemon.pid')), 'the pid file is gone')
  client.close()

  // On demand: connectDaemon starts a detached daemon.
  const started = await connectDaemon({ home: dir, main: builtMain })
  const s = await started.request('daemon.status', {})
  t.not(s.pid, winner.child.pid)
  started.close()
})

t.test('JSON-RPC 2.0, one object per line, as socat would speak it', async (t) => {
  const dir = await home(t)
  const d = runDaemon(dir)
  t.teardown(() => d.child.kill())
  await until(() => connectDaemon({ home: dir, start: false }).then((c) => (c.close(), true)).catch(() => false))
  const sock = createConnection(join(dir, 'daemon.sock'))
  const lines: Array<Record<string, unknown>> = []
  let buf = ''
  sock.on('data', (chunk: Buffer) => {
    buf += chunk.toString()
    let nl
    while ((nl = buf.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>)
      buf = buf.slice(nl + 1)
    }
  })
  await new Promise((r) => sock.once('connect', r))
  // Two requests in one write, one request split over two writes, a notification, garbage.
  sock.write('{"jsonrpc":"2.0","id":1,"method":"daemon.status","params":{}}\n{"jsonrpc":"2.0","id":2,"method":"no.such"}\n')
  sock.write('{"jsonrpc":"2.0","id":3,"method":"messages.read",')
  sock.write('"params":{"conversationId":"nope"}}\n')
  sock.write('{"jsonrpc":"2.0","method":"daemon.status","params":{}}\n')
  sock.write('this is not json\n')
  sock.write('{"jsonrpc":"2.0","id":4,"method":"profile.whoami","params":{"profile":"work"}}\n')
  await until(() => lines.length >= 5)
  const byId = new Map(lines.map((l) => [l.id, l]))
  t.match(byId.get(1), { jsonrpc: '2.0', result: { apiVersion: 1, pid: Number, profiles: [] } })
  t.match(byId.get(2), { error: { code: -32601 } }, 'unknown method')
  t.match(byId.get(3), { error: { code: -32602, data: { code: 'invalid_input', message: /conversationId/ } } }, 'params are checked against the declaration')
  t.match(byId.get(null), { error: { code: -32700 } }, 'parse error')
  t.match(byId.get(4), { error: { code: -32000, data: { code: 'unauthenticated', message: /Profile "work" is not signed in/ } } })
  t.equal(lines.length, 5, 'a notification gets no answer')
  sock.end()
})
