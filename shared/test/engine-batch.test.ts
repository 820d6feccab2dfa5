import t from 'tap'
import { LIVE_EVENT, type Event } from '../src/events/index.js'
import { ClientEngine, MemoryStore, streamKey, type Changes, type EngineEvent, type EngineSocket } from '../src/client/index.js'
import type { Conversation, Message } from '../src/schemas.js'

/**
 * Live events that arrive together are applied together: one storage write (one transaction in
 * the daemon's SQLite and the page's IndexedDB) and one change for subscribers, their cursors
 * in that same write.
 */

const me = '00000000-0000-4000-8000-0000000000aa'
const conv = '00000000-0000-4000-8000-000000000001'
const alice = { id: '00000000-0000-4000-8000-0000000000cc', handle: 'alice', name: 'Alice' }
const at = '2026-01-01T00:00:00.000Z'
const conversation: Conversation = {
  id: conv, workspaceId: '00000000-0000-4000-8000-0000000000bb', kind: 'public', name: 'general', topic: '', description: '', memberCount: 2,
  archived: false, createdBy: alice.id, createdAt: at, isMember: true, lastSeq: 0,
}
const message = (seq: number): Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, seq, conversationId: conv, threadRootId: null, alsoInChannel: false,
  clientId: null, author: alice, text: `m${seq}`, createdAt: at, editedAt: null, deleted: false, replyCount: 0, lastReplyAt: null,
  replyParticipants: [], reactions: [], pinned: false, files: [], mentions: { handles: [], channel: false, here: false },
})
const created = (seq: number): Event => ({ stream: 'conversation', streamId: conv, conversationId: conv, seq, at, type: 'message.created', data: { message: message(seq) } })

/** A socket that never connects (so no sync runs): the test delivers live events by hand. */
function fakeSocket() {
  const handlers = new Map<string, (...args: never[]) => void>()
  const socket: EngineSocket = {
    connected: false,
    on: (event, listener) => handlers.set(event, listener),
    removeAllListeners: () => handlers.clear(),
    connect: () => {},
    disconnect: () => {},
    timeout: () => socket,
    emitWithAck: () => new Promise(() => {}),
  }
  const deliver = (e: Event) => (handlers.get(LIVE_EVENT) as unknown as (e: Event) => void)(e)
  return { socket, deliver }
}

/** Memory storage counting its writes, and the changes each write carried. */
class CountingStore extends MemoryStore {
  writes: Changes[] = []
  override apply(changes: Changes): void {
    this.writes.push(changes)
    super.apply(changes)
  }
}

function setup(scheduleLive?: (apply: () => void) => void) {
  const storage = new CountingStore()
  storage.apply({ put: { conversations: { [conv]: conversation }, cursors: { [streamKey('conversation', conv)]: 0 } }, remove: {}, dropHistory: [] })
  storage.writes = []
  const { socket, deliver } = fakeSocket()
  const published: EngineEvent[] = []
  let notified = 0
  storage.onChange(() => notified++)
  const engine = new ClientEngine({
    account: { server: 'http://127.0.0.1:1', token: '', user: { ...alice, id: me, handle: 'me', name: 'Me' } as never, workspaces: [], workspaceId: null },
    storage,
    openSocket: () => socket,
    log: { info: () => {}, warn: () => {} },
    publish: (e) => published.push(e),
    ...(scheduleLive ? { scheduleLive } : {}),
  })
  engine.start()
  return { engine, storage, deliver, published, notifications: () => notified }
}

const tick = () => new Promise((r) => setTimeout(r, 5))

t.test('50 events in one tick: one storage write, one change for subscribers, all 50 published in order', async (t) => {
  const { engine, storage, deliver, published, notifications } = setup()
  t.teardown(() => engine.stop())
  for (let seq = 1; seq <= 50; seq++) deliver(created(seq))
  t.equal(storage.writes.length, 0, 'nothing applied while the events are still coming')
  await tick()
  t.equal(storage.writes.length, 1, 'one write')
  t.equal(notifications(), 1, 'one change for subscribers')
  t.equal(Object.keys(storage.writes[0]!.put.messages ?? {}).length, 50, 'carrying every message')
  t.equal(storage.writes[0]!.put.cursors?.[streamKey('conversation', conv)], 50, 'and the cursor, in the same write')
  t.same(published.filter((e) => e.type === 'message.created').map((e) => (e as Event).seq), Array.from({ length: 50 }, (_, i) => i + 1))
  t.equal(Object.keys(storage.state.messages).length, 50)

  deliver(created(51))
  await tick()
  t.equal(storage.writes.length, 2, 'a later event makes its own write')
  t.equal(storage.get('cursors', streamKey('conversation', conv)), 51)
})

t.test('events seen already, in a batch with new ones, are skipped as one by one', async (t) => {
  const { engine, storage, deliver } = setup()
  t.teardown(() => engine.stop())
  for (const seq of [1, 2, 1, 3, 2]) deliver(created(seq))
  await tick()
  t.equal(storage.writes.length, 1)
  t.equal(storage.get('cursors', streamKey('conversation', conv)), 3)
  t.equal(Object.keys(storage.state.messages).length, 3)
})

t.test('stopped before a batch is applied: nothing of it is stored, the cursor stays behind it', async (t) => {
  const pending: Array<() => void> = []
  const { engine, storage, deliver } = setup((apply) => pending.push(apply))
  deliver(created(1))
  deliver(created(2))
  engine.stop()
  for (const apply of pending) apply()
  t.equal(storage.writes.length, 0)
  t.equal(storage.get('cursors', streamKey('conversation', conv)), 0, 're-synced from here at the next start')
})

t.test('the page chooses when a batch is applied', async (t) => {
  const pending: Array<() => void> = []
  const { engine, storage, deliver } = setup((apply) => pending.push(apply))
  t.teardown(() => engine.stop())
  for (let seq = 1; seq <= 10; seq++) deliver(created(seq))
  t.equal(pending.length, 1, 'one batch scheduled for all ten')
  await tick()
  t.equal(storage.writes.length, 0, 'not applied before its time')
  pending.shift()!()
  t.equal(storage.writes.length, 1)
  t.equal(storage.get('cursors', streamKey('conversation', conv)), 10)
})
