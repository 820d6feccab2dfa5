import t from 'tap'
import { randomUUID } from 'node:crypto'
import { downloadHttp, OCommsError, operations, uploadHttp, type OperationName } from '@ocomms/shared'
import { allowedMatrix, attempt, expectedRefusal, nextN, refusedMatrix, shown } from './helpers/matrix.js'
import { contentOperations } from './helpers/matrix-split.js'
import { fixtures, type Ctx, type Fixture } from './helpers/operation-fixtures.js'
import { startTestServer } from './helpers/server.js'
import { buildWorld, refusedPeople, snapshot, storedBlobs, type Refused } from './helpers/world.js'

/**
 * The authorization matrix (see authorization-matrix.test.ts) for reactions, pins, saved items,
 * files, attention and search; what per-user reads show people outside the private channel and
 * the DM; and the file byte transfers.
 */

const names = (Object.keys(operations) as OperationName[]).filter(contentOperations)

t.test('authorization matrix: content, attention, search', async (t) => {
  const server = await startTestServer(t)
  const w = await buildWorld(server, t)
  const P = w.targets.private.conversationId
  const DM = w.targets.dm.conversationId

  await t.test('refused: every operation, both transports, every caller who may not', (t) => refusedMatrix(t, w, names))

  await t.test('allowed: owner, admin and member get the right answers', (t) => allowedMatrix(t, w, names))

  await t.test('personal reads: whoever gets an answer gets nothing of the private channel or the DM unless in them', async (t) => {
    const PT = w.targets.private
    const DT = w.targets.dm
    // Ids only the private channel's and the DM's members may ever be shown.
    const secrets = [P, DM, PT.rootId, PT.replyId, PT.fileId, DT.rootId, DT.replyId, DT.fileId, ...Object.values(PT.messageBy), ...Object.values(DT.messageBy)]
    for (const name of names) {
      const f = fixtures[name] as Fixture<OperationName> | undefined
      if (!f?.reads) continue
      let tried = 0
      for (const who of refusedPeople) {
        if (expectedRefusal(f, null, who) !== 'skip') continue
        for (const transport of ['rest', 'socket'] as const) {
          const ctx: Ctx = { w, as: who, target: PT, n: nextN(), extra: {} }
          const out = await attempt(w, who, transport, name, f.input(ctx))
          tried++
          t.equal(shown(out), 'ok', `${name} as ${who} over ${transport} answers`)
          const text = JSON.stringify(out.ok ? out.data : null)
          t.same(secrets.filter((id) => text.includes(id)), [], `${name} as ${who} over ${transport}: nothing of the private channel or DM`)
          if (name === 'keywords.get' && who !== 'stranger') t.notOk(text.includes(w.strangerKeyword), `${name} as ${who}: not the stranger's keyword`)
        }
      }
      t.ok(tried > 0, `${name} was tried by someone outside`)
    }
  })

  await t.test('file transfers: refused callers can neither upload into nor download from the private channel or DM', async (t) => {
    for (const kind of ['private', 'dm'] as const) {
      const target = w.targets[kind]
      const before = await snapshot(w.sql)
      const blobs = await storedBlobs(server)
      for (const who of ['anonymous', ...refusedPeople] as Refused[]) {
        const token = who === 'anonymous' ? null : w.users[who].token
        const want = who === 'anonymous' ? 'unauthenticated' : 'not_found'
        for (const posting of [true, false]) {
          const input = { conversationId: target.conversationId, name: `${who}.txt`, ...(posting ? { clientId: randomUUID(), comment: 'sneaking in' } : {}) }
          const up = await uploadHttp(server.url, input, Buffer.from(`bytes from ${who}`), { token }).then(() => 'ok', (err: unknown) => (err instanceof OCommsError ? err.code : String(err)))
          t.equal(up, want, `file.upload into the ${kind} conversation as ${who}${posting ? ' with a message' : ''}`)
        }
        const down = await downloadHttp(server.url, { fileId: target.fileId }, { token }).then(
          async (res) => `ok: ${await res.text()}`,
          (err: unknown) => (err instanceof OCommsError ? err.code : String(err)),
        )
        t.equal(down, want, `file.download of the ${kind} conversation's file as ${who}`)
      }
      t.same(await snapshot(w.sql), before, `${kind}: refused transfers changed nothing in the database`)
      t.equal(await storedBlobs(server), blobs, `${kind}: refused uploads left no bytes on disk`)
      for (const role of ['owner', 'admin', 'member'] as const) {
        const res = await downloadHttp(server.url, { fileId: target.fileId }, { token: w.users[role].token })
        t.equal(await res.text(), `the plan in ${kind}`, `${role} downloads the ${kind} conversation's file`)
      }
      const up = await uploadHttp(server.url, { conversationId: target.conversationId, name: 'ok.txt' }, Buffer.from('fine'), { token: w.users.admin.token })
      t.equal(up.file.name, 'ok.txt', `admin uploads into the ${kind} conversation`)
    }
  })
})
