import t from 'tap'
import postgres from 'postgres'
import { startTestServer, type TestServer } from './helpers/server.js'

const linkToken = async (server: TestServer, to: string) => {
  const mail = (await server.mails()).filter((m) => m.to === to).at(-1)
  return mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined
}
const until = async <T>(f: () => Promise<T | undefined>, ms = 3000): Promise<T> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const v = await f()
    if (v !== undefined) return v
  }
  throw new Error('timed out')
}

t.test('passwords: argon2id at OWASP parameters; wrong passwords refused; no token stored in clear', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice', 'a long enough secret')
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'wrong password' }), { code: 'unauthenticated' })
  await t.rejects(server.call('auth.signup', { email: alice.email.toUpperCase(), password: 'another secret', name: 'A', handle: 'alice2' }), { code: 'conflict' })
  await t.rejects(server.call('auth.signup', { email: 'x@example.test', password: 'another secret', name: 'A', handle: 'alice' }), { code: 'conflict' })
  for (const handle of ['channel', 'here', 'everyone']) {
    await t.rejects(server.call('auth.signup', { email: `${handle}@example.test`, password: 'another secret', name: 'A', handle }), { code: 'invalid_input' }, `@${handle} is reserved`)
  }
  await t.rejects(server.call('auth.signup', { email: 'not-an-email', password: 'another secret', name: 'A', handle: 'zed' }), { code: 'invalid_input' })
  const login = await server.call('auth.login', { email: alice.email, password: 'a long enough secret' })
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  const [row] = await sql<{ password_hash: string }[]>`select password_hash from users where id = ${alice.id}`
  t.match(row!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  // Scan every table for the two live tokens.
  const tables = await sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public'`
  for (const { tablename } of tables) {
    const rows = await sql.unsafe(`select t::text as row from "${tablename}" t`)
    const dump = rows.map((r) => r.row as string).join('\n')
    t.notOk(dump.includes(alice.token) || dump.includes(login.token), `no token in clear in ${tablename}`)
  }
  const sessions = await alice.call('auth.sessions.list', {})
  t.equal(sessions.length, 2)
  t.equal(sessions.filter((s) => s.current).length, 1)
  const other = sessions.find((s) => !s.current)!
  await alice.call('auth.sessions.revoke', { sessionId: other.id })
  await t.rejects(server.call('auth.me', {}, login.token), { code: 'unauthenticated' }, 'a revoked session is dead')
})

t.test('magic links: same answer for unknown emails, written to the development mail folder, single use, expiring, POST only', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  t.same(await server.call('auth.magicLink.request', { email: 'nobody@example.test' }), { ok: true })
  t.same(await server.call('auth.magicLink.request', { email: alice.email }), { ok: true })
  const token = await until(() => linkToken(server, alice.email))
  t.notOk((await server.mails()).some((m) => m.to === 'nobody@example.test'), 'no mail for unknown addresses')
  const get = await fetch(`${server.url}/api/auth/magic-link/consume?token=${token}`)
  t.equal(get.status, 404, 'a GET consumes nothing')
  const landing = await fetch(`${server.url}/magic-link#token=${token}`)
  t.equal(landing.status, 200, 'the link lands on a page: the web app')
  // Whose button POSTs the token, in a real browser: gui/test/web-auth.test.ts.
  t.match(await landing.text(), /<div id="root">/, 'the app\'s page, which signs in only when asked')
  const signedIn = await server.call('auth.magicLink.consume', { token: token! })
  t.equal(signedIn.user.id, alice.id)
  await t.rejects(server.call('auth.magicLink.consume', { token: token! }), { code: 'unauthenticated' }, 'single use')

  await server.call('auth.magicLink.request', { email: alice.email })
  const second = await until(async () => {
    const tok = await linkToken(server, alice.email)
    return tok !== token ? tok : undefined
  })
  const sql = postgres(server.databaseUrl, { max: 1 })
  t.teardown(() => sql.end())
  await sql`update magic_links set expires_at = now() - interval '1 second' where used_at is null`
  await t.rejects(server.call('auth.magicLink.consume', { token: second! }), { code: 'unauthenticated' }, 'expired')
})

t.test('failed logins are throttled per account', async (t) => {
  const server = await startTestServer(t, { throttle: { loginPerAccount: 3 } })
  const alice = await server.signup('alice', 'the right password')
  for (let i = 0; i < 3; i++) {
    await t.rejects(server.call('auth.login', { email: alice.email, password: 'nope nope' }), { code: 'unauthenticated' })
  }
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'the right password' }), { code: 'rate_limited' })
})

t.test('invite codes are letters and digits: none reads as an option on a command line', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('ivy')
  const ws = await alice.call('workspace.create', { name: 'Codes' })
  const codes = new Set<string>()
  for (let i = 0; i < 60; i++) codes.add((await alice.call('invite.create', { workspaceId: ws.id })).code)
  t.equal(codes.size, 60, 'each code is new')
  t.same([...codes].filter((c) => !/^[A-Za-z0-9]{16}$/.test(c)), [], 'sixteen letters and digits each (base64url gave a leading - to 1 in 64)')
})

t.test('workspace roles: owners make owners, the last owner stays', async (t) => {
  const server = await startTestServer(t)
  const [alice, bob, carol] = [await server.signup('alice'), await server.signup('bob'), await server.signup('carol')]
  const ws = await server.workspace(alice)
  await server.join(ws, alice, bob, 'admin')
  await server.join(ws, alice, carol)
  t.equal((await carol.call('workspace.get', { workspaceId: ws.id })).role, 'member')
  await t.rejects(bob.call('invite.create', { workspaceId: ws.id, role: 'owner' }), { code: 'forbidden' })
  await t.rejects(carol.call('invite.create', { workspaceId: ws.id }), { code: 'forbidden' })
  await t.rejects(bob.call('member.setRole', { workspaceId: ws.id, userId: carol.id, role: 'owner' }), { code: 'forbidden' })
  t.equal((await bob.call('member.setRole', { workspaceId: ws.id, userId: carol.id, role: 'admin' })).role, 'admin')
  await t.rejects(alice.call('workspace.leave', { workspaceId: ws.id }), { code: 'conflict' }, 'the last owner cannot leave')
  await t.rejects(alice.call('member.setRole', { workspaceId: ws.id, userId: alice.id, role: 'member' }), { code: 'conflict' })
  await t.rejects(bob.call('member.deactivate', { workspaceId: ws.id, userId: alice.id }), { code: 'forbidden' })
  await alice.call('member.setRole', { workspaceId: ws.id, userId: bob.id, role: 'owner' })
  await alice.call('workspace.leave', { workspaceId: ws.id })
  await t.rejects(alice.call('workspace.get', { workspaceId: ws.id }), { code: 'not_found' })
  const general = await bob.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const members = await bob.call('conversation.members', { conversationId: general.id })
  t.notOk(members.some((m) => m.id === alice.id), 'leaving takes you out of the channels')
  const once = await bob.call('invite.create', { workspaceId: ws.id, maxUses: 1 })
  const dave = await server.signup('dave')
  const erin = await server.signup('erin')
  await dave.call('invite.accept', { code: once.code })
  await t.rejects(erin.call('invite.accept', { code: once.code }), { code: 'not_found' }, 'a used-up invite')
})
