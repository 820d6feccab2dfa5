import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Conversation, Event, Message } from '@ocomms/shared'
import { batchChanges, eventChanges } from '@ocomms/shared/client'
import { Cache } from '../src/cache.js'
import { SqliteStorage } from '../src/sqlite-storage.js'

/** The shared reducer's changes for one event, stored in the cache: what the daemon's engine does per event. */
function applyEvent(cache: Cache, event: Event, me: string): string {
  const storage = new SqliteStorage(cache)
  const { result, changes } = eventChanges(storage, event, { me })
  if (changes) storage.apply(changes)
  return result === 'unknown-stream' ? 'unknown' : result
}

const me = randomUUID()
const conv: Conversation = {
  id: randomUUID(), workspaceId: randomUUID(), kind: 'public', name: 'general', topic: '', description: '', memberCount: 2,
  archived: false, createdBy: me, createdAt: new Date().toISOString(), isMember: true, lastSeq: 3,
}
const message = (seq: number, text: string, extra: Partial<Message> = {}): Message => ({
  id: randomUUID(), seq, conversationId: conv.id, threadRootId: null, alsoInChannel: false, clientId: null,
  author: { id: me, handle: 'ann', name: 'Ann' }, text, createdAt: new Date().toISOString(), editedAt: null, deleted: false,
  replyCount: 0, lastReplyAt: null, replyParticipants: [], reactions: [], pinned: false, files: [], ...extra,
})
const event = (seq: number, type: string, data: Record<string, unknown>): Event => ({
  stream: 'conversation', streamId: conv.id, seq, type, at: new Date().toISOString(), conversationId: conv.id, data,
})

t.test('events apply strictly in seq order per stream', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-cache-'))
  const cache = new Cache(join(dir, 'c.sqlite'))
  t.teardown(async () => {
    cache.close()
    await rm(dir, { recursive: true, force: true })
  })
  cache.putConversation(conv, 3)
  const m4 = message(4, 'four')
  t.equal(applyEvent(cache, event(5, 'message.created', { message: message(5, 'five') }), me), 'gap', 'a later seq is a gap: sync first')
  t.equal(cache.history(conv.id, 10).length, 0, 'and nothing was applied')
  t.equal(applyEvent(cache, event(4, 'message.created', { message: m4 }), me), 'applied')
  t.equal(applyEvent(cache, event(4, 'message.created', { message: m4 }), me), 'old', 'the same event twice is ignored')
  t.equal(applyEvent(cache, event(3, 'conversation.updated', { conversation: { ...conv, topic: 'x' } }), me), 'old')
  t.equal(cache.conversation(conv.id)!.cursor, 4)

  const reply = message(6, 'reply', { threadRootId: m4.id })
  t.equal(applyEvent(cache, event(5, 'conversation.updated', { conversation: { ...conv, topic: 'new topic', isMember: false } }), me), 'applied')
  t.equal(cache.conversation(conv.id)!.conversation.topic, 'new topic')
  t.equal(cache.conversation(conv.id)!.conversation.isMember, true, 'the viewer\'s membership is not taken from a shared event')
  applyEvent(cache, event(6, 'message.created', { message: reply, root: { id: m4.id, replyCount: 1, lastReplyAt: reply.createdAt, replyParticipants: [reply.author] } }), me)
  t.same(cache.history(conv.id, 10).map((m) => [m.text, m.replyCount]), [['four', 1]], 'replies stay out of the history; the root counts them')
  t.same(cache.thread(m4.id).map((m) => m.text), ['reply'])
  applyEvent(cache, event(7, 'message.deleted', { messageId: m4.id, threadRootId: null }), me)
  t.match(cache.message(m4.id), { deleted: true, text: '' })
  t.equal(applyEvent(cache, event(99, 'message.created', { message: message(99, 'x') }), me), 'gap')
  t.equal(applyEvent(cache, { ...event(1, 'message.created', {}), streamId: randomUUID() }, me), 'unknown', 'an unknown conversation asks for a sync')

  // User stream: joining and leaving.
  const other: Conversation = { ...conv, id: randomUUID(), name: 'dev', lastSeq: 10, isMember: false }
  const userEvent = (seq: number, type: string, data: Record<string, unknown>): Event => ({ stream: 'user', streamId: me, seq, type, at: new Date().toISOString(), data })
  t.equal(applyEvent(cache, userEvent(1, 'conversation.added', { conversation: other }), me), 'applied')
  t.match(cache.conversation(other.id), { cursor: 10, conversation: { isMember: true } }, 'a new conversation is followed from its head')
  t.equal(applyEvent(cache, userEvent(3, 'conversation.removed', { conversationId: other.id }), me), 'gap')
  t.equal(applyEvent(cache, userEvent(2, 'conversation.removed', { conversationId: other.id }), me), 'applied')
  t.equal(cache.conversation(other.id)!.conversation.isMember, false, 'a public channel left stays known, unfollowed')
  t.notOk(Object.keys(cache.memberCursors()).includes(other.id))
})

t.test('the outbox keeps order and reports a delivery once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-cache-'))
  const cache = new Cache(join(dir, 'c.sqlite'))
  t.teardown(async () => {
    cache.close()
    await rm(dir, { recursive: true, force: true })
  })
  for (const text of ['a', 'b', 'c']) cache.enqueue({ clientId: `id-${text}`, conversationId: conv.id, threadRootId: null, alsoToChannel: false, text })
  cache.enqueue({ clientId: 'id-a', conversationId: conv.id, threadRootId: null, alsoToChannel: false, text: 'a again' })
  t.same(cache.outbox().map((e) => e.text), ['a', 'b', 'c'], 'in order; a repeated clientId is one entry')
  t.equal(cache.dequeue('id-b'), true)
  t.equal(cache.dequeue('id-b'), false, 'only one path can report the delivery')
  t.equal(cache.outboxSize(), 2)
  cache.outboxUpdate('id-c', { failed: { code: 'forbidden', message: 'no', at: new Date().toISOString() } })
  t.equal(cache.outboxSize(), 1, 'a set-aside entry no longer waits')
  t.equal(cache.outboxFailedCount(), 1)
  t.match(cache.outboxEntry('id-c'), { failed: { code: 'forbidden' } })
})

t.test('events stored as one batch leave the cache as one by one, a history dropped within the batch included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-cache-'))
  const caches = [new Cache(join(dir, 'one-by-one.sqlite')), new Cache(join(dir, 'batch.sqlite'))] as const
  t.teardown(async () => {
    for (const c of caches) c.close()
    await rm(dir, { recursive: true, force: true })
  })
  for (const c of caches) c.putConversation(conv, 3)
  const dev: Conversation = { ...conv, id: randomUUID(), name: 'dev', lastSeq: 0, isMember: false }
  const userEvent = (seq: number, type: string, data: Record<string, unknown>): Event => ({ stream: 'user', streamId: me, seq, type, at: new Date().toISOString(), data })
  const devEvent = (seq: number, text: string): Event => ({ ...event(seq, 'message.created', { message: { ...message(seq, text), conversationId: dev.id } }), streamId: dev.id, conversationId: dev.id })
  const m4 = message(4, 'four')
  const events = [
    event(4, 'message.created', { message: m4 }),
    event(6, 'message.created', { message: message(6, 'a gap') }),
    event(5, 'reaction.added', { messageId: m4.id, threadRootId: null, emoji: '👍', member: m4.author, reactions: [{ emoji: '👍', count: 1, members: ['ann'] }] }),
    event(4, 'message.created', { message: m4 }),
    userEvent(1, 'conversation.added', { conversation: dev }),
    devEvent(1, 'before leaving'),
    userEvent(2, 'conversation.removed', { conversationId: dev.id }),
    userEvent(3, 'conversation.added', { conversation: { ...dev, lastSeq: 1 } }),
    devEvent(2, 'after joining again'),
  ]
  const oneByOne = events.map((e) => applyEvent(caches[0], e, me))
  const storage = new SqliteStorage(caches[1])
  const { results, changes } = batchChanges(storage, events, { me })
  storage.apply(changes)
  t.same(results.map((r) => (r === 'unknown-stream' ? 'unknown' : r)), oneByOne)
  for (const id of [conv.id, dev.id]) {
    t.same(caches[1].messagesIn(id), caches[0].messagesIn(id))
    t.same(caches[1].conversation(id), caches[0].conversation(id))
  }
  t.same(caches[1].messagesIn(dev.id).map((m) => m.text), ['after joining again'], 'what came before the drop went with it')
  t.equal(caches[1].cursor('user', me), 3)
})
