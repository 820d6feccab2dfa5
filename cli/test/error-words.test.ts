import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

// Refusals say what is allowed in words, never a schema's pattern or a validator's phrase.
t.test('invalid input is explained in words', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const schemaTalk = /must match pattern|\^\[|Expected string|must NOT|must have required/

  const name = await ann.run(['channel', 'create', 'Release Notes'])
  t.equal(name.code, 1)
  t.match(name.stderr, /name may use only lowercase letters, digits, "-" and "_", starting with a letter or digit/)
  t.notMatch(name.stderr, schemaTalk)

  const long = await ann.run(['channel', 'create', 'x'.repeat(81)])
  t.equal(long.code, 1)
  t.match(long.stderr, /at most 80 characters/)
  t.notMatch(long.stderr, schemaTalk)

  const bob = await person(t, 'bob')
  const handle = await bob.run(
    ['signup', '--server', server.url, '--email', bob.email, '--name', 'Bob', '--handle', 'Bob Smith', '--password-stdin', '--create-workspace', 'B'],
    { stdin: 'correct horse battery staple\n' },
  )
  t.not(handle.code, 0)
  t.match(handle.stderr, /lowercase letters, digits, ".", "_" and "-"/)
  t.notMatch(handle.stderr, schemaTalk)

  // Over REST, where bots meet the same schemas.
  const [general] = await ann.call('conversation.list', {})
  const { token } = await server.call('auth.login', { email: ann.email, password: 'correct horse battery staple' })
  const res = await fetch(`${server.url}/api/conversations/${general!.id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'c1' }),
  })
  t.equal(res.status, 400)
  const body = (await res.json()) as { error: { message: string } }
  t.equal(body.error.message, 'text is required.')
  const extra = await fetch(`${server.url}/api/conversations/${general!.id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'c2', text: 'hi', surprise: 1 }),
  })
  t.match(((await extra.json()) as { error: { message: string } }).error.message, /surprise is not something/)
})
