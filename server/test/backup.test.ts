import t from 'tap'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { callHttp } from '@ocomms/shared'
import { pino } from 'pino'
import postgres from 'postgres'
import { backup, build, loadConfig, restore } from '../src/index.js'
import { dumpTables, freshDatabase } from './helpers/database.js'
import { tempDir } from './helpers/temp-dir.js'
import { startTestServer } from './helpers/server.js'

const run = promisify(execFile)
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url))

t.test('backup and restore: a round trip through the CLI gives an identical database, files and working server', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  const root = await alice.call('message.send', { conversationId: general.id, text: 'hello *world*', clientId: randomUUID() })
  await bob.call('message.send', { conversationId: general.id, text: 'a reply', clientId: randomUUID(), threadRootId: root.id })
  const gone = await alice.call('message.send', { conversationId: secret.id, text: 'to be deleted', clientId: randomUUID() })
  await alice.call('message.delete', { messageId: gone.id })
  await alice.call('message.edit', { messageId: root.id, text: 'hello **world**' })
  await bob.call('dm.open', { workspaceId: ws.id, userIds: [alice.id] })
  // A stored file (the file store is content-addressed under <data dir>/files).
  const blob = Buffer.from('file contents\n')
  const sha = 'a'.repeat(64)
  await mkdir(join(server.config.dataDir, 'files', 'aa'), { recursive: true })
  await writeFile(join(server.config.dataDir, 'files', 'aa', sha), blob)
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  await sql`insert into files (workspace_id, conversation_id, uploader_id, name, size, mime_type, sha256)
            values (${ws.id}, ${general.id}, ${alice.id}, 'notes.txt', ${blob.length}, 'text/plain', ${sha})`
  const before = await dumpTables(server.databaseUrl)

  const out = join(await tempDir(t, 'ocomms-backup-'), 'b1')
  const b = await run(process.execPath, [mainJs, 'backup', out, '--database-url', server.databaseUrl, '--data-dir', server.config.dataDir])
  t.match(b.stderr, /backed up \d+ tables \(\d+ rows\) and 1 files/)
  const manifest = JSON.parse(b.stdout) as { tables: Array<{ name: string; rows: number }>; migrations: number[] }
  t.ok(manifest.migrations.includes(1), 'the manifest records the schema version')
  t.equal(manifest.tables.find((x) => x.name === 'events')!.rows, before.events!.length)

  const target = await freshDatabase()
  t.teardown(() => target.drop())
  const dataDir = await tempDir(t, 'ocomms-restore-data-')
  const r = await run(process.execPath, [mainJs, 'restore', out, '--database-url', target.url, '--data-dir', dataDir])
  t.match(r.stderr, /restored/)
  t.same(await dumpTables(target.url), before, 'every table, events and seqs included, is identical')
  t.same(await readFile(join(dataDir, 'files', 'aa', sha)), blob, 'the file store came back')
  await t.rejects(
    run(process.execPath, [mainJs, 'restore', out, '--database-url', target.url, '--data-dir', await tempDir(t, 'ocomms-x-')]),
    { stderr: /not empty/ },
    'restoring over a database that has data is refused',
  )

  // A server on the restored database: sessions, history, sync and new seqs carry on.
  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir, databaseUrl: target.url, logLevel: 'silent' })
  const restored = await build({ config, databaseUrl: target.url, logger: pino({ level: 'silent' }) })
  await restored.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => restored.app.close())
  const url = `http://127.0.0.1:${(restored.app.server.address() as { port: number }).port}`
  const me = await callHttp(url, 'auth.me', {}, { token: alice.token })
  t.equal(me.user.id, alice.id, 'existing sessions still work')
  t.same(await callHttp(url, 'message.list', { conversationId: general.id }, { token: bob.token }), await bob.call('message.list', { conversationId: general.id }))
  const syncOld = await alice.call('sync', { conversations: { [general.id]: 0, [secret.id]: 0 }, user: 0 })
  const syncNew = await callHttp(url, 'sync', { conversations: { [general.id]: 0, [secret.id]: 0 }, user: 0 }, { token: alice.token })
  const byStream = (a: { streamId: string }, b: { streamId: string }) => a.streamId.localeCompare(b.streamId)
  t.same(
    { ...syncNew, conversations: [...syncNew.conversations].sort(byStream) },
    { ...syncOld, conversations: [...syncOld.conversations].sort(byStream) },
    'sync from zero returns the same events with the same seqs',
  )
  const next = await callHttp(url, 'message.send', { conversationId: general.id, text: 'after restore', clientId: randomUUID() }, { token: alice.token })
  t.equal(next.seq, syncOld.conversations.find((s) => s.streamId === general.id)!.lastSeq + 1, 'the next seq follows on')
})

t.test('a backup taken while people write is one consistent snapshot', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  let writing = true
  const writer = (async () => {
    let n = 0
    while (writing) await alice.call('message.send', { conversationId: general.id, text: `m${n++}`, clientId: randomUUID() })
    return n
  })()
  await new Promise((r) => setTimeout(r, 300))
  const out = join(await tempDir(t, 'ocomms-backup-'), 'b2')
  const manifest = await backup({ databaseUrl: server.databaseUrl, dataDir: server.config.dataDir, out })
  writing = false
  const written = await writer
  t.ok(written > 0)
  t.equal(manifest.files, 0, 'no file store yet: nothing copied')
  const target = await freshDatabase()
  t.teardown(() => target.drop())
  await restore({ databaseUrl: target.url, dataDir: await tempDir(t, 'ocomms-restore-'), from: out })
  const sql = postgres(target.url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [c] = await sql<{ last_seq: number; events: number; max_seq: number; messages: number }[]>`
    select c.last_seq::int,
           (select count(*)::int from events e where e.stream = 'conversation' and e.stream_id = c.id) as events,
           (select coalesce(max(seq), 0)::int from events e where e.stream = 'conversation' and e.stream_id = c.id) as max_seq,
           (select count(*)::int from messages m where m.conversation_id = c.id) as messages
      from conversations c where c.id = ${general.id}`
  t.equal(c!.max_seq, c!.last_seq, 'the stream head matches its last event')
  t.equal(c!.events, c!.last_seq, 'no event missing')
  t.equal(c!.messages, c!.last_seq - 1, 'and every message of those events is there (seq 1 is the owner joining)')
})
