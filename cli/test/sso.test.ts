import t from 'tap'
import type { SsoConfig } from '@ocomms/shared'
import { TestBrowser } from '../../server/test/helpers/browser.js'
import { startOidcIdp } from '../../server/test/helpers/oidc-idp.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup, type Person } from './helpers/cli.js'

/**
 * `ocomms sso ...` (an owner connects the workspace to a real OpenID Connect provider) and
 * `ocomms login --sso`: the CLI listens on a loopback port, the "browser" (an HTTP client that
 * follows redirects) signs in at the provider and lands on that port, and the CLI exchanges the
 * code with its PKCE verifier through the daemon.
 */

/** Runs `ocomms login --sso ... --no-browser`, walks the printed address like a browser, and answers how the command ended. */
async function ssoLogin(p: Person, server: string, workspace: string) {
  const running = p.spawn(['--json', 'login', '--sso', '--server', server, '--workspace', workspace, '--no-browser'])
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)))
  let url: string | undefined
  for (let i = 0; i < 400 && !url; i++) {
    url = /https?:\/\/\S+\/sso\/start\?\S+/.exec(running.stderr())?.[0]
    if (!url) await new Promise((r) => setTimeout(r, 25))
  }
  if (!url) throw new Error(`no sign-in address printed: ${running.stderr()}`)
  const landed = await new TestBrowser().walk(url)
  const code = await exited
  return { code, landed, stdout: running.lines.join('\n'), stderr: running.stderr(), url: new URL(url) }
}

t.test('single sign-on from the command line', async (t) => {
  const server = await startTestServer(t)
  const owner = await person(t, 'owner')
  await signup(owner, server.url, { createWorkspace: 'Acme' })

  const shown = await owner.json<SsoConfig>(['sso', 'show'])
  t.equal(shown.connection, null)
  t.match(shown.serviceProvider.oidcRedirectUrl, /\/sso\/oidc\/[0-9a-f-]{36}\/callback$/)
  const human = await owner.run(['sso', 'show'])
  t.match(human.stdout, /OIDC redirect URI: +http:\/\/127\.0\.0\.1:\d+\/sso\/oidc\//)
  t.match((await owner.run(['sso', 'metadata'])).stdout, /<EntityDescriptor[^>]*entityID="http:\/\/127\.0\.0\.1:\d+\/sso\/saml\//)

  const idp = await startOidcIdp(t, [shown.serviceProvider.oidcRedirectUrl])
  const connected = await owner.run(['--json', 'sso', 'oidc', '--issuer', idp.issuer, '--client-id', idp.clientId, '--client-secret-stdin', '--name', 'Test OIDC'], { stdin: `${idp.clientSecret}\n` })
  t.equal(connected.code, 0, connected.stderr)
  t.match(JSON.parse(connected.stdout), { connection: { protocol: 'oidc', name: 'Test OIDC', oidc: { clientSecretSet: true } } })
  t.notOk(connected.stdout.includes(idp.clientSecret), 'the secret is not shown back')
  t.match(connected.stderr, /Members sign in with: ocomms login --sso --server http:\/\/127\.0\.0\.1:\d+ --workspace acme/)

  await t.test('login --sso: browser leg on a loopback port, PKCE exchange through the daemon', async (t) => {
    const ada = await person(t, 'ada')
    idp.login({ sub: 'ada-1', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace', preferred_username: 'ada' })
    const run = await ssoLogin(ada, server.url, 'acme')
    t.equal(run.code, 0, run.stderr)
    t.match(run.url.searchParams.get('return_to'), /^http:\/\/127\.0\.0\.1:\d+\/callback$/, 'returns to a loopback port')
    t.equal(run.url.searchParams.get('code_challenge_method'), 'S256')
    t.match(run.stderr, /open this address in a browser/)
    t.match(run.landed.body, /Signed in/, 'the browser tab says so')
    t.match(JSON.parse(run.stdout), { user: { handle: 'ada', email: 'ada@example.com' }, workspace: { slug: 'acme', role: 'member' } })
    const who = await ada.json<{ user: { handle: string }; connection: string }>(['whoami'])
    t.equal(who.user.handle, 'ada')
    t.equal((await ada.run(['send', '#general', 'signed in through single sign-on'])).code, 0, 'and can chat')
  })

  await t.test('a refused sign-in ends the command with the reason and no session', async (t) => {
    t.equal((await owner.run(['--json', 'sso', 'settings', '--allowed-domains', 'example.com,example.org', '--require-sso'])).code, 0)
    const eve = await person(t, 'eve')
    idp.login({ sub: 'eve-1', email: 'eve@elsewhere.net', email_verified: true })
    const run = await ssoLogin(eve, server.url, 'acme')
    t.equal(run.code, 1)
    t.match(run.stderr, /Acme lets in people with an address at example\.com, example\.org only; eve@elsewhere\.net is not one of them/)
    t.match(JSON.parse(run.stdout), { error: { code: 'forbidden' } })
    t.match(run.landed.body, /Sign-in failed/)
    t.equal((await eve.run(['whoami'])).code, 1, 'not signed in')
    const usage = await eve.run(['login', '--sso', '--server', server.url])
    t.equal(usage.code, 2, 'login --sso without --workspace is a usage error')
  })

  await t.test('SCIM tokens', async (t) => {
    const made = await owner.json<{ id: string; token: string; scimUrl: string }>(['sso', 'scim-token', 'create', 'Okta'])
    t.match(made, { token: /^ocscim_/, scimUrl: `${server.url}/scim/v2` })
    const listed = await owner.run(['sso', 'scim-token', 'list'])
    t.match(listed.stdout, /Okta/)
    t.notOk(listed.stdout.includes(made.token))
    t.equal((await owner.run(['sso', 'scim-token', 'revoke', made.id])).code, 0)
    t.same(await owner.json(['sso', 'scim-token', 'list']), [])
    const res = await fetch(`${made.scimUrl}/Users`, { headers: { authorization: `Bearer ${made.token}` } })
    t.equal(res.status, 401, 'a revoked token is refused')
  })
})
