import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { freshDatabase } from '../../server/test/helpers/database.js'
import { ocommsBin, person, signup, until } from './helpers/cli.js'

process.env.OCOMMS_NOTIFY = 'off'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** `ocomms server start` as its own process, so it can die and come back on the same port. */
async function startServer(port: number, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [ocommsBin, 'server', 'start', '--port', String(port), '--database-url', databaseUrl], {
    env: { ...process.env, OCOMMS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
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

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()))

t.test('a draft written while the server is down is kept and written through on reconnect', async (t) => {
  const db = await freshDatabase()
  const port = await freePort()
  let server = await startServer(port, db.url)
  t.teardown(async () => {
    server.child.kill('SIGKILL')
    await exited(server.child)
    await db.drop()
  })
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  await ann.json(['draft', '#general', 'first version'])

  server.child.kill('SIGKILL')
  await exited(server.child)
  const res = await ann.run(['--json', 'draft', '#general', 'written offline'])
  t.equal(res.code, 0, 'accepted while the server is down')
  t.match(JSON.parse(res.stdout), { queued: true, draft: null })
  t.match(res.stderr, /queued/)

  server = await startServer(port, db.url)
  const drafts = await until(async () => {
    try {
      const list = await ann.call('draft.list', {})
      return list.some((d) => d.text === 'written offline') ? list : null
    } catch {
      return null
    }
  }, 60_000)
  t.same(drafts.map((d) => d.text), ['written offline'], 'the offline text replaced the earlier draft on the server')
})
