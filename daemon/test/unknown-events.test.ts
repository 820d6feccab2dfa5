import t from 'tap'
import type { EventType } from '@ocomms/shared'
import { transaction } from '../../server/src/events/transaction.js'
import { cacheView, caughtUp, randomUUID, serverView, startObserver, startTestServer, type TestServer } from './convergence-world.js'

/**
 * A newer server may send event types this client does not know. Such an event is never
 * silently dropped: it is logged (once per type) and its stream is rebuilt from a fresh read,
 * which moves the cursor past it; later events apply as usual.
 */

/** Writes an event of a type this build does not know, the way a newer server would. */
function emitUnknown(server: TestServer, conversationId: string, type: string) {
  return transaction(server.services, (change) =>
    change.emit('conversation', conversationId, type as EventType, { something: 'new' } as never, { conversationId }),
  )
}

t.test('an unknown event type is logged once and resyncs its stream, live and through sync', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob')
  const [alice, bob] = people
  const general = (await alice.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!.id
  const observer = await startObserver(t, server, bob)
  const logged = (type: string) => observer.warnings.filter((l) => l.msg === 'unknown event type: resyncing its stream' && l.type === type)
  const cursor = () => observer.session.cache.conversation(general)!.cursor
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25))
    return ok()
  }

  const first = await emitUnknown(server, general, 'message.exploded')
  t.ok(await until(() => cursor() >= first.seq), 'live: the stream was rebuilt past the unknown event')
  t.equal(logged('message.exploded').length, 1, 'and it was logged')

  const after = await alice.call('message.send', { conversationId: general, text: 'after it', clientId: randomUUID() })
  t.ok(await until(() => observer.session.cache.message(after.id) !== null), 'later events apply as usual')

  const second = await emitUnknown(server, general, 'message.exploded')
  t.ok(await until(() => cursor() >= second.seq))
  t.equal(logged('message.exploded').length, 1, 'the same type is logged once')

  observer.stop()
  const third = await emitUnknown(server, general, 'poll.created')
  const later = await alice.call('message.send', { conversationId: general, text: 'while away', clientId: randomUUID() })
  await observer.restart()
  await caughtUp(observer)
  t.ok(await until(() => cursor() >= later.seq), 'through sync: the stream was rebuilt past it')
  t.ok(third.seq < later.seq)
  t.equal(logged('poll.created').length, 1, 'and it was logged')
  const cache = cacheView(observer, ws)
  t.same(cache.conversations, (await serverView(observer, ws, {})).conversations, 'the conversation is as the server has it')
})
