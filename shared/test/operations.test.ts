import t from 'tap'
import type { TObject } from '@sinclair/typebox'
import { fillPath, httpRequestFor, operations, pathParams, transferRequestFor, uploadFile, type Operation } from '../src/index.js'

const all = Object.values(operations) as Operation[]
const ID = '00000000-0000-4000-8000-000000000001'

t.test('names and routes are unique', async (t) => {
  t.equal(new Set(all.map((op) => op.name)).size, all.length)
  const routes = all.map((op) => `${op.http.method} ${op.http.path.replace(/:[A-Za-z]+/g, ':')}`)
  t.equal(new Set(routes).size, routes.length, 'no two operations share a route')
})

t.test('every path parameter is a required input field', async (t) => {
  for (const op of all) {
    const input = op.input as TObject
    t.equal(input.type, 'object', `${op.name} takes an object`)
    t.equal(input.additionalProperties, false, `${op.name} refuses unknown fields`)
    for (const p of pathParams(op.http.path)) {
      t.ok(input.properties[p], `${op.name}: :${p} is declared`)
      t.ok(input.required?.includes(p), `${op.name}: :${p} is required`)
    }
    t.match(op.http.path, /^\/api\//, `${op.name} lives under /api`)
  }
})

t.test('requests are derived from the declaration', async (t) => {
  t.same(httpRequestFor('message.list', { conversationId: ID, limit: 5 }), {
    method: 'GET',
    path: `/api/conversations/${ID}/messages?limit=5`,
    body: undefined,
  })
  t.same(httpRequestFor('message.send', { conversationId: ID, text: 'hi', clientId: 'c1' }), {
    method: 'POST',
    path: `/api/conversations/${ID}/messages`,
    body: JSON.stringify({ text: 'hi', clientId: 'c1' }),
  })
  t.equal(fillPath('/api/x/:name', { name: 'a/b c' }), '/api/x/a%2Fb%20c', 'path values are encoded')
})

t.test('a value with no URL spelling is refused as invalid_input before any request', async (t) => {
  const refused = (input: unknown, what: string) =>
    t.throws(() => httpRequestFor('typing.stop', input as never), { code: 'invalid_input', message: /conversationId/ }, what)
  // String() of this throws a TypeError: the client must answer with its own error instead.
  refused({ conversationId: [{ toString: false }] }, 'an object whose toString is not a function')
  refused({ conversationId: { id: 'x' } }, 'an object in the path')
  refused({}, 'a missing path value')
  t.throws(
    () => httpRequestFor('message.list', { conversationId: ID, limit: [5] as never }),
    { code: 'invalid_input', message: /limit/ },
    'an array in the query string',
  )
  t.throws(
    () => transferRequestFor(uploadFile, { conversationId: ID, comment: { text: 'x' } }),
    { code: 'invalid_input', message: /comment/ },
    'the same for transfers, whose inputs all go in the URL',
  )
})
