import t from 'tap'
import fc from 'fast-check'
import { formatMessageRef, formatTarget, parseMessageRef, parseTarget, type MessageRef, type Target } from '../src/index.js'

const channel = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,79}$/)
const handle = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,31}$/)
const target: fc.Arbitrary<Target> = fc.oneof(
  channel.map((name) => ({ kind: 'channel' as const, name })),
  fc.uniqueArray(handle, { minLength: 1, maxLength: 8 }).map((handles) => ({ kind: 'people' as const, handles })),
  fc.uuid().map((id) => ({ kind: 'id' as const, id })),
)
const ref: fc.Arbitrary<MessageRef> = fc.oneof(
  fc.uuid().map((id) => ({ kind: 'id' as const, id })),
  fc.record({ kind: fc.constant('seq' as const), target, seq: fc.integer({ min: 1, max: 2 ** 40 }) }),
)

t.test('examples', async (t) => {
  t.same(parseTarget('#general'), { ok: true, value: { kind: 'channel', name: 'general' } })
  t.same(parseTarget('general'), { ok: true, value: { kind: 'channel', name: 'general' } }, 'a bare name is a channel')
  t.same(parseTarget('#General'), { ok: true, value: { kind: 'channel', name: 'general' } }, 'names are lowercased')
  t.same(parseTarget('@bob'), { ok: true, value: { kind: 'people', handles: ['bob'] } })
  t.same(parseTarget('@bob,@carol'), { ok: true, value: { kind: 'people', handles: ['bob', 'carol'] } })
  t.same(parseTarget('@bob, @carol,@bob'), { ok: true, value: { kind: 'people', handles: ['bob', 'carol'] } }, 'spaces and repeats')
  const id = '0b4e7c1a-3f0e-4c9b-9b1e-2f6a1d3c4e5f'
  t.same(parseTarget(id), { ok: true, value: { kind: 'id', id } })
  for (const bad of ['', '#', '@', '@bob,carol', '#Über', '#a b', '@a,@b,@c,@d,@e,@f,@g,@h,@i', '-x']) {
    const r = parseTarget(bad)
    t.equal(r.ok, false, `"${bad}" is refused`)
    if (!r.ok) t.match(r.error, /\S/)
  }
  t.same(parseMessageRef('#general/42'), { ok: true, value: { kind: 'seq', target: { kind: 'channel', name: 'general' }, seq: 42 } })
  t.same(parseMessageRef('general/7'), { ok: true, value: { kind: 'seq', target: { kind: 'channel', name: 'general' }, seq: 7 } })
  t.same(parseMessageRef('@bob/3'), { ok: true, value: { kind: 'seq', target: { kind: 'people', handles: ['bob'] }, seq: 3 } }, 'any target before /SEQ: a DM')
  t.same(parseMessageRef(`${id}/5`), { ok: true, value: { kind: 'seq', target: { kind: 'id', id }, seq: 5 } }, 'a conversation id')
  t.same(parseMessageRef(id), { ok: true, value: { kind: 'id', id } })
  for (const bad of ['', '#general', '#general/0', '#general/-1', '#general/1.5', '42', '@bob,carol/3', '#a/b/3']) {
    t.equal(parseMessageRef(bad).ok, false, `"${bad}" is refused`)
  }
})

t.test('fuzz: formatted targets and refs parse back to themselves', async () => {
  fc.assert(fc.property(target, (x) => {
    const r = parseTarget(formatTarget(x))
    return r.ok && JSON.stringify(r.value) === JSON.stringify(x)
  }))
  fc.assert(fc.property(ref, (x) => {
    const r = parseMessageRef(formatMessageRef(x))
    return r.ok && JSON.stringify(r.value) === JSON.stringify(x)
  }))
})

t.test('fuzz: any string either parses or gives a sentence, never throws', async () => {
  fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => {
    for (const r of [parseTarget(s), parseMessageRef(s)]) {
      if (!r.ok && (typeof r.error !== 'string' || r.error.length < 10)) return false
    }
    return true
  }))
  // Whatever parses as a channel is a valid name; whatever parses as people are valid handles.
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
    const r = parseTarget(s)
    if (!r.ok) return true
    if (r.value.kind === 'channel') return /^[a-z0-9][a-z0-9_-]{0,79}$/.test(r.value.name)
    if (r.value.kind === 'people') return r.value.handles.every((h) => /^[a-z0-9][a-z0-9._-]{0,31}$/.test(h))
    return true
  }))
})
