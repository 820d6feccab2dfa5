import t from 'tap'
import { stat } from 'node:fs/promises'
import { Writable } from 'node:stream'
import postgres from 'postgres'
import { createLogger } from '../src/index.js'
import { startTestServer, type TestServer } from './helpers/server.js'

const until = async <T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const v = await f()
    if (v !== undefined) return v
  }
  throw new Error('timed out')
}

const linkIn = async (server: TestServer, to: string, not?: string) => {
  const mail = (await server.mails()).filter((m) => m.to === to).at(-1)
  const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined
  return token !== not ? token : undefined
}

t.test('no secret reaches the log: session tokens, sign-in links, invite codes and passwords, even at trace level', async (t) => {
  const server = await startTestServer(t, { logLevel: 'trace' })
  const password = 'a quite unusual passphrase'
  const alice = await server.signup('alice', password)
  const login = await server.call('auth.login', { email: alice.email, password })
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'a wrong guess of hers' }), { code: 'unauthenticated' })

  await server.call('auth.magicLink.request', { email: alice.email })
  // From the mail folder; or, where a server logged mails instead, from its log (which fails below).
  const logged = () => server.logs.map((l) => /#token=([A-Za-z0-9_-]+)/.exec(JSON.stringify(l))?.[1]).find(Boolean)
  const link = await until(async () => (await linkIn(server, alice.email)) ?? logged())
  // As a link scanner or a careless client would send it: in a query string.
  t.equal((await fetch(`${server.url}/api/auth/magic-link/consume?token=${link}`)).status, 404)
  t.equal((await fetch(`${server.url}/magic-link?token=${link}`)).status, 200)
  const viaLink = await server.call('auth.magicLink.consume', { token: link })
  const live = await server.connect(viaLink.token)
  await live.call('auth.me', {})
  const ws = await server.workspace(alice)
  const invite = await alice.call('invite.create', { workspaceId: ws.id })
  const bob = await server.signup('bob')
  await bob.call('invite.accept', { code: invite.code })
  const newPassword = 'another quite unusual passphrase'
  await alice.call('auth.password.change', { current: password, password: newPassword })

  const lines = server.logs.map((l) => JSON.stringify(l))
  t.ok(lines.some((l) => l.includes('incoming request')), 'requests were logged (trace level)')
  const secrets = { 'the sign-up token': alice.token, 'the login token': login.token, 'the sign-in link': link, "the link's session": viaLink.token, 'the invite code': invite.code, 'the password': password, 'the new password': newPassword, "bob's token": bob.token }
  for (const [what, secret] of Object.entries(secrets)) t.notOk(lines.some((l) => l.includes(secret)), `${what} is in no log line`)
  t.notOk(lines.some((l) => l.includes('#token=')), 'no sign-in link is logged')

  const dir = await stat(server.config.devMailDir!)
  t.equal(dir.mode & 0o777, 0o700, 'the development mail folder is 0700')
  for (const name of await import('node:fs/promises').then((fs) => fs.readdir(server.config.devMailDir!))) {
    t.equal((await stat(`${server.config.devMailDir}/${name}`)).mode & 0o777, 0o600, `${name} is 0600`)
  }
})

t.test('without SMTP and without a mail folder, a sign-in mail is not sent, and only that fact is logged', async (t) => {
  const server = await startTestServer(t, { devMailDir: null })
  const alice = await server.signup('alice')
  await server.call('auth.magicLink.request', { email: alice.email })
  const line = await until(async () => server.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('a mail was not sent')))
  t.match(line.msg, /OCOMMS_SMTP_URL/, 'the log says how to configure mail')
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [{ n }] = await sql<[{ n: number }]>`select count(*)::int as n from magic_links where user_id = ${alice.id}`
  t.equal(n, 1, 'a link was made')
  t.notOk(server.logs.some((l) => JSON.stringify(l).includes('magic-link')), 'and it is nowhere in the log')
})

t.test('the logger redacts secret-looking fields and query parameters whatever code logs them', async (t) => {
  const out: string[] = []
  const log = createLogger('info', new Writable({ write: (chunk: Buffer, _e, cb) => (out.push(chunk.toString()), cb()) }))
  log.info({ token: 'tok-1', user: { password: 'pw-2' }, headers: { authorization: 'Bearer tok-3' }, mail: { to: 'a@b', text: 'link tok-4' } }, 'fields')
  log.info({ req: { method: 'GET', url: '/api/x?limit=5&token=tok-5#token=tok-6' } }, 'a request')
  log.error({ err: Object.assign(new Error('boom'), { parameters: ['tok-7'] }) }, 'an error')
  const text = out.join('')
  for (const secret of ['tok-1', 'pw-2', 'tok-3', 'tok-4', 'tok-5', 'tok-6', 'tok-7']) t.notOk(text.includes(secret), `${secret} redacted`)
  t.match(text, /limit=5/, 'other query parameters are kept')
  t.match(text, /"to":"a@b"/, 'other fields are kept')
})
