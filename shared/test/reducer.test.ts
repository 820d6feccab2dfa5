import t from 'tap'
import { eventTypes, type Event, type EventType } from '../src/events/index.js'
import { emptyState, ignoredEvents, reduce, rules, streamKey, type ClientState } from '../src/client/index.js'
import type { Conversation, Message } from '../src/schemas.js'

const ws = '00000000-0000-4000-8000-000000000001'
const conv = '00000000-0000-4000-8000-000000000002'
const alice = { id: '00000000-0000-4000-8000-00000000000a', handle: 'alice', name: 'Alice' }
const bob = { id: '00000000-0000-4000-8000-00000000000b', handle: 'bob', name: 'Bob' }
const msgId = '00000000-0000-4000-8000-000000000003'
const at = '2026-01-01T00:00:00.000Z'

const conversation: Conversation = {
  id: conv, workspaceId: ws, kind: 'public', name: 'ops', topic: '', description: '', memberCount: 2, archived: false,
  createdBy: alice.id, createdAt: at, isMember: true, lastSeq: 0,
}
const message: Message = {
  id: msgId, seq: 1, conversationId: conv, threadRootId: null, alsoInChannel: false, clientId: null, author: alice, text: 'hi @bob',
  createdAt: at, editedAt: null, deleted: false, replyCount: 0, lastReplyAt: null, replyParticipants: [], reactions: [], pinned: false,
  files: [], mentions: { handles: ['bob'], channel: false, here: false },
}

function start(): ClientState {
  const s = emptyState()
  s.conversations[conv] = conversation
  s.cursors[streamKey('conversation', conv)] = 0
  return s
}
let seq = 0
const ev = (type: EventType, data: Record<string, unknown>): Event => ({ stream: 'conversation', streamId: conv, seq: ++seq, type, at, conversationId: conv, data })

t.test('every known event type has a rule or a reason to be ignored, not both', async (t) => {
  for (const type of eventTypes) {
    const ruled = type in rules
    const ignored = type in ignoredEvents
    t.ok(ruled !== ignored, `${type}: ${ruled ? 'rule' : ''}${ignored ? 'ignored' : ''}`)
  }
  for (const type of [...Object.keys(rules), ...Object.keys(ignoredEvents)]) t.ok((eventTypes as readonly string[]).includes(type), `${type} is a known type`)
})

t.test('issue 17: a reaction taken back is gone for everyone', async (t) => {
  seq = 0
  let s = start()
  s = reduce(s, ev('message.created', { message }))
  s = reduce(s, ev('reaction.added', { messageId: msgId, threadRootId: null, emoji: '👍', member: bob, reactions: [{ emoji: '👍', count: 1, members: ['bob'] }] }))
  s = reduce(s, ev('reaction.added', { messageId: msgId, threadRootId: null, emoji: '👍', member: alice, reactions: [{ emoji: '👍', count: 2, members: ['bob', 'alice'] }] }))
  s = reduce(s, ev('reaction.removed', { messageId: msgId, threadRootId: null, emoji: '👍', member: bob, reactions: [{ emoji: '👍', count: 1, members: ['alice'] }] }))
  t.same(s.messages[msgId]!.reactions, [{ emoji: '👍', count: 1, members: ['alice'] }])
  t.equal(s.conversations[conv]!.lastSeq, 4)
  t.equal(s.cursors[streamKey('conversation', conv)], 4)
})

t.test('message.deleted hides text, reactions, files and mentions', async (t) => {
  seq = 0
  let s = start()
  s = reduce(s, ev('message.created', { message: { ...message, reactions: [{ emoji: '👍', count: 1, members: ['bob'] }] } }))
  s = reduce(s, ev('message.deleted', { messageId: msgId, threadRootId: null }))
  const m = s.messages[msgId]!
  t.equal(m.deleted, true)
  t.equal(m.text, '')
  t.same(m.reactions, [])
  t.same(m.files, [])
  t.same(m.mentions, { handles: [], channel: false, here: false })
})

t.test('pins, and events out of order', async (t) => {
  seq = 0
  let s = start()
  s = reduce(s, ev('message.created', { message }))
  s = reduce(s, ev('message.pinned', { messageId: msgId, pinnedBy: bob, pinnedAt: at, message: { ...message, pinned: true } }))
  t.equal(s.messages[msgId]!.pinned, true)
  const before = s
  seq = 5
  s = reduce(s, ev('message.unpinned', { messageId: msgId, by: bob, reason: 'unpinned' }))
  t.equal(s, before, 'a gap changes nothing (the stream is synced instead)')
  seq = 1
  s = reduce(s, ev('message.unpinned', { messageId: msgId, by: bob, reason: 'unpinned' }))
  t.equal(s, before, 'an old event changes nothing')
  s = reduce(s, ev('message.unpinned', { messageId: msgId, by: bob, reason: 'unpinned' }))
  t.equal(s.messages[msgId]!.pinned, false)
})

t.test('an unknown event type changes nothing', async (t) => {
  seq = 0
  const s = start()
  t.equal(reduce(s, ev('message.exploded' as EventType, {})), s)
})

t.test('member.left and workspace.updated', async (t) => {
  let s = emptyState()
  const member = { ...bob, role: 'member' as const, state: 'active' as const, joinedAt: at, presence: 'online' as const, status: null, dnd: false }
  const wsEvent = (n: number, type: EventType, data: Record<string, unknown>): Event => ({ stream: 'workspace', streamId: ws, seq: n, type, at, data })
  s = reduce(s, wsEvent(1, 'member.joined', { member }))
  t.ok(s.members[`${ws}/${bob.id}`])
  s = reduce(s, wsEvent(2, 'member.left', { userId: bob.id, state: 'left' }))
  t.notOk(s.members[`${ws}/${bob.id}`])
  s = reduce(s, wsEvent(3, 'workspace.updated', { mentionPolicy: { workspaceId: ws, who: 'admins', minMembers: 5 } }))
  t.equal(s.workspaces[ws]!.mentionPolicy!.who, 'admins')
})
