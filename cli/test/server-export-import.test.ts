import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exportWorkspace } from '../../server/src/data-transfer/export.js'
import { importWorkspace, remapId } from '../../server/src/data-transfer/import.js'
import { KINDS, kindFile } from '../../server/src/data-transfer/format.js'
import { tempDir } from '../../server/test/helpers/temp-dir.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { startTeam } from '../../server/test/helpers/team.js'
import { person, runOcomms, until } from './helpers/cli.js'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/** An export's records per kind, with ids passed through `map` and id lists sorted, as sorted lines. */
async function canonical(dir: string, map: (id: string) => string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const kind of KINDS) {
    const lines = (await readFile(join(dir, kindFile(kind)), 'utf8')).split('\n').filter(Boolean)
    out[kind] = lines
      .map((line) => {
        const record = JSON.parse(line.replace(UUID, (id) => map(id))) as Record<string, unknown>
        for (const [k, v] of Object.entries(record)) if (Array.isArray(v)) record[k] = [...(v as string[])].sort()
        return JSON.stringify(record)
      })
      .sort()
  }
  return out
}

t.test('export a full workspace, import it into a fresh server, export again: equal; its people read the same history', async (t) => {
  const { server, ws, alice, bob, carol, general, secret, dm, send, upload } = await startTeam(t)
  // Every kind of content.
  await alice.call('conversation.update', { conversationId: general.id, topic: 'the topic', description: 'what #general is for' })
  const root = await send(alice, general.id, 'hello *world* with <html> & "quotes" 🎉')
  const reply = await bob.call('message.send', { conversationId: general.id, text: 'a reply in the thread', clientId: randomUUID(), threadRootId: root.id })
  await carol.call('message.send', { conversationId: general.id, text: 'also in the channel', clientId: randomUUID(), threadRootId: root.id, alsoToChannel: true })
  await alice.call('message.edit', { messageId: root.id, text: 'hello **world**, edited' })
  const doomed = await send(bob, general.id, 'to be deleted')
  await bob.call('message.delete', { messageId: doomed.id })
  await bob.call('reaction.add', { messageId: root.id, emoji: '👍' })
  await carol.call('reaction.add', { messageId: root.id, emoji: '👍' })
  await carol.call('reaction.add', { messageId: reply.id, emoji: '🎉' })
  await bob.call('pin.add', { messageId: root.id })
  await send(bob, secret.id, 'a private plan')
  await send(alice, dm.id, 'just us')
  const group = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id, carol.id] })
  await send(carol, group.id, 'the three of us')
  const body = Buffer.from('the file body\n')
  await upload(alice, { conversationId: general.id, name: 'notes.txt', comment: 'the notes', clientId: randomUUID() }, body)
  await bob.call('saved.add', { messageId: root.id })
  await bob.call('draft.set', { conversationId: general.id, text: 'half a thought' })
  await bob.call('dnd.snooze', { minutes: 30 })
  await bob.call('keywords.add', { word: 'deploy' })
  await bob.call('notify.set', { conversationId: secret.id, muted: true })
  await carol.call('thread.follow', { messageId: root.id })
  const old = await alice.call('channel.create', { workspaceId: ws.id, name: 'old-stuff', topic: 'gone' })
  await alice.call('conversation.archive', { conversationId: old.id })

  const home = await tempDir(t, 'ocomms-cli-home-')
  const dirs = await tempDir(t, 'ocomms-export-')
  const first = join(dirs, 'first')
  const started = Date.now()
  const e = await runOcomms(home, ['--json', 'server', 'export', '--workspace', ws.slug, first, '--database-url', server.databaseUrl, '--data-dir', server.config.dataDir], { timeoutMs: 60_000 })
  t.equal(e.code, 0, `export exits 0 in ${Date.now() - started} ms (${e.stderr})`)
  t.match(e.stderr, /exported acme: .*messages.* and 1 file bodies/)
  const manifest = JSON.parse(e.stdout) as { format: string; counts: Record<string, number>; blobs: number }
  t.match(manifest, { format: 'ocomms-export', version: 1, counts: { members: 3, messages: 8, reactions: 3, pins: 1, files: 1, saved: 1, drafts: 1 }, blobs: 1 })
  t.notMatch(e.stderr, /\r/, 'no progress line when stderr is not a terminal')

  // A fresh server: a new database and data dir; the import needs nothing else.
  const target = await startTestServer(t)
  const i = await runOcomms(home, ['--json', 'server', 'import', first, '--database-url', target.databaseUrl, '--data-dir', target.config.dataDir], { timeoutMs: 60_000 })
  t.equal(i.code, 0, `import exits 0 (${i.stderr})`)
  const summary = JSON.parse(i.stdout) as { workspace: { id: string; slug: string }; added: Record<string, number>; matchedPeople: number }
  t.match(summary, { workspace: { slug: 'acme' }, added: { workspace: 1, members: 3, messages: 8, files: 1 }, matchedPeople: 0 })
  const again = await importWorkspace({ databaseUrl: target.databaseUrl, dataDir: target.config.dataDir, from: first })
  t.ok(Object.values(again.added).every((n) => n === 0), 'the same import again adds nothing')

  const second = join(dirs, 'second')
  t.equal((await runOcomms(home, ['server', 'export', '--workspace', 'acme', second, '--database-url', target.databaseUrl, '--data-dir', target.config.dataDir], { timeoutMs: 60_000 })).code, 0)
  const newWs = summary.workspace.id
  const a = await canonical(first, (id) => (id === ws.id ? newWs : remapId(newWs, id)))
  const b = await canonical(second, (id) => id)
  for (const kind of KINDS) t.same(b[kind], a[kind], `${kind}: the second export equals the first after id mapping`)
  t.same(await readdir(join(second, 'files')), await readdir(join(first, 'files')), 'the same file bodies')

  // A member of the imported workspace signs in (magic link: imported people have no password) and reads it through the CLI.
  const reader = await person(t, 'bob')
  t.equal((await reader.run(['login', '--server', target.url, '--email', bob.email, '--magic-link'])).code, 0)
  const mail = await until(async () => (await target.mails()).find((m) => m.to === bob.email))
  const link = /(http\S+magic-link#token=\S+)/.exec(mail.text)![1]!
  t.equal((await reader.run(['login', '--link', link])).code, 0)
  type Msg = { text: string; seq: number; replyCount: number; pinned: boolean; editedAt: string | null; reactions: Array<{ emoji: string; count: number }>; files: Array<{ name: string }> }
  const strip = (ms: Msg[]) => ms.map((m) => ({ text: m.text, seq: m.seq, replyCount: m.replyCount, pinned: m.pinned, edited: Boolean(m.editedAt), reactions: m.reactions.map((r) => [r.emoji, r.count]), files: m.files.map((f) => f.name) }))
  const history = await reader.json<Msg[]>(['read', '#general'])
  const original = await bob.call('message.list', { conversationId: general.id })
  t.same(strip(history), strip(original as never), 'the same history, edits, reactions, pins and files')
  const thread = await reader.json<Msg[]>(['read', '#general', '--thread', '#general/' + root.seq])
  t.same(thread.map((m) => m.text), ['hello **world**, edited', 'a reply in the thread', 'also in the channel'], 'the thread')
  t.same((await reader.json<Msg[]>(['pins', '#general'])).map((m) => m.text), ['hello **world**, edited'], 'the pins')
  t.same((await reader.json<Msg[]>(['read', '#secret'])).map((m) => m.text), ['a private plan'], 'the private channel')
  t.same((await reader.json<Msg[]>(['saved'])).map((m) => m.text), ['hello **world**, edited'], 'saved items')
  t.match(await reader.json(['drafts']), [{ text: 'half a thought' }], 'drafts')
  t.match(await reader.json(['dnd', 'status']), { active: true }, 'DND snooze')
  const c = await person(t, 'carol')
  t.equal((await c.run(['--json', 'read', '#secret'])).code, 1, 'carol still cannot read the private channel')

  // Next to other workspaces: back into the first server under a new slug, people matched by email.
  const beside = await runOcomms(home, ['--json', 'server', 'import', first, '--workspace', 'acme-copy', '--database-url', server.databaseUrl, '--data-dir', server.config.dataDir], { timeoutMs: 60_000 })
  t.equal(beside.code, 0, beside.stderr)
  t.match(JSON.parse(beside.stdout), { workspace: { slug: 'acme-copy' }, matchedPeople: 3, added: { members: 3, messages: 8 } })
  t.ok((await alice.call('workspace.list', {})).some((w) => w.slug === 'acme-copy'), 'alice (matched by email) is in the copy')
  const log = await alice.call('audit.list', { workspaceId: ws.id })
  t.match(log[0], { action: 'workspace.exported', actor: null }, 'exports are in the audit log')

  // The default slug is taken by the original: refused, nothing changed.
  await t.rejects(importWorkspace({ databaseUrl: server.databaseUrl, dataDir: server.config.dataDir, from: first }), { code: 'conflict', message: /already exists/ })

  // A damaged export: a bad line in the middle of messages refuses the whole import.
  const broken = join(dirs, 'broken')
  await exportWorkspace({ databaseUrl: server.databaseUrl, dataDir: server.config.dataDir, workspace: ws.slug, out: broken })
  const lines = (await readFile(join(broken, 'messages.jsonl'), 'utf8')).split('\n')
  lines.splice(3, 0, '{not json')
  await writeFile(join(broken, 'messages.jsonl'), lines.join('\n'))
  const fresh = await startTestServer(t)
  await t.rejects(importWorkspace({ databaseUrl: fresh.databaseUrl, dataDir: fresh.config.dataDir, from: broken }), {
    code: 'invalid_input',
    message: 'messages.jsonl line 4 is not valid JSON',
  })
  const [{ n }] = await fresh.services.sql<{ n: number }[]>`select count(*)::int as n from workspaces`
  t.equal(n, 0, 'nothing was imported')
})
