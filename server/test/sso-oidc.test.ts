import t from 'tap'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import postgres from 'postgres'
import { callHttp } from '@ocomms/shared'
import { TestBrowser, pkce } from './helpers/browser.js'
import { startTestServer } from './helpers/server.js'
import { browserSignIn, oidcWorkspace, refusal, refusedCode } from './helpers/sso.js'

/**
 * Single sign-on through OpenID Connect against a real provider (oidc-provider on loopback),
 * driven as a browser would by an HTTP client: the happy path with just-in-time accounts, then
 * every way it must fail with a clear sentence and no session.
 */

t.test('OpenID Connect sign-in', async (t) => {
  const server = await startTestServer(t)
  const owner = await server.signup('owner')
  const { ws, idp } = await oidcWorkspace(t, server, owner)
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const count = async (table: string) => Number((await sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n)

  await t.test('a first sign-in creates the account and the membership; the code works once, with its verifier only', async (t) => {
    idp.login({ sub: 'ada-1', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace', preferred_username: 'ada' })
    const s = await browserSignIn(server, 'acme')
    t.equal(s.params.get('state'), 'client-state', 'the starter\'s state comes back')
    t.match(s.params.get('code'), /^[A-Za-z0-9_-]{43}$/, 'with a code')
    t.equal(await refusedCode(callHttp(server.url, 'sso.exchange', { code: s.params.get('code')!, codeVerifier: pkce().verifier })), 'unauthenticated', 'another verifier cannot exchange it')
    t.equal(await refusedCode(s.exchange()), 'unauthenticated', '...and the code is spent by the attempt')

    const again = await browserSignIn(server, 'acme')
    const signed = await again.exchange()
    t.match(signed.user, { handle: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' })
    t.equal(signed.workspaceId, ws.id)
    const me = await callHttp(server.url, 'auth.me', {}, { token: signed.token })
    t.same(me.workspaces.map((w) => [w.slug, w.role]), [['acme', 'member']], 'a member of the workspace, with the default role')
    const channels = await callHttp(server.url, 'conversation.list', { workspaceId: ws.id }, { token: signed.token })
    t.ok(channels.some((c) => c.name === 'general'), 'in #general like anyone who joins')
    t.equal(await refusedCode(again.exchange()), 'unauthenticated', 'the code works once')
    const [u] = await sql<{ password_hash: string | null }[]>`select password_hash from users where id = ${signed.user.id}`
    t.equal(u!.password_hash, null, 'the account has no password')

    const third = await (await browserSignIn(server, 'acme')).exchange()
    t.equal(third.user.id, signed.user.id, 'the next sign-in finds the same account (by issuer and subject)')
  })

  await t.test('an existing account is linked only through a verified email, and only when it is already a member', async (t) => {
    const bob = await server.signup('bob')
    await server.join(ws, owner, bob)
    const sessionsBefore = await count('sessions')
    idp.login({ sub: 'bob-1', email: bob.email, email_verified: false, name: 'Bob' })
    const unverified = await browserSignIn(server, 'acme')
    t.same(refusal(unverified).code, 'forbidden')
    t.match(refusal(unverified).message, /already exists.*did not say this address is verified/)
    t.notOk(unverified.params.get('code'), 'no code')
    t.equal(await count('sessions'), sessionsBefore, 'no session')
    t.equal(Number((await sql`select count(*)::int as n from sso_identities where subject = 'bob-1'`)[0]!.n), 0, 'nothing linked')

    idp.login({ sub: 'bob-1', email: bob.email, email_verified: true, name: 'Bob' })
    const linked = await (await browserSignIn(server, 'acme')).exchange()
    t.equal(linked.user.id, bob.id, 'a verified email links the member\'s account')

    const carol = await server.signup('carol')
    idp.login({ sub: 'carol-1', email: carol.email, email_verified: true })
    const outsider = await browserSignIn(server, 'acme')
    t.equal(refusal(outsider).code, 'forbidden')
    t.match(refusal(outsider).message, /exists on this server but is not a member of Acme/, 'an account outside the workspace is not taken over')
  })

  await t.test('allowed domains, deactivated people', async (t) => {
    await owner.call('sso.settings.update', { workspaceId: ws.id, allowedDomains: ['example.com'], defaultRole: 'admin' })
    idp.login({ sub: 'eve-1', email: 'eve@elsewhere.org', email_verified: true })
    const outside = await browserSignIn(server, 'acme')
    t.same(refusal(outside), { code: 'forbidden', message: 'Acme lets in people with an address at example.com only; eve@elsewhere.org is not one of them.' })
    t.equal(Number((await sql`select count(*)::int as n from users where email_normalized = 'eve@elsewhere.org'`)[0]!.n), 0, 'no account made')

    idp.login({ sub: 'dan-1', email: 'dan@example.com', email_verified: true })
    const dan = await (await browserSignIn(server, 'acme')).exchange()
    t.equal((await callHttp(server.url, 'auth.me', {}, { token: dan.token })).workspaces[0]!.role, 'admin', 'the default role applies')

    await owner.call('member.deactivate', { workspaceId: ws.id, userId: dan.user.id })
    const deactivated = await browserSignIn(server, 'acme')
    t.equal(refusal(deactivated).code, 'forbidden')
    t.match(refusal(deactivated).message, /deactivated in Acme/)
    await owner.call('sso.settings.update', { workspaceId: ws.id, allowedDomains: [], defaultRole: 'member' })
  })

  await t.test('tampered answers: unknown or reused state, a nonce that is not ours', async (t) => {
    idp.login({ sub: 'ada-1', email: 'ada@example.com', email_verified: true })
    let callback: URL | null = null
    const stopped = await browserSignIn(server, 'acme', { stopAt: (u) => u.pathname.endsWith('/callback') && (callback = u) !== null })
    t.ok(callback, 'stopped at the provider\'s redirect back')
    const cb = callback! as URL

    const wrongState = new URL(cb)
    wrongState.searchParams.set('state', 'not-the-state')
    const res = await new TestBrowser().request('GET', wrongState)
    const body = await res.text()
    t.equal(res.status, 401)
    t.match(body, /This sign-in is unknown, was already used, or expired \(state does not match\)/, 'a state that was never issued is refused')

    const used = await new TestBrowser().walk(cb, { stopAt: (u) => u.searchParams.has('after') })
    t.ok(used.url.searchParams.get('code'), 'the genuine answer works once...')
    const replay = await new TestBrowser().request('GET', cb)
    t.equal(replay.status, 401, '...and not twice')
    void stopped

    const noncey = await browserSignIn(server, 'acme', {
      rewrite: (u) => {
        if (u.origin === idp.issuer && u.pathname === '/auth' && u.searchParams.has('nonce')) u.searchParams.set('nonce', 'injected-nonce')
        return u
      },
    })
    t.equal(refusal(noncey).code, 'unauthenticated')
    t.match(refusal(noncey).message, /did not check out.*nonce/i, 'an ID token for another nonce is refused')
    t.notOk(noncey.params.get('code'))
  })

  await t.test('start: return addresses and PKCE', async (t) => {
    const { challenge } = pkce()
    const start = (q: Record<string, string>) => new TestBrowser().request('GET', new URL(`${server.url}/sso/start?${new URLSearchParams(q)}`))
    const ok = { workspace: 'acme', code_challenge: challenge, code_challenge_method: 'S256' }
    for (const returnTo of ['https://evil.example/steal', 'http://localhost.evil.example:1234/cb', `${server.url.replace('127.0.0.1', 'localhost')}/`, 'http://127.0.0.1/no-port', 'javascript:alert(1)']) {
      const res = await start({ ...ok, return_to: returnTo })
      t.equal(res.status, 400, `return_to ${returnTo} is refused`)
      t.match(await res.text(), /return_to must be a loopback address/)
    }
    t.equal((await start({ ...ok, return_to: 'http://127.0.0.1:5555/callback' })).status, 302, 'a loopback address is fine')
    t.equal((await start({ ...ok, return_to: 'http://[::1]:5555/callback' })).status, 302, 'IPv6 loopback too')
    const noPkce = await start({ workspace: 'acme', return_to: 'http://127.0.0.1:5555/callback' })
    t.equal(noPkce.status, 400)
    t.match(await noPkce.text(), /PKCE code_challenge/)
    const plain = await start({ ...ok, code_challenge_method: 'plain', return_to: 'http://127.0.0.1:5555/callback' })
    t.equal(plain.status, 400, 'only S256')
    const nobody = await start({ ...ok, workspace: 'nope', return_to: 'http://127.0.0.1:5555/callback' })
    t.equal(nobody.status, 404)
    t.same(await callHttp(server.url, 'sso.discover', { workspace: 'nope' }), { sso: false, protocol: null, name: null, startUrl: null })
    t.match(await callHttp(server.url, 'sso.discover', { workspace: 'acme' }), { sso: true, protocol: 'oidc', name: 'Test OIDC', startUrl: `${server.url}/sso/start?workspace=acme` })
  })

  await t.test('"require SSO": members cannot sign in with passwords or magic links; owners can (break-glass)', async (t) => {
    const mia = await server.signup('mia')
    await server.join(ws, owner, mia)
    await owner.call('sso.settings.update', { workspaceId: ws.id, requireSso: true })
    const sessions = await count('sessions')
    const refused = callHttp(server.url, 'auth.login', { email: mia.email, password: 'correct horse battery staple' })
    await t.rejects(refused, { code: 'forbidden', message: /Acme requires single sign-on.*ocomms login --sso --server .* --workspace acme/ })
    t.equal(await count('sessions'), sessions, 'no session')
    await callHttp(server.url, 'auth.magicLink.request', { email: mia.email })
    const link = await waitForMagicLink(server.logs, mia.email)
    await t.rejects(callHttp(server.url, 'auth.magicLink.consume', { token: link }), { code: 'forbidden' }, 'no magic link either')
    t.ok(await callHttp(server.url, 'auth.login', { email: owner.email, password: 'correct horse battery staple' }), 'the owner still can')
    t.equal(await refusedCode(callHttp(server.url, 'auth.me', {}, { token: mia.token })), 'ok', 'sessions made before stay valid')
    await owner.call('sso.settings.update', { workspaceId: ws.id, requireSso: false })
    t.ok(await callHttp(server.url, 'auth.login', { email: mia.email, password: 'correct horse battery staple' }), 'and members again once it is off')
  })

  await t.test('the client secret: encrypted at rest, never shown, never logged; owners only', async (t) => {
    const config = await owner.call('sso.get', { workspaceId: ws.id })
    t.match(config.connection, { protocol: 'oidc', oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true } })
    t.notOk(JSON.stringify(config).includes(idp.clientSecret), 'not in the answer')
    const [row] = await sql<{ s: Buffer }[]>`select oidc_client_secret as s from workspace_sso where workspace_id = ${ws.id}`
    t.notOk(row!.s.toString('latin1').includes(idp.clientSecret), 'not in the database')
    t.notOk(JSON.stringify(server.logs).includes(idp.clientSecret), 'not in the logs')
    const keyFile = join(server.config.dataDir, 'secret.key')
    t.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the key is readable by the server\'s user only')
    t.equal(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64').length, 32)
    t.match(config.serviceProvider, { oidcRedirectUrl: `${server.url}/sso/oidc/${ws.id}/callback`, samlAcsUrl: `${server.url}/sso/saml/${ws.id}/acs` })
    t.match(config.signIn.command, `ocomms login --sso --server ${server.url} --workspace acme`)

    const member = await server.signup('member')
    await server.join(ws, owner, member, 'admin')
    t.equal(await refusedCode(member.call('sso.get', { workspaceId: ws.id })), 'forbidden', 'an admin is not an owner')
    await t.rejects(owner.call('sso.oidc.connect', { workspaceId: ws.id, issuer: 'http://127.0.0.1:1/', clientId: 'x' }), { code: 'invalid_input', message: /Could not read the OpenID Connect configuration/ })
    await t.rejects(owner.call('sso.oidc.connect', { workspaceId: ws.id, issuer: 'http://idp.example.com/', clientId: 'x' }), { code: 'invalid_input', message: /must be an https:\/\/ URL/ })
  })
})

async function waitForMagicLink(logs: Array<Record<string, unknown>>, email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = logs.find((l) => (l.mail as { to?: string } | undefined)?.to === email)
    const m = line && /token=([A-Za-z0-9_-]+)/.exec((line.mail as { text: string }).text)
    if (m) return m[1]!
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('no magic link mailed')
}
