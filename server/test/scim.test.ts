import t from 'tap'
import { callHttp } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'
import { browserSignIn, oidcWorkspace, refusal, refusedCode } from './helpers/sso.js'

/**
 * SCIM 2.0 provisioning of a workspace's people by its identity provider: create, read, list with a
 * filter, update (PUT and PATCH), deactivate (sessions end, sockets close at once), errors in SCIM's
 * own format, and the bearer token that an owner creates.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

/** What the tests read of SCIM answers. */
interface ScimBody {
  [key: string]: unknown
  id: string
  active: boolean
  totalResults: number
  Resources: Array<{ id: string }>
  patch: { supported: boolean }
}

t.test('SCIM provisioning', async (t) => {
  const server = await startTestServer(t)
  const owner = await server.signup('owner')
  const { ws, idp } = await oidcWorkspace(t, server, owner)
  const created = await owner.call('sso.scimToken.create', { workspaceId: ws.id, name: 'Test IdP' })
  t.match(created, { token: /^ocscim_[A-Za-z0-9_-]{43}$/, scimUrl: `${server.url}/scim/v2`, name: 'Test IdP' })
  const list = await owner.call('sso.scimToken.list', { workspaceId: ws.id })
  t.same(list.map((x) => x.name), ['Test IdP'])
  t.notOk(JSON.stringify(list).includes(created.token), 'the token is shown once only')

  const scim = async (method: string, path: string, body?: unknown, token = created.token) => {
    const res = await fetch(`${created.scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, type: res.headers.get('content-type'), location: res.headers.get('location'), body: text ? (JSON.parse(text) as ScimBody) : null }
  }

  await t.test('tokens: a wrong, missing or revoked one is refused in SCIM\'s error format', async (t) => {
    const wrong = await scim('GET', '/Users', undefined, 'ocscim_not-a-real-token')
    t.equal(wrong.status, 401)
    t.match(wrong.type, /^application\/scim\+json/)
    t.match(wrong.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: /not valid/ })
    const res = await fetch(`${created.scimUrl}/Users`)
    t.equal(res.status, 401, 'no token')
    const spare = await owner.call('sso.scimToken.create', { workspaceId: ws.id, name: 'spare' })
    t.equal((await scim('GET', '/Users', undefined, spare.token)).status, 200)
    await owner.call('sso.scimToken.revoke', { workspaceId: ws.id, tokenId: spare.id })
    t.equal((await scim('GET', '/Users', undefined, spare.token)).status, 401, 'revoked')
    t.equal((await scim('GET', '/ServiceProviderConfig')).body!.patch.supported, true)
    t.equal((await scim('GET', '/Groups')).status, 404, 'groups are not provisioned')
  })

  let zoeId = ''
  await t.test('create, read, list with a filter', async (t) => {
    const made = await scim('POST', '/Users', {
      schemas: [USER],
      userName: 'zoe@example.com',
      externalId: 'okta-00u1',
      name: { givenName: 'Zoe', familyName: 'Quinn' },
      emails: [{ value: 'zoe@example.com', primary: true, type: 'work' }],
      active: true,
    })
    t.equal(made.status, 201)
    zoeId = made.body!.id
    t.match(made.body, { schemas: [USER], userName: 'zoe@example.com', externalId: 'okta-00u1', displayName: 'Zoe Quinn', active: true, name: { givenName: 'Zoe', familyName: 'Quinn' }, emails: [{ value: 'zoe@example.com' }] })
    t.equal(made.location, `${server.url}/scim/v2/Users/${zoeId}`)
    const members = await owner.call('member.list', { workspaceId: ws.id })
    t.match(members.find((m) => m.id === zoeId), { handle: 'zoe', name: 'Zoe Quinn', role: 'member', state: 'active' }, 'a member of the workspace')

    const dup = await scim('POST', '/Users', { schemas: [USER], userName: 'ZOE@example.com', emails: [{ value: 'zoe@example.com' }] })
    t.match(dup, { status: 409, body: { scimType: 'uniqueness', status: '409' } })
    const noMail = await scim('POST', '/Users', { schemas: [USER], userName: 'no-address' })
    t.match(noMail, { status: 400, body: { scimType: 'invalidValue', detail: /email address is needed/ } })
    t.match(await scim('POST', '/Users', '{not json'), { status: 400 })

    t.match(await scim('GET', `/Users/${zoeId}`), { status: 200, body: { id: zoeId, userName: 'zoe@example.com' } })
    t.match(await scim('GET', '/Users/00000000-0000-4000-8000-000000000000'), { status: 404, body: { status: '404' } })
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "Zoe@Example.com"')}`)
    t.match(byName.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, Resources: [{ id: zoeId }] })
    const owners = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${owner.email}"`)}`)
    t.equal(owners.body!.Resources[0].id, owner.id, 'members made without SCIM are found by their email')
    t.equal((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "okta-00u1"')}`)).body!.totalResults, 1)
    t.equal((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`)).body!.totalResults, 0)
    t.match(await scim('GET', `/Users?filter=${encodeURIComponent('name.givenName co "Z"')}`), { status: 400, body: { scimType: 'invalidFilter' } })
    const all = await scim('GET', '/Users?startIndex=1&count=1')
    t.match(all.body, { totalResults: 2, itemsPerPage: 1, startIndex: 1 })
  })

  await t.test('a name from the identity provider loses the invisible characters a person could not type', async (t) => {
    const made = await scim('POST', '/Users', { schemas: [USER], userName: 'mallory@example.com', displayName: 'Zoe\u200B Qu\u202Einn', emails: [{ value: 'mallory@example.com' }] })
    t.equal(made.status, 201)
    t.equal(made.body!.displayName, 'Zoe Quinn', 'zero-width space and right-to-left override dropped')
    const blank = await scim('POST', '/Users', { schemas: [USER], userName: 'blank@example.com', displayName: '\u200B\u200E', emails: [{ value: 'blank@example.com' }] })
    t.equal(blank.body!.displayName, 'blank', 'nothing visible left: the email\'s local part')
    for (const id of [made.body!.id, blank.body!.id]) t.equal((await scim('DELETE', `/Users/${id}`)).status, 204)
  })

  await t.test('deactivation ends the person\'s sessions and closes their sockets at once', async (t) => {
    idp.login({ sub: 'zoe-sub', email: 'zoe@example.com', email_verified: false, name: 'Zoe Quinn' })
    const zoe = await (await browserSignIn(server, 'acme')).exchange()
    t.equal(zoe.user.id, zoeId, 'single sign-on finds the account the identity provider made (no verified-email claim needed for it)')
    const socket = await server.connect(zoe.token)
    const closed = new Promise<string>((resolve) => socket.socket.once('disconnect', (reason) => resolve(reason)))

    const off = await scim('PATCH', `/Users/${zoeId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', value: { active: 'False' } }] })
    t.match(off, { status: 200, body: { active: false } })
    t.equal(await closed, 'io server disconnect', 'the socket was closed by the server')
    t.equal(await refusedCode(callHttp(server.url, 'auth.me', {}, { token: zoe.token })), 'unauthenticated', 'the session is gone')
    const members = await owner.call('member.list', { workspaceId: ws.id, includeInactive: true })
    t.equal(members.find((m) => m.id === zoeId)?.state, 'deactivated')
    t.match(refusal(await browserSignIn(server, 'acme')), { code: 'forbidden', message: /deactivated in Acme/ }, 'and cannot sign in again')
    t.match((await owner.call('audit.list', { workspaceId: ws.id, action: 'member.deactivated' }))[0], { actor: null, targetId: zoeId, details: { by: 'scim' } }, 'in the audit log')

    const on = await scim('PATCH', `/Users/${zoeId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] })
    t.match(on, { status: 200, body: { active: true } })
    t.ok(await (await browserSignIn(server, 'acme')).exchange(), 'back in once reactivated')
  })

  await t.test('an account that is also elsewhere loses this workspace only', async (t) => {
    const bob = await server.signup('bob')
    await server.join(ws, owner, bob)
    await server.workspace(bob, 'Bob\'s Own')
    const socket = await server.connect(bob.token)
    const closed = new Promise<void>((resolve) => socket.socket.once('disconnect', () => resolve()))
    const [found] = (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${bob.email}"`)}`)).body!.Resources
    const put = await scim('PUT', `/Users/${found.id}`, { schemas: [USER], userName: bob.email, name: { formatted: 'Renamed By IdP' }, active: false })
    t.match(put, { status: 200, body: { active: false, displayName: 'Bob' } }, 'deactivated; the name of an account the IdP did not make stays')
    await closed
    t.equal(await refusedCode(bob.call('workspace.get', { workspaceId: ws.id })), 'not_found', 'no access to this workspace')
    t.equal(await refusedCode(bob.call('auth.me', {})), 'ok', 'the session for the other workspace stays')
    t.equal((await scim('DELETE', `/Users/${zoeId}`)).status, 204)
    t.equal((await scim('GET', `/Users/${zoeId}`)).body!.active, false, 'DELETE deactivates')
  })

  await t.test('names of accounts the identity provider made follow it; another workspace\'s token sees none of it', async (t) => {
    const put = await scim('PUT', `/Users/${zoeId}`, { schemas: [USER], userName: 'zoe@example.com', name: { givenName: 'Zoë', familyName: 'Quinn' }, displayName: 'Zoë Quinn', active: true })
    t.match(put.body, { displayName: 'Zoë Quinn', active: true })
    const other = await server.workspace(owner, 'Other')
    const foreign = await owner.call('sso.scimToken.create', { workspaceId: other.id, name: 'other' })
    t.equal((await scim('GET', `/Users/${zoeId}`, undefined, foreign.token)).status, 404)
    t.equal((await scim('GET', '/Users', undefined, foreign.token)).body!.totalResults, 1, 'only the owner of that workspace')
    t.notOk(JSON.stringify(server.logs).includes(created.token), 'tokens are never logged')
  })
})
