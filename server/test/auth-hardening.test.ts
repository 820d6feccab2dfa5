import t from 'tap'
import { startTestServer } from './helpers/server.js'

t.test('sockets: a revoked or ended session, a foreign or null Origin, and no token are refused', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const second = await server.call('auth.login', { email: alice.email, password: 'correct horse battery staple' })
  t.equal(await server.connectError({ token: second.token }), null, 'the second session connects')
  const live = await server.connect(second.token)
  const closed = new Promise<void>((resolve) => live.socket.once('disconnect', () => resolve()))
  await alice.call('auth.sessions.revoke', { sessionId: second.sessionId })
  await closed
  t.pass('revoking a session closes its open socket')
  t.match(await server.connectError({ token: second.token }), { code: 'unauthenticated' }, 'and its token cannot open a new one')
  t.equal(await server.connectError({ token: alice.token }), null, 'the other session is untouched')
  t.match(await server.connectError({}), { code: 'unauthenticated' }, 'no token')
  t.match(await server.connectError({ token: '' }), { code: 'unauthenticated' }, 'an empty token')
  t.not(await server.connectError({ token: alice.token, origin: 'null' }), null, 'the "null" Origin of sandboxed pages is refused')
  t.not(await server.connectError({ token: alice.token, origin: `${server.url}.evil.example` }), null, 'a look-alike Origin is refused')
  t.not(await server.connectError({ token: alice.token, origin: server.url.replace('http:', 'https:') }), null, 'another scheme is another origin')
})

t.test('login throttling per address: failures on many accounts block the address', async (t) => {
  const server = await startTestServer(t, { throttle: { loginPerAddress: 4, loginPerAccount: 100 } })
  const people = [await server.signup('a'), await server.signup('b'), await server.signup('c')]
  for (let i = 0; i < 4; i++) {
    await t.rejects(server.call('auth.login', { email: people[i % 2]!.email, password: 'wrong password' }), { code: 'unauthenticated' })
  }
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: people[2]!.email, password: 'correct horse battery staple' }),
  })
  t.equal(res.status, 429, 'even a third account with its right password is refused from that address')
  t.match(await res.json(), { error: { code: 'rate_limited' } })
  t.ok(Number(res.headers.get('retry-after')) > 0, 'with a Retry-After header')
})

t.test('known and unknown emails get identical answers', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const answer = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.text() }
  }
  t.same(
    await answer('/api/auth/login', { email: alice.email, password: 'not her password' }),
    await answer('/api/auth/login', { email: 'nobody@example.test', password: 'not her password' }),
    'login: a wrong password and an unknown email answer alike',
  )
  t.same(
    await answer('/api/auth/magic-link', { email: alice.email }),
    await answer('/api/auth/magic-link', { email: 'nobody@example.test' }),
    'magic link request: alike',
  )
})
