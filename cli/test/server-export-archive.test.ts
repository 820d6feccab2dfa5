import t from 'tap'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import yazl from 'yazl'
import { tempDir } from '../../server/test/helpers/temp-dir.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { runOcomms } from './helpers/cli.js'

t.test('ocomms server export to a .tar.gz, import from it; import --slack prints what it skipped', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('ana', 'ben')
  const general = await people[0].call('channel.find', { workspaceId: ws.id, name: 'general' })
  await people[0].call('message.send', { conversationId: general.id, text: 'packed', clientId: randomUUID() })
  const home = await tempDir(t, 'ocomms-cli-home-')
  const dir = await tempDir(t, 'ocomms-archive-')
  const file = join(dir, 'acme.tar.gz')
  const db = ['--database-url', server.databaseUrl, '--data-dir', server.config.dataDir]
  const e = await runOcomms(home, ['--json', 'server', 'export', '--workspace', ws.slug, file, ...db], { timeoutMs: 60_000 })
  t.equal(e.code, 0, e.stderr)
  const i = await runOcomms(home, ['--json', 'server', 'import', file, '--workspace', 'acme-two', ...db], { timeoutMs: 60_000 })
  t.equal(i.code, 0, i.stderr)
  t.match(JSON.parse(i.stdout), { workspace: { slug: 'acme-two' }, matchedPeople: 2, added: { messages: 1 } })
  t.same(await readdir(dir), ['acme.tar.gz'], 'no temporary folder is left behind')
  t.equal((await stat(file)).mode & 0o777, 0o600, 'the archive is its owner\'s alone')

  const zip = new yazl.ZipFile()
  zip.addBuffer(Buffer.from(JSON.stringify([{ id: 'U1', name: 'ana', profile: { email: people[0].email } }])), 'users.json')
  zip.addBuffer(Buffer.from(JSON.stringify([{ id: 'C1', name: 'general', members: ['U1'] }])), 'channels.json')
  zip.addBuffer(
    Buffer.from(JSON.stringify([{ type: 'message', ts: '1704100000.000100', user: 'U1', text: 'from slack' }, { type: 'message', subtype: 'channel_join', ts: '1704100001.000000', user: 'U1' }])),
    'general/2024-01-01.json',
  )
  zip.end()
  const zipPath = join(dir, 'slack.zip')
  const out = createWriteStream(zipPath)
  zip.outputStream.pipe(out)
  await once(out, 'close')
  const s = await runOcomms(home, ['server', 'import', '--slack', zipPath, '--workspace', 'from-slack', ...db], { timeoutMs: 60_000 })
  t.equal(s.code, 0, s.stderr)
  t.match(s.stderr, /imported from Slack into from-slack: .*1 messages/)
  t.match(s.stderr, /skipped:\n {2}1 system messages \(channel_join\)/)
  const usage = await runOcomms(home, ['server', 'import', '--slack', zipPath, ...db], {})
  t.equal(usage.code, 2, '--slack without --workspace is a usage error')
})
