import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { OCommsError } from '@ocomms/shared'
import { sweepFiles } from '../src/files/sweep.js'
import { startTeam, type Team } from './helpers/team.js'

/** Every blob and temp file under the data dir's files folder. */
async function stored(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'files')
  const out: string[] = []
  for (const dir of await readdir(root).catch(() => [] as string[])) {
    for (const f of await readdir(join(root, dir))) out.push(`${dir}/${f}`)
  }
  return out
}

async function* chunks(total: number, size = 1024) {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent), 0x61)
}

t.test('files', async (t) => {
  const team: Team = await startTeam(t)

  await t.test('upload with a comment posts the message carrying the file; download streams it back', async (t) => {
    const { server, alice, bob, carol, eve, general, secret, upload, download, send } = team
    const live = await server.connect(bob.token)
    const bytes = randomBytes(200_000)
    const clientId = randomUUID()
    const up = await upload(alice, { conversationId: general.id, name: 'report été.pdf', comment: 'the report', clientId }, bytes, { size: bytes.length, contentType: 'application/pdf' })
    t.match(up.file, { name: 'report été.pdf', size: 200_000, mimeType: 'application/pdf' })
    t.match(up.message, { text: 'the report', conversationId: general.id, author: { handle: 'alice' }, files: [up.file] })

    const again = await upload(alice, { conversationId: general.id, name: 'report été.pdf', comment: 'the report', clientId }, bytes)
    t.same(again, up, 'a retried upload returns the original message and file')
    const [{ n }] = await server.services.sql<[{ n: number }]>`select count(*)::int as n from files`
    t.equal(n, 1, 'and stores no second row')

    const created = await live.waitFor((e) => e.type === 'message.created' && (e.data.message as { id: string }).id === up.message!.id)
    t.same((created.data.message as { files: unknown }).files, [up.file], 'the live event carries the file')
    t.same((await bob.call('message.list', { conversationId: general.id })).at(-1)!.files, [up.file], 'history too')

    const info = await bob.call('file.get', { fileId: up.file.id })
    t.match(info, { id: up.file.id, name: 'report été.pdf', size: 200_000, mimeType: 'application/pdf', conversationId: general.id, messageId: up.message!.id, uploader: { handle: 'alice' } })

    const res = await download(bob, up.file.id)
    t.equal(res.headers.get('content-type'), 'application/pdf')
    t.equal(res.headers.get('content-length'), '200000')
    t.equal(res.headers.get('x-content-type-options'), 'nosniff')
    t.match(res.headers.get('content-disposition'), /^attachment; filename="report _t_\.pdf"; filename\*=UTF-8''report%20%C3%A9t%C3%A9\.pdf$/)
    t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), 'the same bytes')
    const anon = await fetch(`${server.url}/api/files/${up.file.id}/content`)
    t.equal(anon.status, 401, 'no session, no bytes')

    // Private channel: invisible to non-members and other workspaces; uploading needs posting rights.
    const inSecret = await upload(alice, { conversationId: secret.id, name: 'plan.txt', clientId: randomUUID() }, Buffer.from('the plan'))
    t.equal(inSecret.file.mimeType, 'text/plain', 'type guessed from the name')
    const secretRes = await download(bob, inSecret.file.id)
    t.equal(secretRes.status, 200)
    await secretRes.arrayBuffer()
    for (const u of [carol, eve]) {
      await t.rejects(download(u, inSecret.file.id), { code: 'not_found' }, `${u.handle} cannot download it`)
      await t.rejects(u.call('file.get', { fileId: inSecret.file.id }), { code: 'not_found' })
      await t.rejects(upload(u, { conversationId: secret.id, name: 'x.txt', clientId: randomUUID() }, Buffer.from('x')), { code: 'not_found' })
    }
    await t.rejects(download(eve, up.file.id), { code: 'not_found' }, 'another workspace cannot download a public channel\'s file')
    const res2 = await fetch(`${server.url}/api/files/${inSecret.file.id}/content`, { headers: { authorization: `Bearer ${carol.token}` } })
    t.equal(res2.status, 404)
    t.match(await res2.json(), { error: { code: 'not_found' } })

    // Deleting the message hides its files.
    await alice.call('message.delete', { messageId: inSecret.message!.id })
    await t.rejects(download(bob, inSecret.file.id), { code: 'not_found' }, 'deleted message: download 404')
    await t.rejects(bob.call('file.get', { fileId: inSecret.file.id }), { code: 'not_found' })
    await t.rejects(download(alice, inSecret.file.id), { code: 'not_found' }, 'even for the uploader')
    t.same((await bob.call('message.get', { messageId: inSecret.message!.id })).files, [])

    // Leaving the channel: the file goes with it.
    const later = await upload(alice, { conversationId: secret.id, name: 'b.bin', clientId: randomUUID() }, Buffer.from([1, 2, 3]))
    t.equal(later.file.mimeType, 'application/octet-stream')
    await bob.call('conversation.leave', { conversationId: secret.id })
    await t.rejects(download(bob, later.file.id), { code: 'not_found' })
    await send(alice, general.id, 'done')
  })

  await t.test('unattached uploads, then message.send with fileIds', async (t) => {
    const { server, alice, bob, general, secret, upload, download } = team
    const a = await upload(alice, { conversationId: general.id }, Buffer.from('# notes\nhello'), { headers: { 'x-file-name': encodeURIComponent('notes ✓.md') } })
    t.equal(a.message, null, 'no clientId, no comment: unattached')
    t.match(a.file, { name: 'notes ✓.md', mimeType: 'text/markdown', size: 13 })
    const b = await upload(alice, { conversationId: general.id, name: 'data.csv' }, Buffer.from('a,b\n1,2\n'))
    t.equal((await alice.call('file.get', { fileId: a.file.id })).messageId, null)
    await t.rejects(bob.call('file.get', { fileId: a.file.id }), { code: 'not_found' }, 'an unattached file is its uploader\'s alone')
    await t.rejects(download(bob, a.file.id), { code: 'not_found' })
    const aRes = await download(alice, a.file.id)
    t.equal(aRes.status, 200)
    await aRes.arrayBuffer()

    await t.rejects(bob.call('message.send', { conversationId: general.id, text: 'mine', clientId: randomUUID(), fileIds: [a.file.id] }), { code: 'not_found' }, 'only your own files')
    await t.rejects(alice.call('message.send', { conversationId: secret.id, text: 'there', clientId: randomUUID(), fileIds: [a.file.id] }), { code: 'not_found' }, 'only files uploaded to that conversation')
    await t.rejects(alice.call('message.send', { conversationId: general.id, text: '', clientId: randomUUID() }), { code: 'invalid_input' }, 'empty text needs a file')
    const m = await alice.call('message.send', { conversationId: general.id, text: '', clientId: randomUUID(), fileIds: [a.file.id, b.file.id] })
    t.same(m.files.map((f) => f.name), ['notes ✓.md', 'data.csv'])
    t.equal(m.text, '')
    await t.rejects(alice.call('message.send', { conversationId: general.id, text: 'again', clientId: randomUUID(), fileIds: [a.file.id] }), { code: 'not_found' }, 'a file attaches once')
    const bRes = await download(bob, b.file.id)
    t.equal(bRes.status, 200, 'attached: readable by the channel')
    await bRes.arrayBuffer()

    const rows = await server.services.sql<{ name: string; text_content: string | null }[]>`
      select name, text_content from files where id in (${a.file.id}, ${b.file.id}) order by created_at`
    t.same(rows, [{ name: 'notes ✓.md', text_content: '# notes\nhello' }, { name: 'data.csv', text_content: 'a,b\n1,2\n' }], 'small text files keep their text for search')

    await t.rejects(upload(alice, { conversationId: general.id }, Buffer.from('x')), { code: 'invalid_input' }, 'a file needs a name')
    const utf8 = await upload(alice, { conversationId: general.id, name: 'README' }, Buffer.from('plain words'))
    t.equal(utf8.file.mimeType, 'text/plain', 'untyped UTF-8 is text')
    const bin = await upload(alice, { conversationId: general.id, name: 'blob' }, Buffer.from([0, 159, 146, 150]))
    t.equal(bin.file.mimeType, 'application/octet-stream')
    const [binRow] = await server.services.sql<{ text_content: string | null }[]>`select text_content from files where id = ${bin.file.id}`
    t.equal(binRow!.text_content, null, 'binary keeps no text')
  })

  await t.test('identical content is stored once', async (t) => {
    const { server, alice, bob, general, dm, upload, download } = team
    const bytes = randomBytes(10_000)
    const before = await stored(server.config.dataDir)
    const one = await upload(alice, { conversationId: general.id, name: 'a.bin', clientId: randomUUID() }, bytes)
    const two = await upload(bob, { conversationId: dm.id, name: 'copy.bin', clientId: randomUUID() }, bytes)
    t.not(one.file.id, two.file.id, 'two files')
    const after = await stored(server.config.dataDir)
    t.equal(after.length, before.length + 1, 'one more blob on disk')
    t.notOk(after.some((f) => f.startsWith('tmp/')), 'no temp files left')
    await alice.call('message.delete', { messageId: one.message!.id })
    t.ok(Buffer.from(await (await download(alice, two.file.id)).arrayBuffer()).equals(bytes), 'the other file still reads')
  })

  await t.test('the size limit: a clear payload_too_large and nothing stored', async (t) => {
    const { server, alice, general, upload } = team
    const before = await stored(server.config.dataDir)
    server.config.fileSizeLimit = 4096
    t.teardown(() => {
      server.config.fileSizeLimit = 100 * 1024 * 1024
    })
    const declared = upload(alice, { conversationId: general.id, name: 'big.bin', clientId: randomUUID() }, Buffer.alloc(5000), { size: 5000 })
    await t.rejects(declared, { code: 'payload_too_large' }, 'refused from its Content-Length')
    const err = (await declared.catch((e: unknown) => e)) as OCommsError
    t.match(err.message, /4 KiB/, 'the sentence says the limit')
    await t.rejects(
      upload(alice, { conversationId: general.id, name: 'streamed.bin', clientId: randomUUID() }, chunks(5000)),
      { code: 'payload_too_large' },
      'refused while streaming when no length was declared',
    )
    // Refused mid-body, the connection is closed after the answer, not left half-read.
    const raw = await fetch(`${server.url}/api/conversations/${general.id}/files?name=raw.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(Readable.from(chunks(64 * 1024))) as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    t.equal(raw.status, 413)
    t.equal(raw.headers.get('connection'), 'close', 'the server closes a connection whose body it did not read')
    await raw.arrayBuffer()
    t.equal((await upload(alice, { conversationId: general.id, name: 'exact.bin' }, chunks(4096))).file.size, 4096, 'exactly the limit is fine')
    const rows = await server.services.sql<{ name: string }[]>`select name from files where name in ('big.bin', 'streamed.bin', 'exact.bin')`
    t.same(rows.map((r) => r.name), ['exact.bin'], 'no row for refused uploads')
    const after = await stored(server.config.dataDir)
    t.equal(after.length, before.length + 1, 'no partial blob, no temp file')
    const carrying = (await alice.call('message.list', { conversationId: general.id })).filter((m) => m.files.some((f) => f.name === 'big.bin' || f.name === 'streamed.bin'))
    t.same(carrying, [], 'and no message')
  })

  await t.test('uploading needs posting rights', async (t) => {
    const { ws, alice, carol, upload } = team
    const news = await alice.call('channel.create', { workspaceId: ws.id, name: 'news' })
    await t.rejects(upload(carol, { conversationId: news.id, name: 'a.txt', clientId: randomUUID() }, Buffer.from('a')), { code: 'forbidden' }, 'join first')
    await alice.call('conversation.archive', { conversationId: news.id })
    await t.rejects(upload(alice, { conversationId: news.id, name: 'a.txt' }, Buffer.from('a')), { code: 'forbidden' }, 'archived')
  })

  await t.test('unattached uploads left for a day are swept, attached ones stay', async (t) => {
    const { server, alice, general, upload, download } = team
    const content = randomBytes(1000)
    const left = await upload(alice, { conversationId: general.id, name: 'forgotten.bin' }, content)
    const kept = await upload(alice, { conversationId: general.id, name: 'kept.bin', clientId: randomUUID() }, randomBytes(1000))
    const fresh = await upload(alice, { conversationId: general.id, name: 'fresh.bin' }, randomBytes(1000))
    const before = await stored(server.config.dataDir)
    await server.services.sql`update files set created_at = now() - interval '25 hours' where id in (${left.file.id}, ${kept.file.id})`
    t.equal(await sweepFiles(server.services), 1, 'one unattached file older than a day')
    await t.rejects(alice.call('file.get', { fileId: left.file.id }), { code: 'not_found' })
    t.equal((await stored(server.config.dataDir)).length, before.length - 1, 'and its blob')
    const keptRes = await download(alice, kept.file.id)
    t.equal(keptRes.status, 200, 'an attached file stays, whatever its age')
    await keptRes.arrayBuffer()
    const freshRes = await download(alice, fresh.file.id)
    t.equal(freshRes.status, 200, 'a fresh upload stays')
    await freshRes.arrayBuffer()
  })
})
