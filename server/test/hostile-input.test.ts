import t from 'tap'
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { callHttp, OCommsError, operations, type OperationName } from '@ocomms/shared'
import type { TObject, TSchema } from '@sinclair/typebox'
import postgres from 'postgres'
import { startTestServer } from './helpers/server.js'
import { snapshot } from './helpers/world.js'

const LIMIT = 64 * 1024

async function setup(t: Parameters<Parameters<typeof t.test>[1]>[0]) {
  const server = await startTestServer(t, { bodyLimit: LIMIT })
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  return { server, alice, ws, general, sql }
}

t.test('REST: oversized, malformed and mistyped bodies get clear errors and change nothing', async (t) => {
  const { server, alice, general, sql } = await setup(t)
  const before = await snapshot(sql)
  const post = (body: string, type = 'application/json') =>
    fetch(`${server.url}/api/conversations/${general.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': type },
      body,
    })
  const expect = async (res: Response, status: number, code: string, what: string) => {
    t.equal(res.status, status, `${what}: HTTP ${status}`)
    const body = (await res.json()) as { error: { code: string; message: string } }
    t.equal(body.error.code, code, `${what}: ${code}`)
    t.ok(body.error.message.length > 5, `${what}: says why ("${body.error.message}")`)
  }
  await expect(await post(JSON.stringify({ text: 'x'.repeat(LIMIT + 1), clientId: 'big' })), 413, 'payload_too_large', 'a body over the limit')
  await expect(await post('{"text": "unterminated'), 400, 'invalid_input', 'malformed JSON')
  await expect(await post('[]'), 400, 'invalid_input', 'an array instead of an object')
  await expect(await post(JSON.stringify({ text: 42, clientId: 'a' })), 400, 'invalid_input', 'a number for text')
  await expect(await post(JSON.stringify({ text: 'hi', clientId: 'a', admin: true })), 400, 'invalid_input', 'an unknown field')
  await expect(await post(JSON.stringify({ text: '', clientId: 'a' })), 400, 'invalid_input', 'empty text')
  await expect(await post('text=hi', 'application/x-www-form-urlencoded'), 400, 'invalid_input', 'a form instead of JSON')
  await expect(
    await fetch(`${server.url}/api/conversations/not-a-uuid/messages`, { headers: { authorization: `Bearer ${alice.token}` } }),
    400, 'invalid_input', 'a malformed id in the path')
  await expect(
    await fetch(`${server.url}/api/conversations/${general.id}/messages?limit=many`, { headers: { authorization: `Bearer ${alice.token}` } }),
    400, 'invalid_input', 'a mistyped query parameter')
  await expect(
    await fetch(`${server.url}/api/workspaces/${'x'.repeat(500)}`, { headers: { authorization: `Bearer ${alice.token}` } }),
    400, 'invalid_input', 'an over-long path value')
  await expect(
    await fetch(`${server.url}/api/workspaces/%E0%A4%A`, { headers: { authorization: `Bearer ${alice.token}` } }),
    400, 'invalid_input', 'a malformed percent-encoding')
  await expect(
    await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${'x'.repeat(5000)}` } }),
    401, 'unauthenticated', 'an absurd token')
  t.same(await snapshot(sql), before, 'nothing changed')
})

t.test('socket: oversized messages are refused (far over the limit, that connection closes); malformed payloads get invalid_input', async (t) => {
  const { server, alice, general, sql } = await setup(t)
  const before = await snapshot(sql)
  const s = await server.connect(alice.token)
  const ack = (event: string, ...args: unknown[]) => s.socket.timeout(5000).emitWithAck(event, ...args) as Promise<{ ok: boolean; error?: { code: string; message: string } }>
  for (const [what, payload] of [
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['an array', [general.id]],
    ['wrong types', { conversationId: general.id, text: ['a'], clientId: 1 }],
    ['an unknown field', { conversationId: general.id, text: 'hi', clientId: 'x', extra: 1 }],
    ['a malformed id', { conversationId: 'nope', text: 'hi', clientId: 'x' }],
    ['binary', Buffer.from('hi')],
  ] as const) {
    const res = await ack('message.send', payload)
    t.match(res, { ok: false, error: { code: 'invalid_input' } }, `${what}: invalid_input`)
  }
  t.match(await ack('no.such.operation', {}), { ok: false, error: { code: 'not_found' } }, 'an unknown operation: not_found')
  s.socket.emit('message.send', { conversationId: general.id, text: 'no ack', clientId: 'noack' })
  t.ok(s.socket.connected, 'an event without acknowledgement is ignored, the socket stays')

  // Over the request limit: refused by its answer, and the connection stays.
  t.match(await ack('message.send', { conversationId: general.id, text: 'x'.repeat(LIMIT + 10), clientId: 'big' }), { ok: false, error: { code: 'payload_too_large' } }, 'a message over the limit is refused')
  t.ok(s.socket.connected, 'and the socket stays')
  // Over what the transport takes (four times the limit) the connection closes, that one only.
  const closed = new Promise<string>((resolve) => s.socket.once('disconnect', (reason) => resolve(reason)))
  s.socket.emit('message.send', { conversationId: general.id, text: 'x'.repeat(4 * LIMIT + 10), clientId: 'huge' }, () => {})
  t.match(await closed, /close/, 'a message over maxHttpBufferSize closes that connection')
  const again = await server.connect(alice.token)
  t.ok(again.socket.connected, 'the server is fine and takes new connections')
  t.same(await snapshot(sql), before, 'nothing changed')
})

/** Values shaped like an operation's input: its own keys with random (sometimes right) values. */
function shaped(schema: TSchema, ids: string[]): fc.Arbitrary<unknown> {
  const props = (schema as TObject).properties ?? {}
  const value = (s: TSchema): fc.Arbitrary<unknown> => {
    const plausible =
      s.format === 'uuid' ? fc.constantFrom(...ids, randomUUID()) :
      s.type === 'string' ? fc.string({ maxLength: 50 }) :
      s.type === 'integer' ? fc.integer({ min: -5, max: 2_000 }) :
      s.type === 'boolean' ? fc.boolean() :
      fc.anything({ maxDepth: 2 })
    return fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) })
  }
  const entries = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, value(s as TSchema)]))
  return fc.oneof(
    { weight: 4, arbitrary: fc.record(entries, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  )
}

t.test('fuzzing: random inputs to random operations never crash the server or answer internal', async (t) => {
  const { server, alice, ws, general } = await setup(t)
  const msg = await alice.call('message.send', { conversationId: general.id, text: 'hi', clientId: randomUUID() })
  const ids = [ws.id, general.id, msg.id, alice.id]
  // Operations that would end the fuzzing session itself are left out.
  const ending: string[] = ['auth.logout', 'auth.password.change', 'auth.sessions.revokeAll']
  const names = (Object.keys(operations) as OperationName[]).filter((n) => !ending.includes(n))
  const s = await server.connect(alice.token)
  const seen = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), shaped(operations[name].input, ids))),
      async ([name, input]) => {
        const res = (await s.socket.timeout(10_000).emitWithAck(name, input)) as { ok: boolean; error?: { code: string } }
        const code = res.ok ? 'ok' : res.error!.code
        seen.set(code, (seen.get(code) ?? 0) + 1)
        return code !== 'internal' && s.socket.connected
      },
    ),
    { numRuns: 400, seed: Number(process.env.OCOMMS_FUZZ_SEED ?? Date.now() % 100_000) },
  )
  t.ok((seen.get('invalid_input') ?? 0) > 0 && seen.size > 2, `a spread of answers: ${JSON.stringify(Object.fromEntries(seen))}`)

  // The same over REST, where the input is split into path, query string and body.
  const restSeen = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), shaped(operations[name].input, ids))),
      async ([name, input]) => {
        let code = 'ok'
        try {
          const plain = input !== null && typeof input === 'object' && !Array.isArray(input) ? input : { input }
          await callHttp(server.url, name, plain as never, { token: alice.token })
        } catch (err) {
          code = err instanceof OCommsError ? err.code : `thrown: ${String(err)}`
        }
        restSeen.set(code, (restSeen.get(code) ?? 0) + 1)
        return code !== 'internal' && !code.startsWith('thrown')
      },
    ),
    { numRuns: 200, seed: Number(process.env.OCOMMS_FUZZ_SEED ?? Date.now() % 100_000) },
  )
  t.ok((restSeen.get('invalid_input') ?? 0) > 0, `REST answers: ${JSON.stringify(Object.fromEntries(restSeen))}`)
  t.notOk(server.logs.some((l) => l.msg === 'unexpected error'), 'no unexpected error was logged')
  t.same(await alice.call('auth.me', {}).then((m) => m.user.id), alice.id, 'the server still answers')
})
