import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { freshDatabase } from '../../server/test/helpers/database.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { runOcomms } from './helpers/cli.js'

/** Every public table's rows as text, sorted: two databases are identical when these are. */
async function dump(url: string): Promise<Record<string, string[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const tables = await sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' order by 1`
    const out: Record<string, string[]> = {}
    for (const { tablename } of tables) {
      if (tablename === 'migrations') continue
      const rows = await sql.unsafe(`select t::text as r from "${tablename}" t order by 1`)
      out[tablename] = rows.map((r) => r.r as string)
    }
    return out
  } finally {
    await sql.end()
  }
}

async function temp(t: { teardown(fn: () => unknown): void }, prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

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
  const before = await dump(server.databaseUrl)
  const home = await temp(t, 'ocomms-cli-home-')

  const out = join(await temp(t, 'ocomms-cli-backup-'), 'b1')
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
  const dataDir = await temp(t, 'ocomms-cli-restore-data-')
  const restoreStart = Date.now()
  const r = await runOcomms(home, ['server', 'restore', out, '--database-url', target.url, '--data-dir', dataDir], { timeoutMs: 120_000 })
  t.equal(r.code, 0, `restore exits 0 in ${Date.now() - restoreStart} ms (${r.stderr})`)
  t.match(r.stderr, /restored \d+ tables/)
  t.same(await dump(target.url), before, 'every table, events and seqs included, is identical')
  t.same(await readFile(join(dataDir, 'files', 'bb', sha)), blob, 'the file store came back')

  const missing = await runOcomms(home, ['server', 'restore'], {})
  t.equal(missing.code, 2, 'a missing directory is a usage error')
})
