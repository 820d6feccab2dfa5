import t from 'tap'
import { callHttp, callSocket, operations, OCommsError, type CallInput, type ErrorCode, type OperationName } from '@ocomms/shared'
import { fixtures, type Ctx, type Fixture } from './helpers/operation-fixtures.js'
import { startTestServer, type TestUser } from './helpers/server.js'
import { buildWorld, refusedPeople, snapshot, type Person, type Refused, type TargetKind, type World } from './helpers/world.js'

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
        const want = (role === 'anonymous' ? 'ok' : f.allowed?.expect?.[role]) ?? 'ok'
        t.equal(shown(out), want, `${name} as ${role} over ${transport}${out.ok ? '' : `: ${out.message}`}`)
        if (out.ok && f.allowed?.check) t.equal(f.allowed.check(out.data as never, ctx), null, `${name} as ${role}: answer`)
      }
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
