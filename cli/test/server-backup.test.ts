import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dumpTables, freshDatabase } from '../../server/test/helpers/database.js'
import { tempDir } from '../../server/test/helpers/temp-dir.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { runOcomms } from './helpers/cli.js'

t.test('ocomms server backup, then ocomms server restore into an empty database: identical data and files', async (t) => {
  const server = await startTestServer(t)
  const [alice, bob] = [await server.signup('alice'), await server.signup('bob')]
  const ws = await server.workspace(alice)
  await server.join(ws, alice, bob)
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const root = await alice.call('message.send', { conversationId: general.id, text: 'hello *world*', clientId: randomUUID() })
  await bob.call('message.send', { conversationId: general.id, text: 'a reply', clientId: randomUUID(), threadRootId: root.id })
  await alice.call('message.edit', { messageId: root.id, text: 'hello **world**' })
  const blob = Buffer.from('file contents\n')
  const sha = 'b'.repeat(64)
  await mkdir(join(server.config.dataDir, 'files', 'bb'), { recursive: true })
  await writeFile(join(server.config.dataDir, 'files', 'bb', sha), blob)
  const before = await dumpTables(server.databaseUrl)
  const home = await tempDir(t, 'ocomms-cli-home-')

  const out = join(await tempDir(t, 'ocomms-cli-backup-'), 'b1')
  const b = await runOcomms(home, ['--json', 'server', 'backup', out, '--database-url', server.databaseUrl, '--data-dir', server.config.dataDir], { timeoutMs: 120_000 })
  t.equal(b.code, 0, `backup exits 0 (${b.stderr})`)
  t.match(b.stderr, /backed up \d+ tables \(\d+ rows\) and 1 files/)
  const manifest = JSON.parse(b.stdout) as { format: string; tables: Array<{ name: string; rows: number }> }
  t.equal(manifest.format, 'ocomms-backup')
  t.equal(manifest.tables.find((x) => x.name === 'messages')!.rows, before.messages!.length, 'the manifest counts the messages')

  const again = await runOcomms(home, ['server', 'backup', out, '--database-url', server.databaseUrl, '--data-dir', server.config.dataDir], { timeoutMs: 120_000 })
  t.not(again.code, 0, 'a backup never overwrites a non-empty directory')

  const target = await freshDatabase()
  t.teardown(() => target.drop())
  const dataDir = await tempDir(t, 'ocomms-cli-restore-data-')
  const restoreStart = Date.now()
  const r = await runOcomms(home, ['server', 'restore', out, '--database-url', target.url, '--data-dir', dataDir], { timeoutMs: 120_000 })
  t.equal(r.code, 0, `restore exits 0 in ${Date.now() - restoreStart} ms (${r.stderr})`)
  t.match(r.stderr, /restored \d+ tables/)
  t.same(await dumpTables(target.url), before, 'every table, events and seqs included, is identical')
  t.same(await readFile(join(dataDir, 'files', 'bb', sha)), blob, 'the file store came back')

  const missing = await runOcomms(home, ['server', 'restore'], {})
  t.equal(missing.code, 2, 'a missing directory is a usage error')
})
