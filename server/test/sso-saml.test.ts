import t from 'tap'
import postgres from 'postgres'
import { TestBrowser, autoForm } from './helpers/browser.js'
import type { SamlAnswer } from './helpers/saml-idp.js'
import { startSamlIdp } from './helpers/saml-idp.js'
import { startTestServer } from './helpers/server.js'
import { browserSignIn, refusal, samlWorkspace } from './helpers/sso.js'

/**
 * Single sign-on through SAML 2.0 against an identity provider that signs real assertions
 * (xml-crypto, on loopback), driven as a browser would: the happy path, then every bad answer
 * (audience, times, signatures, wrapping, replays, recipients) refused with a sentence and no session.
 */

t.test('SAML sign-in', async (t) => {
  const server = await startTestServer(t)
  const owner = await server.signup('owner')
  const { ws, idp } = await samlWorkspace(t, server, owner)
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const sessions = async () => Number((await sql`select count(*)::int as n from sessions`)[0]!.n)

  await t.test('connecting: from metadata XML or URL; the service provider\'s values and metadata', async (t) => {
    const config = await owner.call('sso.get', { workspaceId: ws.id })
    t.match(config.connection, { protocol: 'saml', name: 'Test SAML', saml: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, binding: 'redirect', emailsVerified: false } })
    t.match(config.connection!.saml!.certificates, [{ sha256: /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, subject: /OComms test SAML IdP \(idp\)/ }])
    const res = await fetch(config.serviceProvider.samlMetadataUrl)
    t.equal(res.status, 200)
    const xml = await res.text()
    t.match(xml, `entityID="${server.url}/sso/saml/${ws.id}"`)
    t.match(xml, `Location="${server.url}/sso/saml/${ws.id}/acs"`)
    t.equal(xml, config.serviceProvider.samlMetadata, 'the same document as sso.get shows')

    const other = await server.workspace(owner, 'Byline')
    const byUrl = await owner.call('sso.saml.connect', { workspaceId: other.id, metadataUrl: `${idp.url}/metadata` })
    t.match(byUrl.connection, { saml: { idpEntityId: idp.entityId, metadataUrl: `${idp.url}/metadata` } })
    await t.rejects(owner.call('sso.saml.connect', { workspaceId: other.id, metadataXml: '<not-xml' }), { code: 'invalid_input', message: /metadata is not well-formed XML/ })
    await t.rejects(owner.call('sso.saml.connect', { workspaceId: other.id, metadataXml: '<EntityDescriptor entityID="x"/>' }), {
      code: 'invalid_input',
      message: /describes no identity provider/,
    })
    await t.rejects(owner.call('sso.saml.connect', { workspaceId: other.id }), { code: 'invalid_input', message: /either as XML .* or as a URL/ })
  })

  await t.test('a first sign-in creates the account and membership; the next one finds it', async (t) => {
    idp.login({ nameId: 'u-1001', email: 'grace@example.com', name: 'Grace Hopper' })
    const first = await (await browserSignIn(server, 'acme')).exchange()
    t.match(first.user, { handle: 'grace', name: 'Grace Hopper', email: 'grace@example.com' })
    t.equal(first.workspaceId, ws.id)
    idp.next = { sign: 'response' }
    const second = await (await browserSignIn(server, 'acme')).exchange()
    t.equal(second.user.id, first.user.id, 'same person (issuer + NameID), here with the whole response signed instead of the assertion')
  })

  // Each answer is a real, signed SAML response with one thing wrong.
  const bad: Array<[string, SamlAnswer, RegExp]> = [
    ['wrong audience', { audience: 'https://someone-else.example/sp' }, /audience mismatch/i],
    ['expired assertion', { notOnOrAfter: -600, notBefore: -900 }, /expired|NotOnOrAfter|subject confirmation/i],
    ['assertion not yet valid', { notBefore: 600 }, /not yet valid|NotBefore/i],
    ['unsigned response', { sign: 'none' }, /signature/i],
    ['signed with a key the identity provider does not have', { wrongKey: true }, /signature/i],
    ['signature wrapping: signed assertion hidden in Advice', { wrap: 'advice' }, /signature/i],
    ['signature wrapping: unsigned assertion takes the signed one\'s ID', { wrap: 'same-id' }, /signature/i],
    ['signature wrapping: a second, unsigned assertion beside the signed one', { wrap: 'sibling' }, /signature|multiple assertions/i],
    ['wrong recipient', { recipient: 'https://someone-else.example/acs' }, /meant for another recipient/],
    ['wrong destination', { destination: 'https://someone-else.example/acs' }, /sent to https:\/\/someone-else/],
    ['another issuer', { issuer: 'https://rogue.example/idp' }, /issued by https:\/\/rogue\.example\/idp/],
    ['answer to another request', { inResponseTo: '_not-our-request' }, /InResponseTo/],
  ]
  for (const [what, answer, why] of bad) {
    await t.test(what, async (t) => {
      idp.login({ nameId: 'u-1001', email: 'grace@example.com', name: 'Grace Hopper' })
      const before = await sessions()
      idp.next = { ...answer, evil: { nameId: 'u-1001', email: 'grace@example.com' } }
      const s = await browserSignIn(server, 'acme')
      const r = refusal(s)
      t.equal(r.code, 'unauthenticated', r.message)
      t.match(r.message, /^The identity provider's answer did not check out: /)
      t.match(r.message, why)
      t.notOk(s.params.get('code'), 'no sign-in code')
      t.equal(await sessions(), before, 'no session')
    })
  }

  await t.test('replays: the same response twice, the same assertion id in another answer', async (t) => {
    idp.login({ nameId: 'u-1001', email: 'grace@example.com' })
    let posted: { action: URL; fields: Record<string, string> } | null = null
    const s = await browserSignIn(server, 'acme', { rewriteForm: (fields, action) => ((posted = { action, fields }), fields) })
    t.ok(s.params.get('code'), 'the first time works')
    const replay = await new TestBrowser().walk(posted!.action, {})
    void replay
    const again = await new TestBrowser().request('POST', posted!.action, posted!.fields)
    t.equal(again.status, 401, 'the same answer again is refused')
    t.match(await again.text(), /already used/)

    idp.next = { assertionId: '_fixed-assertion-id' }
    t.ok((await browserSignIn(server, 'acme')).params.get('code'), 'an assertion id the first time')
    idp.next = { assertionId: '_fixed-assertion-id' }
    const reused = await browserSignIn(server, 'acme')
    t.match(refusal(reused), { code: 'unauthenticated', message: /already used \(a replay\)/ }, 'the same assertion answering a new request is refused')
  })

  await t.test('emails are trusted for linking only when the owner says the identity provider verifies them', async (t) => {
    const ann = await server.signup('ann')
    await server.join(ws, owner, ann)
    idp.login({ nameId: 'u-2002', email: ann.email, name: 'Ann' })
    const refused = await browserSignIn(server, 'acme')
    t.match(refusal(refused), { code: 'forbidden', message: /already exists.*did not say this address is verified/ })
    await owner.call('sso.saml.connect', { workspaceId: ws.id, metadataXml: idp.metadata, name: 'Test SAML', emailsVerified: true })
    const linked = await (await browserSignIn(server, 'acme')).exchange()
    t.equal(linked.user.id, ann.id, 'linked once the connection is marked as asserting verified emails')
  })

  await t.test('no RelayState (identity-provider-initiated) and unknown workspaces are refused', async (t) => {
    const other = await startSamlIdp(t)
    const acs = `${server.url}/sso/saml/${ws.id}/acs`
    const unsolicited = other.respond({ id: '_x', acsUrl: acs, issuer: `${server.url}/sso/saml/${ws.id}` })
    const res = await new TestBrowser().request('POST', new URL(acs), { SAMLResponse: unsolicited })
    t.equal(res.status, 400)
    t.match(await res.text(), /no sign-in started here/)
    const nowhere = await new TestBrowser().request('POST', new URL(`${server.url}/sso/saml/00000000-0000-4000-8000-000000000000/acs`), { SAMLResponse: unsolicited, RelayState: 'x' })
    t.equal(nowhere.status, 404)
    t.ok(autoForm('<body onload="x.submit()"><form action="/a"><input name="k" value="v"></form>', new URL(server.url)), 'the test browser reads auto-posting forms')
  })

  t.notOk(server.logs.some((l) => (l.level as number) >= 50), 'nothing unexpected was logged as an error')
})
