import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { password, person, signup } from './helpers/cli.js'

interface Session {
  id: string
  current: boolean
  lastUsedAt: string
  expiresAt: string | null
}

t.test('ocomms sessions lists where you are signed in, with last use and end; revoke ends one or all others', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const elsewhere = [
    await server.call('auth.login', { email: ann.email, password }),
    await server.call('auth.login', { email: ann.email, password }),
  ]

  const list = await ann.json<Session[]>(['sessions'])
  t.equal(list.length, 3)
  t.equal(list.filter((s) => s.current).length, 1, 'this profile\'s session is marked')
  t.ok(list.every((s) => s.lastUsedAt && s.expiresAt), 'each with its last use and when it ends')
  const text = await ann.run(['sessions'])
  t.match(text.stdout, /LAST USED\s+ENDS/)
  t.match(text.stdout, new RegExp(`\\*\\s+${list.find((s) => s.current)!.id}`))

  t.equal((await ann.run(['sessions', 'revoke', elsewhere[0]!.sessionId])).code, 0)
  await t.rejects(server.call('auth.me', {}, elsewhere[0]!.token), { code: 'unauthenticated' }, 'revoke ends that session')
  const own = await ann.run(['sessions', 'revoke', list.find((s) => s.current)!.id])
  t.equal(own.code, 2, 'revoking this profile\'s own session is a usage error')
  t.match(own.stderr, /ocomms logout/)
  t.equal((await ann.run(['sessions', 'revoke'])).code, 2, 'revoke needs an id or --others')

  const others = await ann.json<{ ended: number }>(['sessions', 'revoke', '--others'])
  t.equal(others.ended, 1)
  await t.rejects(server.call('auth.me', {}, elsewhere[1]!.token), { code: 'unauthenticated' }, '--others ends the rest')
  t.equal((await ann.json<Session[]>(['sessions'])).length, 1, 'and this profile stays signed in')
})
