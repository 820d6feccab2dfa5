import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { callHttp, operations, transfers } from '@ocomms/shared'
import postgres from 'postgres'
import { loadConfig } from '../src/config.js'
import { withServerDatabase } from '../src/ops/server-database.js'
import { exited, builtServer, spawnServer } from './helpers/process.js'

/** Starts `ocomms-server` as its own process with no DATABASE_URL, so it runs embedded PostgreSQL. */
function startProcess(dataDir: string) {
  const env = { ...process.env }
  delete env.DATABASE_URL
  return spawnServer([...builtServer, '--port', '0', '--data-dir', dataDir], env)
}

t.test('the server runs on its own embedded PostgreSQL, stops cleanly and survives a kill -9', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-process-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))

  let { child, url } = await startProcess(dataDir)
  t.equal((await fetch(`${url}/health`)).status, 200)
  const doc = (await (await fetch(`${url}/api/docs/json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> }
  const documented = new Set(Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId)))
  t.same([...documented].sort(), [...Object.keys(operations), ...Object.keys(transfers)].sort(), 'the OpenAPI document lists every operation and file transfer')

  const me = await callHttp(url, 'auth.signup', { email: 'a@example.test', password: 'long enough pw', name: 'A', handle: 'a' })
  const ws = await callHttp(url, 'workspace.create', { name: 'Acme' }, { token: me.token })
  const [general] = await callHttp(url, 'conversation.list', { workspaceId: ws.id }, { token: me.token })
  const sent = await callHttp(url, 'message.send', { conversationId: general!.id, text: 'kept', clientId: randomUUID() }, { token: me.token })

  // The server reaches its PostgreSQL over the cluster's Unix socket (client_port -1), not TCP.
  const ports = await withServerDatabase(loadConfig({}, { dataDir }), async (tcpUrl) => {
    const sql = postgres(tcpUrl, { max: 1, onnotice: () => {} })
    try {
      return (await sql<{ port: number }[]>`select client_port as port from pg_stat_activity where application_name = 'ocomms'`).map((r) => r.port)
    } finally {
      await sql.end()
    }
  })
  t.ok(ports.length > 0, 'the server holds connections')
  t.same(new Set(ports), new Set([-1]), 'every one of them over the Unix socket')

  child.kill('SIGTERM')
  t.equal(await exited(child), 0, 'SIGTERM ends the server cleanly')
  ;({ child, url } = await startProcess(dataDir))
  const after = await callHttp(url, 'message.list', { conversationId: general!.id }, { token: me.token })
  t.equal(after.at(-1)?.id, sent.id, 'the message survives a restart')

  const second = await callHttp(url, 'message.send', { conversationId: general!.id, text: 'acked', clientId: randomUUID() }, { token: me.token })
  child.kill('SIGKILL')
  await exited(child)
  // The embedded PostgreSQL outlived its server; the next start must take the data dir over.
  ;({ child, url } = await startProcess(dataDir))
  const again = await callHttp(url, 'message.list', { conversationId: general!.id }, { token: me.token })
  t.same(again.slice(-2).map((m) => m.id), [sent.id, second.id], 'an acknowledged message survives kill -9')
  child.kill('SIGTERM')
  t.equal(await exited(child), 0)
})
