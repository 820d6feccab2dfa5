import t from 'tap'
import postgres from 'postgres'
import { endExpiredSessions } from '../src/auth/sessions.js'
import { startTestServer, type TestServer } from './helpers/server.js'

const PASSWORD = 'correct horse battery staple'

const until = async <T>(f: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const v = await f()
    if (v) return v
  }
  throw new Error('timed out')
}

/** Asks for a sign-in link and returns its token once the mail is written. */
async function mailedLink(server: TestServer, email: string): Promise<string> {
  const before = (await server.mails()).length
  await server.call('auth.magicLink.request', { email })
  return until(async () => {
    const mails = await server.mails()
    return mails.length > before ? /#token=([A-Za-z0-9_-]+)/.exec(mails.at(-1)!.text)?.[1] : undefined
  })
}

t.test('a sign-in link mailed before a password change or a sign-out everywhere signs nobody in', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice', PASSWORD)

  const beforeChange = await mailedLink(server, alice.email)
  await alice.call('auth.password.change', { current: PASSWORD, password: 'a new and unusual passphrase' })
  await t.rejects(server.call('auth.magicLink.consume', { token: beforeChange }), { code: 'unauthenticated' }, 'a password change voids it')
  const afterChange = await mailedLink(server, alice.email)
  const viaLink = await server.call('auth.magicLink.consume', { token: afterChange })
  t.equal(viaLink.user.id, alice.id, 'a link asked for after the change works')

  const beforeOthers = await mailedLink(server, alice.email)
  const others = await alice.call('auth.sessions.revokeAll', { keepCurrent: true })
  t.equal(others.ended, 1, 'signing out everywhere else ended the link\'s session')
  await t.rejects(server.call('auth.me', {}, viaLink.token), { code: 'unauthenticated' })
  t.ok(await alice.call('auth.me', {}), 'and kept this one')
  await t.rejects(server.call('auth.magicLink.consume', { token: beforeOthers }), { code: 'unauthenticated' }, 'and voided the unused link')

  const beforeAll = await mailedLink(server, alice.email)
  const live = await server.connect(alice.token)
  const closed = new Promise<void>((resolve) => live.socket.once('disconnect', () => resolve()))
  t.same(await alice.call('auth.sessions.revokeAll', {}), { ok: true, ended: 1 })
  await closed
  t.pass('signing out everywhere closes this session\'s sockets too')
  await t.rejects(alice.call('auth.me', {}), { code: 'unauthenticated' })
  await t.rejects(server.call('auth.magicLink.consume', { token: beforeAll }), { code: 'unauthenticated' }, 'and voids the link')
})

t.test('sessions expire when idle and at the end of their lifetime, renew on use, and list when they end', async (t) => {
  const server = await startTestServer(t, { sessions: { idleDays: 30, maxDays: 365 } })
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const alice = await server.signup('alice', PASSWORD)
  const login = () => server.call('auth.login', { email: alice.email, password: PASSWORD })
  const age = (sessionId: string, lastUsed: string, created: string) =>
    sql`update sessions set last_used_at = now() - ${lastUsed}::interval, created_at = now() - ${created}::interval where id = ${sessionId}`

  const idle = await login()
  await age(idle.sessionId, '31 days', '31 days')
  await t.rejects(server.call('auth.me', {}, idle.token), { code: 'unauthenticated' }, 'unused for longer than the idle timeout: ended')
  t.match(await server.connectError({ token: idle.token }), { code: 'unauthenticated' }, 'its token opens no socket')

  const old = await login()
  await age(old.sessionId, '1 minute', '366 days')
  await t.rejects(server.call('auth.me', {}, old.token), { code: 'unauthenticated' }, 'older than the lifetime, however used: ended')

  const renewed = await login()
  await age(renewed.sessionId, '29 days', '29 days')
  t.ok(await server.call('auth.me', {}, renewed.token), 'used within the idle timeout: alive')
  await until(async () => {
    const [row] = await sql<[{ fresh: boolean }]>`select last_used_at > now() - interval '1 minute' as fresh from sessions where id = ${renewed.sessionId}`
    return row.fresh
  })
  t.pass('and the use renewed it')

  const list = await alice.call('auth.sessions.list', {})
  const mine = list.find((s) => s.current)!
  const days = (Date.parse(mine.expiresAt!) - Date.parse(mine.lastUsedAt)) / 86_400_000
  t.ok(Math.abs(days - 30) < 0.01, `a fresh session ends 30 days after its last use (${days.toFixed(3)})`)
  t.notOk(list.some((s) => s.id === idle.sessionId), 'expired sessions are not listed as signed in')

  // A socket opened before its session expired is closed when the expired sessions are swept.
  const swept = await login()
  const live = await server.connect(swept.token)
  const closed = new Promise<void>((resolve) => live.socket.once('disconnect', () => resolve()))
  await age(swept.sessionId, '1 minute', '400 days')
  t.ok((await endExpiredSessions(server.services)) >= 1, 'the sweep ends expired sessions')
  await closed
  t.pass('and closes their sockets')
  const [{ n }] = await sql<[{ n: number }]>`select count(*)::int as n from sessions where id in ${sql([idle.sessionId, old.sessionId, swept.sessionId])}`
  t.equal(n, 0, 'and deletes them')
})

t.test('passwords: the most common ones and ones made of the person\'s own names are refused, saying why', async (t) => {
  const server = await startTestServer(t)
  let n = 0
  const signup = (password: string, handle = `p${++n}`) => server.call('auth.signup', { email: `${handle}@example.test`, password, name: 'Pat Doe', handle })
  for (const weak of ['password', 'password1', 'Password1!', '12345678', 'qwertyuiop', 'iloveyou', 'letmein123', 'secret123']) {
    await t.rejects(signup(weak), { code: 'invalid_input', message: /too easy to guess/ }, `"${weak}" is refused`)
  }
  await t.rejects(signup('patsmith2024', 'patsmith'), { code: 'invalid_input', message: /too easy to guess/ }, 'the handle with a year is refused')
  for (const fine of [PASSWORD, 'tr0ub4dor&3 rides', 'a7G!kq2pZx']) t.ok(await signup(fine), `"${fine}" is accepted`)

  const alice = await server.signup('alice', PASSWORD)
  await t.rejects(alice.call('auth.password.change', { current: PASSWORD, password: 'football' }), { code: 'invalid_input', message: /too easy to guess/ })
  t.ok(await alice.call('auth.me', {}), 'a refused change changes nothing')
})

t.test('checking the current password on a change spends the login budget', async (t) => {
  const server = await startTestServer(t, { throttle: { loginPerAccount: 3 } })
  const alice = await server.signup('alice', PASSWORD)
  for (let i = 0; i < 3; i++) {
    await t.rejects(alice.call('auth.password.change', { current: `guess ${i}`, password: 'a new and unusual passphrase' }), { code: 'forbidden' })
  }
  await t.rejects(alice.call('auth.password.change', { current: PASSWORD, password: 'a new and unusual passphrase' }), { code: 'rate_limited' })
})

t.test('display names: invisible and direction-override characters are refused on sign-up and on change', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  let n = 0
  const signup = (name: string) => server.call('auth.signup', { email: `n${++n}@example.test`, password: PASSWORD, name, handle: `n${n}` })
  const refused: Array<[string, RegExp]> = [
    ['Ali\u200Bce', /zero-width space \(U\+200B\)/],
    ['Alice\u202Eecila', /right-to-left override \(U\+202E\)/],
    ['\u2066Alice\u2069', /left-to-right isolate \(U\+2066\)/],
    ['Al\u200Dice', /zero-width joiner/],
    ['Ali\u200Cce', /zero-width non-joiner/],
    ['Ali\uFEFFce', /U\+FEFF/],
    ['Ali\u00ADce', /soft hyphen/],
    ['\u200E\u200F', /U\+200E/],
    ['   ', /visible character/],
  ]
  for (const [name, why] of refused) {
    await t.rejects(signup(name), { code: 'invalid_input', message: why }, `sign-up with ${JSON.stringify(name)}`)
    await t.rejects(alice.call('auth.profile.update', { name }), { code: 'invalid_input', message: why }, `renaming to ${JSON.stringify(name)}`)
  }
  t.equal((await alice.call('auth.me', {})).user.name, 'Alice', 'refused renames changed nothing')
  for (const name of ['Zoë Ångström', 'Ada 👩🏽‍💻', '❤️ fan', 'می\u200Cخواهم', '李小龍', 'José']) {
    t.equal((await alice.call('auth.profile.update', { name })).name, name.normalize('NFC'), `${name} is fine`)
  }
  t.equal((await alice.call('auth.profile.update', { name: 'Jose\u0301' })).name, 'Jos\u00E9', 'names are stored in NFC')
})
