import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { Event } from '../src/events/index.js'
import { emptyState, reduce, reduceMany, streamKey, type ClientState } from '../src/client/index.js'
import type { Conversation, Message } from '../src/schemas.js'

/**
 * Events applied as one batch (`reduceMany`: one step, one copy of each table) leave the state
 * exactly as the same events applied one by one: ordering, old and gap events, unknown streams
 * and types, and a conversation left or joined (history dropped) within the batch.
 */

const me = '00000000-0000-4000-8000-0000000000aa'
const ws = '00000000-0000-4000-8000-0000000000bb'
const alice = { id: '00000000-0000-4000-8000-0000000000cc', handle: 'alice', name: 'Alice' }
const convIds = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'] as const
const at = '2026-01-01T00:00:00.000Z'

const conversation = (id: string, isMember: boolean, lastSeq: number): Conversation => ({
  id, workspaceId: ws, kind: 'public', name: `c${id.slice(-1)}`, topic: '', description: '', memberCount: 2, archived: false,
  createdBy: alice.id, createdAt: at, isMember, lastSeq,
})
const messageId = (conv: number, n: number) => `00000000-0000-4000-8000-0000000${conv}${String(n).padStart(4, '0')}`
const message = (conv: number, n: number, seq: number, text: string): Message => ({
  id: messageId(conv, n), seq, conversationId: convIds[conv]!, threadRootId: n > 2 ? messageId(conv, 0) : null, alsoInChannel: false, clientId: null,
  author: alice, text, createdAt: at, editedAt: null, deleted: false, replyCount: 0, lastReplyAt: null, replyParticipants: [], reactions: [],
  pinned: false, files: [], mentions: { handles: [], channel: false, here: false },
})

/** Following the first conversation from seq 0; the second one listed, not followed. */
function start(): ClientState {
  const s = emptyState()
  s.conversations[convIds[0]] = conversation(convIds[0], true, 0)
  s.cursors[streamKey('conversation', convIds[0])] = 0
  s.conversations[convIds[1]] = conversation(convIds[1], false, 0)
  s.cursors[streamKey('user', me)] = 0
  return s
}

const kinds = ['created', 'created', 'created', 'updated', 'deleted', 'reacted', 'pinned', 'unpinned', 'joined', 'left', 'added', 'removed', 'exploded'] as const
const step = fc.record({
  kind: fc.constantFrom(...kinds),
  conv: fc.integer({ min: 0, max: 1 }),
  n: fc.integer({ min: 0, max: 4 }),
  // Mostly the next event of its stream; sometimes one seen already, or one after a gap.
  delta: fc.constantFrom(1, 1, 1, 1, 1, 0, -1, 2),
})
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never

function toEvents(steps: Step[]): Event[] {
  const last: Record<string, number> = {}
  return steps.map((s, i) => {
    const user = s.kind === 'added' || s.kind === 'removed'
    const streamId = user ? me : convIds[s.conv]!
    const seq = Math.max(1, (last[streamId] ?? 0) + s.delta)
    last[streamId] = Math.max(last[streamId] ?? 0, seq)
    const m = message(s.conv, s.n, seq, `text ${i}`)
    const root = { id: messageId(s.conv, 0), replyCount: i, lastReplyAt: at, replyParticipants: [alice] }
    const base = { seq, at, data: {} as Record<string, unknown> }
    if (user) {
      const data = s.kind === 'added' ? { conversation: conversation(convIds[s.conv]!, true, last[convIds[s.conv]!] ?? 0) } : { conversationId: convIds[s.conv]! }
      return { ...base, stream: 'user', streamId: me, type: `conversation.${s.kind}`, data }
    }
    const data = (() => {
      switch (s.kind) {
        case 'created':
          return { message: m, ...(m.threadRootId ? { root } : {}) }
        case 'updated':
          return { message: { ...m, editedAt: at } }
        case 'deleted':
          return { messageId: m.id, threadRootId: m.threadRootId, ...(m.threadRootId ? { root } : {}) }
        case 'reacted':
          return { messageId: m.id, threadRootId: m.threadRootId, emoji: '👍', member: alice, reactions: [{ emoji: '👍', count: i, members: ['alice'] }] }
        case 'pinned':
          return { messageId: m.id, pinnedBy: alice, pinnedAt: at, message: { ...m, pinned: true } }
        case 'unpinned':
          return { messageId: m.id, by: alice, reason: 'unpinned' }
        case 'joined':
          return { member: alice }
        case 'left':
          return { userId: alice.id }
        default:
          return {}
      }
    })()
    const type = { created: 'message.created', updated: 'message.updated', deleted: 'message.deleted', reacted: 'reaction.added', pinned: 'message.pinned',
      unpinned: 'message.unpinned', joined: 'conversation.member_joined', left: 'conversation.member_left', exploded: 'message.exploded' }[s.kind as string]!
    return { ...base, stream: 'conversation', streamId, conversationId: streamId, type, data }
  }) as Event[]
}

const oneByOne = (s: ClientState, events: Event[]) => events.reduce((state, e) => reduce(state, e, { me }), s)

t.test('a batch of events leaves the same state as the events one by one', async (t) => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
      const events = toEvents(steps)
      const s = start()
      return isDeepStrictEqual(reduceMany(s, events, { me }), oneByOne(s, events))
    }),
    { numRuns: 300 },
  )
  t.pass('300 random sequences')
})

t.test('any split of the events into batches gives that state too', async (t) => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }), (steps, sizes) => {
      const events = toEvents(steps)
      let state = start()
      for (let i = 0, k = 0; i < events.length; k++) {
        const size = sizes[k % sizes.length]!
        state = reduceMany(state, events.slice(i, i + size), { me })
        i += size
      }
      return isDeepStrictEqual(state, oneByOne(start(), events))
    }),
    { numRuns: 200 },
  )
  t.pass('200 random sequences and splits')
})

t.test('a batch copies the messages table once, not once per event', async (t) => {
  const s = start()
  for (let n = 0; n < 1000; n++) s.messages[`old-${n}`] = message(0, n, 0, 'old')
  const events = toEvents(Array.from({ length: 50 }, (_, n) => ({ kind: 'created' as const, conv: 0, n: n % 3, delta: 1 })))
  const after = reduceMany(s, events, { me })
  t.equal(after.cursors[streamKey('conversation', convIds[0])], 50)
  t.equal(after.conversations[convIds[0]]!.lastSeq, 50)
  t.not(after.messages, s.messages, 'a new messages table')
  t.equal(after.members, s.members, 'tables no event touched are shared')
  t.equal(reduceMany(after, events, { me }), after, 'events seen already change nothing, not even the state object')
})

t.test('a message put and then its conversation left within one batch is gone, as one by one', async (t) => {
  const s = start()
  const follow = { stream: 'user', streamId: me, seq: 1, at, type: 'conversation.added', data: { conversation: conversation(convIds[1], true, 0) } } as Event
  const created = { stream: 'conversation', streamId: convIds[1], conversationId: convIds[1], seq: 1, at, type: 'message.created', data: { message: message(1, 1, 1, 'hi') } } as Event
  const left = { stream: 'user', streamId: me, seq: 2, at, type: 'conversation.removed', data: { conversationId: convIds[1] } } as Event
  const rejoin = { ...follow, seq: 3 } as Event
  const again = { ...created, seq: 1, data: { message: message(1, 2, 1, 'again') } } as Event
  const events = [follow, created, left, rejoin, again]
  const batched = reduceMany(s, events, { me })
  t.same(batched, oneByOne(s, events))
  t.same(Object.values(batched.messages).map((m) => m.text), ['again'], 'only what came after the drop stays')
})
