import { callHttp, callSocket, OCommsError, type CallInput, type ErrorCode, type OperationName } from '@ocomms/shared'
import { fixtures, type Ctx, type Fixture } from './operation-fixtures.js'
import type { TestUser } from './server.js'
import { refusedPeople, snapshot, type Person, type Refused, type TargetKind, type World } from './world.js'

/**
 * The authorization matrix's machinery, shared by the test files that run it over a part of the
 * operations each (server/test/authorization-matrix*.test.ts): one file would run for minutes.
 */

interface T {
  equal(found: unknown, wanted: unknown, message?: string): unknown
  same(found: unknown, wanted: unknown, message?: string): unknown
}

export type Outcome = { ok: true; data: unknown } | { ok: false; code: string; message: string }
export type Transport = 'rest' | 'socket'
let counter = 0
/** Unique per call, for names that must not clash. */
export const nextN = () => ++counter

export async function attempt(w: World, who: Person | 'anonymous' | TestUser, transport: Transport, name: OperationName, input: unknown): Promise<Outcome> {
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

export const shown = (o: Outcome) => (o.ok ? 'ok' : o.code)

export function expectedRefusal(f: Fixture<OperationName>, kind: TargetKind | null, who: Refused): ErrorCode | 'skip' {
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


/** Every operation in `names`, both transports, every caller who must be refused: refused, and nothing changed. */
export async function refusedMatrix(t: T, w: World, names: OperationName[]): Promise<void> {
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
          const ctx: Ctx = { w, as: who, target, n: nextN(), extra: {} }
          const out = await attempt(w, who, transport, name, f.input(ctx))
          tried++
          t.equal(shown(out), want, `${name}${kind ? ` on the ${kind} conversation` : ''} as ${who} over ${transport}`)
        }
      }
      if (tried > 0) t.same(await snapshot(w.sql), before, `${name}${kind ? ` on ${kind}` : ''}: refused calls changed nothing`)
    }
  }
}

/** Owner, admin and member calling every operation in `names` get the right answers. */
export async function allowedMatrix(t: T, w: World, names: OperationName[]): Promise<void> {
  for (const name of names) {
    const f = fixtures[name] as Fixture<OperationName> | undefined
    if (!f) continue
    const callers: Array<['owner' | 'admin' | 'member' | 'anonymous', Transport]> =
      f.scope === 'public'
        ? [['anonymous', 'rest'], ['owner', 'socket']]
        : (['owner', 'admin', 'member'] as const).flatMap((r) => [[r, 'rest'], [r, 'socket']] as Array<['owner' | 'admin' | 'member', Transport]>)
    for (const [role, transport] of callers) {
      const prepared = (role !== 'anonymous' || f.scope === 'public') && f.allowed?.setup ? await f.allowed.setup(w, role === 'anonymous' ? 'member' : role, nextN()) : {}
      const ctx: Ctx = { w, as: role, target: { ...w.targets.private, ...prepared.target }, n: nextN(), extra: prepared.extra ?? {} }
      const out = await attempt(w, prepared.caller ?? role, transport, name, f.input(ctx))
      const want = f.socketOnly && transport === 'rest' ? 'invalid_input' : ((role === 'anonymous' ? 'ok' : f.allowed?.expect?.[role]) ?? 'ok')
      t.equal(shown(out), want, `${name} as ${role} over ${transport}${out.ok ? '' : `: ${out.message}`}`)
      if (out.ok && f.allowed?.check) t.equal(f.allowed.check(out.data as never, ctx), null, `${name} as ${role}: answer`)
    }
  }
}
