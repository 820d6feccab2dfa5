import t from 'tap'
import fc from 'fast-check'
import { operations, pathParams, type Operation, type OperationName } from '@ocomms/shared'
import { fixtures, type Ctx, type Fixture } from './helpers/operation-fixtures.js'
import { attempt, nextN, type Outcome, type Transport } from './helpers/matrix.js'
import { startTestServer } from './helpers/server.js'
import { buildWorld, type World } from './helpers/world.js'

/**
 * Every whole number an operation takes is bounded by what its column holds, so no value
 * reaches PostgreSQL that it would refuse with an error (which answered `internal`, HTTP 500).
 * The fields come from the operation declarations, so a new operation is covered without
 * touching this file; valid inputs for the other fields come from the authorization matrix's
 * fixtures (which every operation must have).
 */

interface IntSchema {
  type: 'integer'
  minimum?: number
  maximum?: number
}
/** Where an integer sits in an input: object keys, '*' for any key of a record, 0 for array items. */
type Path = Array<string | number>
interface IntField {
  path: Path
  schema: IntSchema
}

function integerFields(schema: Record<string, unknown>, path: Path = []): IntField[] {
  if (schema.type === 'integer') return [{ path, schema: schema as unknown as IntSchema }]
  const found: IntField[] = []
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const s of (schema[key] as Array<Record<string, unknown>> | undefined) ?? []) found.push(...integerFields(s, path))
  }
  for (const [k, s] of Object.entries((schema.properties as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    found.push(...integerFields(s, [...path, k]))
  }
  for (const s of Object.values((schema.patternProperties as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    found.push(...integerFields(s, [...path, '*']))
  }
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
    found.push(...integerFields(schema.additionalProperties as Record<string, unknown>, [...path, '*']))
  }
  if (typeof schema.items === 'object' && schema.items !== null) found.push(...integerFields(schema.items as Record<string, unknown>, [...path, 0]))
  return found
}

/** A copy of `input` with `value` at `path` ('*' takes the record's first key, or `key` when it has none). */
function withValue(input: unknown, path: Path, value: unknown, key: string): unknown {
  if (path.length === 0) return value
  const [head, ...rest] = path
  if (head === 0) {
    const list = Array.isArray(input) ? [...(input as unknown[])] : []
    list[0] = withValue(list[0], rest, value, key)
    return list
  }
  const obj = { ...((input ?? {}) as Record<string, unknown>) }
  const k = head === '*' ? (Object.keys(obj)[0] ?? key) : (head as string)
  obj[k] = withValue(obj[k], rest, value, key)
  return obj
}

/**
 * What validation must make of a value: numbers go as JSON numbers over the socket and in JSON
 * bodies (where a string is never a number), but as text in a path or query string, where the
 * server reads text as the number it spells.
 */
function acceptable(schema: IntSchema, value: unknown, asText: boolean): boolean {
  let v = value
  if (typeof v === 'string') {
    if (!asText || v.trim() === '' || Number.isNaN(Number(v))) return false
    v = Number(v)
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) return false
  return (schema.minimum === undefined || v >= schema.minimum) && (schema.maximum === undefined || v <= schema.maximum)
}

const boundaries: unknown[] = [
  2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2,
  // 2^63 − 1 is not a JavaScript number: it rounds to 2^63, as it does in any JSON parser that reads doubles.
  Number('9223372036854775807'), 2 ** 63, 2 ** 64, 1e300,
  0, -1, -(2 ** 31), -(2 ** 53), -(2 ** 63),
  0.5, 1.5, -0.5, 2 ** 53 - 0.5,
  '1', '42', '-1', '1.5', '2147483648', '9007199254740992', '9223372036854775807', '9223372036854775808', '1e400',
]

interface Case {
  name: OperationName
  op: Operation
  field: IntField
  base: unknown
  key: string
}

async function cases(w: World): Promise<Case[]> {
  const out: Case[] = []
  for (const [name, op] of Object.entries(operations) as Array<[OperationName, Operation]>) {
    const fields = integerFields(op.input as unknown as Record<string, unknown>)
    if (fields.length === 0) continue
    const f = fixtures[name] as Fixture<OperationName>
    const prepared = f.allowed?.setup ? await f.allowed.setup(w, 'owner', nextN()) : {}
    const ctx: Ctx = { w, as: 'owner', target: { ...w.targets.private, ...prepared.target }, n: nextN(), extra: prepared.extra ?? {} }
    const base = f.input(ctx)
    for (const field of fields) out.push({ name, op, field, base, key: ctx.target.conversationId })
  }
  return out
}

const label = (c: Case) => `${c.name} ${c.field.path.join('.')}`
const asText = (c: Case, transport: Transport) =>
  transport === 'rest' && (pathParams(c.op.http.path).includes(String(c.field.path[0])) || ['GET', 'DELETE'].includes(c.op.http.method))

async function check(w: World, c: Case, transport: Transport, value: unknown): Promise<{ ok: boolean; why: string; out: Outcome }> {
  const out = await attempt(w, 'owner', transport, c.name, withValue(c.base, c.field.path, value, c.key))
  const code = out.ok ? 'ok' : out.code
  if (acceptable(c.field.schema, value, asText(c, transport))) {
    return { ok: code !== 'internal' && !code.startsWith('thrown'), why: `an acceptable value answered ${code}`, out }
  }
  const field = String(c.field.path.filter((p) => p !== '*' && p !== 0).at(-1))
  const named = !out.ok && out.message.includes(field)
  return { ok: code === 'invalid_input' && named, why: `answered ${code}${out.ok ? '' : ` "${out.message}"`}, not invalid_input naming ${field}`, out }
}

t.test('integer fields: every one is bounded by its column, and boundary values answer 400, never 500', async (t) => {
  const server = await startTestServer(t)
  const w = await buildWorld(server, t)
  const all = await cases(w)
  t.ok(all.length >= 10, `integer fields found in the declarations: ${all.map(label).join(', ')}`)

  for (const c of all) {
    const max = c.field.schema.maximum
    t.ok(max !== undefined && max <= Number.MAX_SAFE_INTEGER, `${label(c)} declares a maximum a JavaScript number holds exactly (${max})`)
    t.ok(c.field.schema.minimum !== undefined, `${label(c)} declares a minimum`)
    // The fixture's own input (with the field at its minimum) must pass, or a refusal below would prove nothing.
    const baseline = await attempt(w, 'owner', 'socket', c.name, withValue(c.base, c.field.path, Math.max(1, c.field.schema.minimum ?? 1), c.key))
    t.not(baseline.ok ? 'ok' : baseline.code, 'invalid_input', `${label(c)}: the rest of the input is valid`)
  }

  let tried = 0
  for (const c of all) {
    for (const transport of ['socket', 'rest'] as const) {
      if (transport === 'rest' && (fixtures[c.name] as Fixture<OperationName>).socketOnly) continue
      for (const value of boundaries) {
        const r = await check(w, c, transport, value)
        tried++
        if (!r.ok) t.fail(`${label(c)} = ${JSON.stringify(value)} over ${transport}: ${r.why}`)
      }
    }
  }
  t.pass(`${tried} boundary calls`)

  // The path parameter and a raw JSON body, spelled as the digits a client in another language sends.
  const { conversationId } = w.targets.private
  const seqPath = operations['message.getBySeq'].http.path.replace(':conversationId', conversationId).replace(':seq', '9223372036854775807')
  const bySeq = await fetch(`${server.url}${seqPath}`, { headers: { authorization: `Bearer ${w.users.owner.token}` } })
  t.equal(bySeq.status, 400, 'message.getBySeq with 2^63 − 1 in the path: 400')
  t.match(await bySeq.json(), { error: { code: 'invalid_input' } })
  const raw = await fetch(`${server.url}${operations.sync.http.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${w.users.owner.token}`, 'content-type': 'application/json' },
    body: `{"conversations":{"${conversationId}":9223372036854775807}}`,
  })
  t.equal(raw.status, 400, 'sync with a cursor of 2^63 − 1 in a raw JSON body: 400')
  t.match(await raw.json(), { error: { code: 'invalid_input' } })

  // Then random whole numbers, fractions and their spellings as text, anywhere.
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...all),
      fc.constantFrom<Transport>('socket', 'rest'),
      fc.oneof(
        fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
      ),
      async (c, transport, value) => {
        if (transport === 'rest' && (fixtures[c.name] as Fixture<OperationName>).socketOnly) return true
        const r = await check(w, c, transport, value)
        if (!r.ok) throw new Error(`${label(c)} = ${JSON.stringify(value)} over ${transport}: ${r.why}`)
        return true
      },
    ),
    { numRuns: 150, seed: Number(process.env.OCOMMS_FUZZ_SEED ?? Date.now() % 100_000) },
  )
  t.notOk(server.logs.some((l) => l.msg === 'unexpected error'), 'no unexpected error was logged')
})
