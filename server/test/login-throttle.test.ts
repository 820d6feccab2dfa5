import t from 'tap'
import { callHttp, OCommsError } from '@ocomms/shared'
import { passwordChecks } from '../src/auth/passwords.js'
import { redisMissing, startRedis } from './helpers/redis.js'
import { startTestServer, type TestServer } from './helpers/server.js'

const LIMIT = 10
const PASSWORD = 'the one right password'

/** `n` login attempts sent at once, spread over `servers`; the right password is attempt `right`. */
async function guesses(servers: TestServer[], email: string, n: number, right: number) {
  const before = passwordChecks()
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      callHttp(servers[i % servers.length]!.url, 'auth.login', { email, password: i === right ? PASSWORD : `guess number ${i}` }).then(
        () => 'ok',
        (err: unknown) => (err instanceof OCommsError ? err.code : String(err)),
      ),
    ),
  )
  const count = (code: string) => answers.filter((a) => a === code).length
  return { checked: passwordChecks() - before, ok: count('ok'), wrong: count('unauthenticated'), limited: count('rate_limited'), answers, rightAnswer: answers[right] }
}

t.test('guesses sent in parallel: at most the limit reach the password check', async (t) => {
  const server = await startTestServer(t, { throttle: { loginPerAccount: LIMIT } })
  const alice = await server.signup('alice', PASSWORD)
  const r = await guesses([server], alice.email, 300, 290)
  t.ok(r.checked <= LIMIT, `${r.checked} of 300 parallel attempts reached the password check (limit ${LIMIT})`)
  t.equal(r.wrong + r.ok, r.checked, 'every attempt that was checked was answered by its password')
  t.equal(r.limited, 300 - r.checked, 'every other attempt was refused as rate_limited')
  t.equal(r.answers.filter((a) => !['ok', 'unauthenticated', 'rate_limited'].includes(a)).length, 0, 'and nothing else')
  if (r.rightAnswer !== 'ok') {
    // The right password, arriving after the budget was spent, is refused too: the budget is the
    // account's, whoever guesses.
    await t.rejects(server.call('auth.login', { email: alice.email, password: PASSWORD }), { code: 'rate_limited' }, 'and the right password stays locked out')
  }
})

t.test('a successful login gives its attempt back; failures stay counted', async (t) => {
  const server = await startTestServer(t, { throttle: { loginPerAccount: 3 } })
  const alice = await server.signup('alice', PASSWORD)
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'wrong one' }), { code: 'unauthenticated' })
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'wrong two' }), { code: 'unauthenticated' })
  for (let i = 0; i < 5; i++) await server.call('auth.login', { email: alice.email, password: PASSWORD })
  t.pass('five right logins after two failures, with a budget of three')
  await t.rejects(server.call('auth.login', { email: alice.email, password: 'wrong three' }), { code: 'unauthenticated' })
  await t.rejects(server.call('auth.login', { email: alice.email, password: PASSWORD }), { code: 'rate_limited' }, 'the third failure spends the budget')
})

t.test('with Redis: parallel guesses spread over two processes share one budget', { skip: redisMissing() ?? false }, async (t) => {
  const redis = await startRedis(t)
  const a = await startTestServer(t, { redisUrl: redis.url, throttle: { loginPerAccount: LIMIT } })
  const b = await startTestServer(t, { redisUrl: redis.url, databaseUrl: a.databaseUrl, throttle: { loginPerAccount: LIMIT } })
  const alice = await a.signup('alice', PASSWORD)
  const r = await guesses([a, b], alice.email, 300, 290)
  t.ok(r.checked <= LIMIT, `${r.checked} of 300 attempts over two processes reached the password check (limit ${LIMIT})`)
  t.equal(r.limited, 300 - r.checked)
})
