import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callHttp, callSocket, downloadHttp, operations, OCommsError, uploadHttp, type CallInput, type ErrorCode, type OperationName } from '@ocomms/shared'
import { fixtures, type Ctx, type Fixture } from './helpers/operation-fixtures.js'
import { startTestServer, type TestUser } from './helpers/server.js'
import { buildWorld, refusedPeople, snapshot, storedBlobs, type Person, type Refused, type TargetKind, type World } from './helpers/world.js'

/**
 * Every operation × REST and socket × every kind of caller who must be refused, then the
 * allowed callers, then what sync and live delivery show each of them. See helpers/world.ts
 * for who is who and helpers/operation-fixtures.ts for how each operation is called.
 */

type Outcome = { ok: true; data: unknown } | { ok: false; code: string; message: string }
type Transport = 'rest' | 'socket'
const names = Object.keys(operations) as OperationName[]
let counter = 0

async function attempt(w: World, who: Person | 'anonymous' | TestUser, transport: Transport, name: OperationName, input: unknown): Promise<Outcome> {
  const user = typeof who === 'string' ? (who === 'anonymous' ? null : w.users[who]) : who
  try {
    if (transport === 'rest') {
      return { ok: true, data: await callHttp(w.server.url, name, input as CallInput<typeof name>, { token: user?.token ?? null }) }
    }
    if (!user) throw new Error('anonymous sockets cannot connect')
    const own = typeof who === 'string' ? w.sockets[who as Person] : await w.server.connect(user.token)
    try {
      if (!own.socket.connected) return { ok: false, code: 'socket disconnected', message: '' }
      return { ok: true, data: await callSocket(own.socket.timeout(10_000), name, input as CallInput<typeof name>) }
    } finally {
      if (own !== w.sockets[who as Person]) own.close()
    }
  } catch (err) {
    if (err instanceof OCommsError) return { ok: false, code: err.code, message: err.message }
    return { ok: false, code: `thrown: ${String(err)}`, message: '' }
  }
}

const shown = (o: Outcome) => (o.ok ? 'ok' : o.code)

function expectedRefusal(f: Fixture<OperationName>, kind: TargetKind | null, who: Refused): ErrorCode | 'skip' {
  const override = f.refused?.[who]
  if (override) return override
  if (f.scope === 'public') return 'skip'
  if (who === 'anonymous') return 'unauthenticated'
  const readsPublic = who === 'outsider' || who === 'kicked'
  switch (f.scope) {
    case 'public':
    case 'self':
      return 'skip'
    case 'workspace':
      return readsPublic ? 'skip' : 'not_found'
    case 'conversation':
      return kind === 'public' && readsPublic ? 'skip' : 'not_found'
  }
}

t.test('every operation has exactly one fixture entry, and every entry an operation', async (t) => {
  const missing = names.filter((n) => !Object.hasOwn(fixtures, n))
  t.same(missing, [], 'add an entry to server/test/helpers/operation-fixtures.ts for each new operation')
  const stale = Object.keys(fixtures).filter((n) => !Object.hasOwn(operations, n))
  t.same(stale, [], 'entries for operations that no longer exist')
})

t.test('authorization matrix', async (t) => {
  const server = await startTestServer(t)
  const w = await buildWorld(server, t)
  const P = w.targets.private.conversationId
  const DM = w.targets.dm.conversationId

  t.match(await server.connectError({}), { code: 'unauthenticated' }, 'an anonymous socket cannot even connect, so it can call nothing')

  await t.test('refused: every operation, both transports, every caller who may not', async (t) => {
    for (const name of names) {
      const f = fixtures[name] as Fixture<OperationName> | undefined
      if (!f) continue
      const kinds: Array<TargetKind | null> = f.scope === 'conversation' ? (f.targets ?? ['private', 'dm', 'public']) : [null]
      for (const kind of kinds) {
        const target = w.targets[kind ?? 'private']
        const before = await snapshot(w.sql)
        let tried = 0
        for (const who of ['anonymous', ...refusedPeople] as Refused[]) {
          const want = expectedRefusal(f, kind, who)
          if (want === 'skip') continue
          for (const transport of ['rest', 'socket'] as const) {
            if (who === 'anonymous' && transport === 'socket') continue
            const ctx: Ctx = { w, as: who, target, n: ++counter, extra: {} }
            const out = await attempt(w, who, transport, name, f.input(ctx))
            tried++
            t.equal(shown(out), want, `${name}${kind ? ` on the ${kind} conversation` : ''} as ${who} over ${transport}`)
          }
        }
        if (tried > 0) t.same(await snapshot(w.sql), before, `${name}${kind ? ` on ${kind}` : ''}: refused calls changed nothing`)
      }
    }
  })

  await t.test('sync: unreadable streams come back in gone, with none of their events', async (t) => {
    const GENERAL = w.targets.public.conversationId
    for (const who of refusedPeople) {
      const res = await w.users[who].call('sync', { conversations: { [P]: 0, [DM]: 0, [GENERAL]: 0 }, workspaces: { [w.ws.id]: 0 }, user: 0 })
      const readsPublic = who === 'outsider' || who === 'kicked'
      const gone = readsPublic ? [P, DM] : [P, DM, GENERAL, w.ws.id]
      t.same([...res.gone].sort(), [...gone].sort(), `${who}: gone`)
      t.same(res.conversations.map((s) => s.streamId), readsPublic ? [GENERAL] : [], `${who}: only readable conversation streams`)
      t.same(res.workspaces.map((s) => s.streamId), readsPublic ? [w.ws.id] : [], `${who}: workspace stream`)
      t.notOk(P in res.heads || DM in res.heads, `${who}: no heads of the private channel or DM`)
      const convEvents = [...res.conversations, ...res.workspaces, res.user].flatMap((s) => s.events)
      t.notOk(convEvents.some((e) => e.stream === 'conversation' && (e.streamId === P || e.streamId === DM)), `${who}: no events of their streams`)
      if (who === 'stranger' || who === 'outsider') {
        // They never were in either: nothing they receive may even name them.
        const { gone: _echo, ...rest } = res
        const text = JSON.stringify(rest)
        t.notOk(text.includes(P) || text.includes(DM), `${who}: the answer never mentions the private channel or the DM`)
      }
    }
  })

  await t.test('allowed: owner, admin and member get the right answers', async (t) => {
    for (const name of names) {
      const f = fixtures[name] as Fixture<OperationName> | undefined
      if (!f) continue
      const callers: Array<['owner' | 'admin' | 'member' | 'anonymous', Transport]> =
        f.scope === 'public'
          ? [['anonymous', 'rest'], ['owner', 'socket']]
          : (['owner', 'admin', 'member'] as const).flatMap((r) => [[r, 'rest'], [r, 'socket']] as Array<['owner' | 'admin' | 'member', Transport]>)
      for (const [role, transport] of callers) {
        const prepared = (role !== 'anonymous' || f.scope === 'public') && f.allowed?.setup ? await f.allowed.setup(w, role === 'anonymous' ? 'member' : role, ++counter) : {}
        const ctx: Ctx = { w, as: role, target: { ...w.targets.private, ...prepared.target }, n: ++counter, extra: prepared.extra ?? {} }
        const out = await attempt(w, prepared.caller ?? role, transport, name, f.input(ctx))
        const want = f.socketOnly && transport === 'rest' ? 'invalid_input' : ((role === 'anonymous' ? 'ok' : f.allowed?.expect?.[role]) ?? 'ok')
        t.equal(shown(out), want, `${name} as ${role} over ${transport}${out.ok ? '' : `: ${out.message}`}`)
        if (out.ok && f.allowed?.check) t.equal(f.allowed.check(out.data as never, ctx), null, `${name} as ${role}: answer`)
      }
    }
  })

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
          const ctx: Ctx = { w, as: who, target: PT, n: ++counter, extra: {} }
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

  await t.test('live delivery: no event of the private channel or DM reaches anyone outside them', async (t) => {
    await w.users.owner.call('message.send', { conversationId: DM, text: 'in the DM', clientId: `dm-${counter}` })
    await w.users.member.call('message.send', { conversationId: P, text: 'last one', clientId: `last-${counter}` })
    await w.sockets.member.waitFor((e) => e.type === 'message.created' && e.conversationId === P && (e.data.message as { text: string }).text === 'last one')
    await new Promise((r) => setTimeout(r, 200))
    t.ok(w.sockets.member.events.some((e) => e.conversationId === DM), 'members did receive the DM\'s events (the check below is not vacuous)')
    for (const who of refusedPeople) {
      const seen = w.sockets[who].events
      t.notOk(seen.some((e) => e.conversationId === P || e.conversationId === DM || e.streamId === P || e.streamId === DM), `${who} heard nothing of them`)
      if (who === 'stranger' || who === 'leaver' || who === 'deactivated') {
        t.notOk(seen.some((e) => e.workspaceId === w.ws.id || e.streamId === w.ws.id), `${who} heard nothing of the workspace`)
      }
    }
  })
})
