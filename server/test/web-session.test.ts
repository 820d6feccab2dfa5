import { LIVE_EVENT, webSession, type Event } from '@ocomms/shared'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io as connectSocket } from 'socket.io-client'
import t from 'tap'
import { contentSecurityPolicy } from '../src/http/web-app.js'
import { startTestServer, type TestServer } from './helpers/server.js'

/** A built app in miniature: what the server must serve and how, whatever the real build holds. */
async function fakeWebApp(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-web-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'assets'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>OComms</title><script type="module" src="/assets/index-Ab12Cd34.js"></script>')
  await writeFile(join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("app")')
  await writeFile(join(dir, 'manifest.webmanifest'), '{"name":"OComms"}')
  await writeFile(join(dir, '.secret'), 'not for browsers')
  return dir
}

/** The cookies a response sets, by name, with their attributes as written. */
function setCookies(res: Response): Map<string, { value: string; attributes: string }> {
  const out = new Map<string, { value: string; attributes: string }>()
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';')
    const at = pair!.indexOf('=')
    out.set(pair!.slice(0, at).trim(), { value: pair!.slice(at + 1).trim(), attributes: attrs.join(';').trim() })
  }
  return out
}

/** A browser, reduced to what matters here: a cookie jar for one server and the origin its page is on. */
class Jar {
  cookies = new Map<string, string>()
  constructor(readonly server: TestServer) {}

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async fetch(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; csrf?: boolean; origin?: string | null } = {}) {
    const headers: Record<string, string> = { ...init.headers }
    if (this.cookies.size > 0) headers.cookie = this.header()
    if (init.origin !== null) headers.origin = init.origin ?? this.server.url
    if (init.csrf) headers[webSession.csrfHeader] = this.cookies.get(webSession.csrfCookie) ?? ''
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(this.server.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    for (const [name, { value, attributes }] of setCookies(res)) {
      if (/expires=Thu, 01 Jan 1970/i.test(attributes) || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await res.text()
    return { res, status: res.status, json: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as Record<string, unknown> }
  }

  async signIn(email: string, password = 'correct horse battery staple', origin?: string) {
    return this.fetch('/api/auth/login', { body: { email, password }, origin, headers: { [webSession.modeHeader]: webSession.modeCookie } })
  }
}

t.test('browser sessions: HttpOnly cookie, CSRF, sockets by cookie, bearer unaffected, sign-out', async (t) => {
  const server = await startTestServer(t, { webDir: await fakeWebApp(t), trustProxy: true })
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)

  const page = new Jar(server)
  const signedIn = await page.signIn(alice.email)
  t.equal(signedIn.status, 200, 'signs in')
  t.notOk('token' in signedIn.json, 'the token is not in the answer: no script of the page can read it')
  t.match(signedIn.json, { user: { handle: 'alice' }, sessionId: String })
  const cookies = setCookies(signedIn.res)
  const session = cookies.get(webSession.cookie)!
  t.ok(session.value.length >= 40, 'the session cookie holds the token')
  t.match(session.attributes, /HttpOnly/i, 'HttpOnly')
  t.match(session.attributes, /SameSite=Lax/i, 'SameSite=Lax')
  t.match(session.attributes, /Path=\//, 'for the whole site')
  t.notMatch(session.attributes, /Secure/i, 'not Secure over plain HTTP (it would never be sent back)')
  t.notMatch(cookies.get(webSession.csrfCookie)!.attributes, /HttpOnly/i, 'the CSRF cookie is readable by the page')
  t.equal(await server.call('auth.me', {}, session.value).then((m) => m.user.handle), 'alice', 'the cookie is a real session')

  t.equal((await page.fetch('/api/auth/me')).json.user && (await page.fetch('/api/auth/me')).status, 200, 'reads authenticate by the cookie alone')
  t.equal((await page.fetch('/api/auth/me', { origin: 'https://evil.example' })).status, 200, 'a read needs no CSRF token')

  const create = { body: { name: 'From the browser' } }
  const noToken = await page.fetch('/api/workspaces', create)
  t.equal(noToken.status, 403, 'a change by cookie without the CSRF header is refused')
  t.match(noToken.json, { error: { code: 'forbidden', message: /CSRF/ } })
  const wrongToken = await page.fetch('/api/workspaces', { ...create, headers: { [webSession.csrfHeader]: 'x'.repeat(43) } })
  t.equal(wrongToken.status, 403, 'a CSRF header that does not match the cookie is refused')
  const foreign = await page.fetch('/api/workspaces', { ...create, csrf: true, origin: 'https://evil.example' })
  t.equal(foreign.status, 403, 'from another origin, even with the token, it is refused')
  t.match(foreign.json, { error: { code: 'forbidden', message: /page of this server/ } })
  const noOrigin = await page.fetch('/api/workspaces', { ...create, csrf: true, origin: null })
  t.equal(noOrigin.status, 403, 'without Origin or Referer it is refused')
  const byReferer = await page.fetch('/api/workspaces', {
    ...create,
    csrf: true,
    origin: null,
    headers: { referer: `${server.url}/c/general` },
  })
  t.equal(byReferer.status, 200, 'a Referer of our own page will do when Origin is missing')
  const made = await page.fetch('/api/workspaces', { ...create, csrf: true })
  t.equal(made.status, 200, 'from our page with the token, it is done')
  t.equal((await alice.call('auth.me', {})).workspaces.length, 3, 'and only the two allowed calls changed anything')

  // A page of another site signing the browser into an account of its choosing (login CSRF).
  const elsewhere = new Jar(server)
  const forced = await elsewhere.signIn(alice.email, undefined, 'https://evil.example')
  t.equal(forced.status, 403, 'a cookie sign-in from another origin is refused')
  t.equal(elsewhere.cookies.size, 0, 'and sets no cookie')

  // Bearer tokens: no CSRF token, no origin check, and a cookie beside them changes nothing.
  t.equal((await server.call('channel.create', { workspaceId: ws.id, name: 'bearer-only' }, alice.token)).name, 'bearer-only', 'bearer calls need no CSRF token')
  const res = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${alice.token}`, origin: 'https://evil.example', cookie: 'ocomms_session=junk' } })
  t.equal(res.status, 200, 'a bearer token is used over any cookie, from any origin')
  const plain = await server.call('auth.login', { email: alice.email, password: 'correct horse battery staple' })
  t.ok(plain.token, 'a sign-in without the cookie header still answers with the token')

  // Behind a TLS proxy the cookie is Secure.
  const tls = new Jar(server)
  const proxied = await tls.fetch('/api/auth/login', {
    body: { email: alice.email, password: 'correct horse battery staple' },
    origin: server.url.replace('http:', 'https:'),
    headers: { [webSession.modeHeader]: webSession.modeCookie, 'x-forwarded-proto': 'https' },
  })
  t.equal(proxied.status, 200, 'signs in through the proxy (its origin is https)')
  t.match(setCookies(proxied.res).get(webSession.cookie)!.attributes, /Secure/i, 'Secure when the request came over TLS')

  // Sockets by cookie: from our page they connect and get live events; without Origin they are refused.
  const socket = connectSocket(server.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: page.header(), origin: server.url },
  } as never)
  t.teardown(() => socket.close())
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('connect_error', reject)
  })
  t.pass('a socket opens with the session cookie from our origin')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id }).then((l) => l.filter((c) => c.name === 'general'))
  const live = new Promise<Event>((resolve) => socket.on(LIVE_EVENT, (e: Event) => e.type === 'message.created' && resolve(e)))
  await alice.call('message.send', { conversationId: general!.id, text: 'hello cookie socket', clientId: crypto.randomUUID() })
  t.match(await live, { type: 'message.created' }, 'and receives live events')
  const noOriginSocket = connectSocket(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: page.header() } } as never)
  const refused = await new Promise<Record<string, unknown> | null>((resolve) => {
    noOriginSocket.once('connect', () => resolve(null))
    noOriginSocket.once('connect_error', (err: Error & { data?: Record<string, unknown> }) => resolve({ message: err.message, ...err.data }))
  })
  noOriginSocket.close()
  t.match(refused, { code: 'forbidden' }, 'a socket by cookie with no Origin is refused')
  t.match(await server.connectError({ origin: 'https://evil.example' }), { message: String }, 'and one from another origin')

  // Sign-out ends the session and clears both cookies; the old cookie is worth nothing.
  const stolen = page.header()
  const out = await page.fetch('/api/auth/logout', { body: {}, csrf: true })
  t.equal(out.status, 200, 'signs out')
  const cleared = setCookies(out.res)
  t.ok(cleared.has(webSession.cookie) && cleared.has(webSession.csrfCookie), 'both cookies are cleared')
  t.equal(page.cookies.size, 0, 'the browser holds none')
  const after = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: stolen } })
  t.equal(after.status, 401, 'the old session cookie no longer signs in')

  // "Sign out everywhere" without keeping this session also clears its cookie.
  const again = new Jar(server)
  await again.signIn(alice.email)
  const all = await again.fetch('/api/auth/sessions/revoke-all', { body: {}, csrf: true })
  t.equal(all.status, 200, 'signs out everywhere')
  t.equal(again.cookies.size, 0, 'and the cookie of this browser goes too')
})

t.test('the web app: served from the server, cached right, a strict CSP, app routes fall back to it', async (t) => {
  const server = await startTestServer(t, { webDir: await fakeWebApp(t) })
  const get = (path: string) => fetch(server.url + path)

  const index = await get('/')
  t.equal(index.status, 200, '/ serves the app')
  t.match(index.headers.get('content-type'), /text\/html/)
  t.match(await index.text(), /<title>OComms<\/title>/)
  t.equal(index.headers.get('cache-control'), 'no-cache', 'index.html is revalidated on every load')
  const csp = index.headers.get('content-security-policy') ?? ''
  t.equal(csp, contentSecurityPolicy)
  t.match(csp, /script-src 'self'(;|$)/, 'scripts only from this origin')
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline or evaluated script')
  t.match(csp, /frame-ancestors 'none'/, 'never framed')
  t.match(csp, /object-src 'none'/)

  for (const path of ['/invite/abc123', '/magic-link', '/c/some-channel', '/signin']) {
    const res = await get(path)
    t.equal(res.status, 200, `${path} is an app route`)
    t.match(await res.text(), /<title>OComms/)
    t.equal(res.headers.get('content-security-policy'), contentSecurityPolicy, `${path} carries the policy`)
  }

  const asset = await get('/assets/index-Ab12Cd34.js')
  t.equal(asset.status, 200, 'hashed assets are served')
  t.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'and cached for good')
  t.match(asset.headers.get('content-type'), /javascript/)
  const manifest = await get('/manifest.webmanifest')
  t.equal(manifest.headers.get('cache-control'), 'no-cache', 'files at the root are revalidated')

  for (const path of ['/api/nothing-here', '/api', '/assets/missing-123.js', '/icon-missing.png', '/.secret']) {
    const res = await get(path)
    t.equal(res.status, 404, `${path} is a 404, not the app`)
    t.match(res.headers.get('content-type'), /json/, 'in the API\'s error shape')
    await res.arrayBuffer()
  }
  t.notMatch(await get('/socket.io/?EIO=4&transport=polling').then((r) => r.text()), /<title>/, 'the socket\'s path is never the app')
  t.match(await get('/health').then((r) => r.json()), { status: 'ok' }, '/health is still the server\'s')
  const post = await fetch(`${server.url}/somewhere`, { method: 'POST' })
  t.equal(post.status, 404, 'only GET and HEAD fall back to the app')
})
