import { webSession } from '@ocomms/shared'
import t from 'tap'
import { startOidcIdp } from '../../server/test/helpers/oidc-idp.js'
import { startSamlIdp } from '../../server/test/helpers/saml-idp.js'
import { startTestServer } from '../../server/test/helpers/server.js'
import { seriousViolations } from './helpers/axe.js'
import { cannotRun, launchChromium, openTab, screenshotDir, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

/**
 * Single sign-on in the web app against a real OpenID Connect provider (oidc-provider on
 * loopback): an owner connects the workspace from its settings screen, sets who may get in and
 * makes a SCIM token; then someone new signs in with the "Sign in with ..." button, through the
 * provider, and lands in the app with the cookie session. Someone the rules keep out is told why.
 */
t.test('the web app: single sign-on settings and "Sign in with <provider>"', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const owner = await server.signup('owner')
  const ws = await server.workspace(owner, 'Acme')
  const sp = (await owner.call('sso.get', { workspaceId: ws.id })).serviceProvider
  const idp = await startOidcIdp(t, [sp.oidcRedirectUrl])
  const browser = await launchChromium(t)

  // The owner connects the workspace from the settings screen.
  const admin = await openTab(browser, server.url)
  let page = admin.page
  await page.goto('/signin')
  await page.getByLabel('Email', { exact: true }).fill(owner.email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('link', { name: 'Single sign-on' }).click()
  await page.waitForURL(`**/settings/sso/${ws.id}`)
  await page.getByRole('heading', { name: 'Single sign-on for Acme' }).waitFor()
  t.match(await page.getByText('Not connected').textContent(), /people sign in with their email/, 'not connected yet')
  t.equal(await page.getByText(sp.oidcRedirectUrl, { exact: true }).count(), 1, 'the redirect URI to give the provider is shown')
  t.equal(await page.getByText(sp.samlAcsUrl, { exact: true }).count(), 1, 'and the SAML ACS URL')
  await page.getByRole('radio', { name: 'SAML 2.0' }).check()
  await page.getByLabel('Metadata XML').waitFor()
  t.pass('SAML asks for the metadata')
  await page.getByRole('radio', { name: 'OpenID Connect' }).check()
  await page.getByLabel('Button name').fill('Test IdP')
  await page.getByLabel('Issuer URL').fill(idp.issuer)
  await page.getByLabel('Client ID').fill(idp.clientId)
  await page.getByLabel('Client secret').fill(idp.clientSecret)
  await admin.shot('web-sso-settings-connect')
  await page.getByRole('form', { name: 'Connect over OpenID Connect' }).getByRole('button', { name: 'Connect' }).click()
  t.match(await page.getByRole('status').textContent(), /Connected to Test IdP/, 'connected')
  const stored = await owner.call('sso.get', { workspaceId: ws.id })
  t.match(stored.connection, { protocol: 'oidc', name: 'Test IdP', oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true } }, 'the server has the connection')
  t.equal(await page.getByLabel('Client secret').inputValue(), '', 'the secret does not stay on the page')

  await page.getByLabel('Allowed email domains').fill('example.com, @Example.org')
  await page.getByLabel('Role of new people').selectOption('admin')
  await page.getByRole('form', { name: 'Sign-in rules' }).getByRole('button', { name: 'Save' }).click()
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  t.same((await owner.call('sso.get', { workspaceId: ws.id })).settings, { allowedDomains: ['example.com', 'example.org'], defaultRole: 'admin', requireSso: false }, 'the rules are saved')

  await page.getByLabel('Token name').fill('Okta')
  await page.getByRole('button', { name: 'Create token' }).click()
  const shown = await page.getByRole('status').filter({ hasText: 'shown once' }).locator('code').textContent()
  t.match(shown, /\S{20,}/, 'a new SCIM token is shown once')
  const scim = await fetch(`${sp.scimUrl}/Users`, { headers: { authorization: `Bearer ${shown}` } })
  t.equal(scim.status, 200, 'and works against the SCIM API')
  await page.getByRole('list', { name: 'SCIM tokens' }).getByText('Okta').waitFor()
  await page.screenshot({ path: `${screenshotDir}/web-sso-settings.png`, fullPage: true, animations: 'disabled' })
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations on the settings screen')
  await page.getByRole('button', { name: 'Revoke Okta' }).click()
  await page.getByRole('list', { name: 'SCIM tokens' }).waitFor({ state: 'detached' })
  t.equal((await fetch(`${sp.scimUrl}/Users`, { headers: { authorization: `Bearer ${shown}` } })).status, 401, 'a revoked token is refused')

  // Someone the rules keep out is told why, and is not signed in.
  const eve = await openTab(browser, server.url)
  page = eve.page
  idp.login({ sub: 'eve-1', email: 'eve@elsewhere.net', email_verified: true, name: 'Eve' })
  await page.goto('/signin')
  await page.getByLabel('Workspace').fill(ws.slug)
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click()
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click()
  await page.waitForURL((u) => u.pathname === '/signin/sso')
  t.match(await page.getByRole('alert').textContent(), /example\.com.*eve@elsewhere\.net is not one of them/, 'an address outside the allowed domains is refused, saying why')
  t.notOk((await eve.context.cookies()).some((c) => c.name === webSession.cookie), 'no session')

  // Someone new signs in through the provider and lands in the app.
  const ada = await openTab(browser, server.url)
  page = ada.page
  idp.login({ sub: 'ada-1', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace', preferred_username: 'ada' })
  await page.goto(`/signin?workspace=${ws.slug}`)
  await ada.shot('web-sso-sign-in')
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations on the sign-in page with its SSO button')
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click()
  await page.waitForURL((u) => u.pathname === '/' || u.pathname.startsWith('/c/'))
  await page.getByRole('navigation').getByText('general').first().waitFor()
  t.pass('signed in through the provider, the workspace opens')
  t.notMatch(page.url(), /code=/, 'the sign-in code is not left in the address')
  const cookie = (await ada.context.cookies()).find((c) => c.name === webSession.cookie)
  t.ok(cookie?.httpOnly, 'the session is the HttpOnly cookie')
  const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json() as Promise<{ user: { email: string; name: string }; workspaces: Array<{ slug: string; role: string }> }>)
  t.match(me.user, { email: 'ada@example.com', name: 'Ada Lovelace' }, 'as the account the provider asserted')
  t.same(me.workspaces.map((w) => [w.slug, w.role]), [[ws.slug, 'admin']], 'a member with the default role')

  // Back on the owner's screen: require SSO, then switch to SAML from pasted metadata, then disconnect.
  page = admin.page
  await page.getByRole('checkbox', { name: /Require SSO/ }).check()
  await page.getByRole('form', { name: 'Sign-in rules' }).getByRole('button', { name: 'Save' }).click()
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  for (let i = 0; i < 20 && !(await owner.call('sso.get', { workspaceId: ws.id })).settings.requireSso; i++) await new Promise((r) => setTimeout(r, 100))
  t.ok((await owner.call('sso.get', { workspaceId: ws.id })).settings.requireSso, '"require SSO" is on')
  const saml = await startSamlIdp(t)
  await page.getByRole('radio', { name: 'SAML 2.0' }).check()
  await page.getByLabel('Button name').fill('Test SAML')
  await page.getByLabel('Metadata XML').fill(saml.metadata)
  await page.getByRole('checkbox', { name: /Every email this identity provider asserts is verified/ }).check()
  await page.getByRole('form', { name: 'Connect over SAML 2.0' }).getByRole('button', { name: 'Connect' }).click()
  await page.getByRole('status').filter({ hasText: 'Connected to Test SAML' }).waitFor()
  const samlConfig = await owner.call('sso.get', { workspaceId: ws.id })
  t.match(samlConfig.connection, { protocol: 'saml', name: 'Test SAML', saml: { emailsVerified: true } }, 'connected over SAML from the pasted metadata')
  t.ok((samlConfig.connection?.saml?.certificates.length ?? 0) > 0, 'with the signing certificate from it')
  await page.getByText(/Signing certificate .* SHA-256/).first().waitFor()
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Disconnect' }).click()
  await page.getByRole('status').filter({ hasText: 'Disconnected.' }).waitFor()
  const gone = await owner.call('sso.get', { workspaceId: ws.id })
  t.equal(gone.connection, null, 'disconnected')
  t.notOk(gone.settings.requireSso, '"require SSO" went off with it')
  t.same([...admin.errors, ...ada.errors], [], 'no script error or CSP violation')
})
