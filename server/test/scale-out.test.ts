import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callHttp, callSocket, LIVE_EVENT, OCommsError, type Event } from '@ocomms/shared'
import { io as connectSocket, type Socket } from 'socket.io-client'
import { freshDatabase } from './helpers/database.js'
import { startServerProcess } from './helpers/process.js'
import { redisMissing, startRedis } from './helpers/redis.js'

const missing = redisMissing()

/** A socket that keeps every live event, with a wait for one that matches. */
async function live(url: string, token: string) {
  const socket: Socket = connectSocket(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true })
  const events: Event[] = []
  const waiters: Array<{ match: (e: Event) => boolean; resolve: (e: Event) => void }> = []
  socket.on(LIVE_EVENT, (e: Event) => {
    events.push(e)
    for (const w of [...waiters]) {
      if (!w.match(e)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(e)
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return {
    socket,
    events,
    waitFor(match: (e: Event) => boolean, ms = 5_000): Promise<Event> {
      const seen = events.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms)
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) })
      })
    },
  }
}

const isText = (text: string) => (e: Event) => e.type === 'message.created' && (e.data.message as { text: string }).text === text

t.test('two server processes on one database share rooms, sync and login throttling through Redis', { skip: missing ?? false }, async (t) => {
  const redis = await startRedis(t)
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, OCOMMS_LOGIN_LIMIT_ACCOUNT: '3' }
  // One after the other, so the migrations run once.
  const a = await startServerProcess(t, env)
  const b = await startServerProcess(t, env)
  t.not(a.url, b.url, 'two processes, two ports')

  const alice = await callHttp(a.url, 'auth.signup', { email: 'alice@example.test', password: 'long enough pw', name: 'Alice', handle: 'alice' })
  const bob = await callHttp(b.url, 'auth.signup', { email: 'bob@example.test', password: 'long enough pw', name: 'Bob', handle: 'bob' })
  const ws = await callHttp(a.url, 'workspace.create', { name: 'Acme' }, { token: alice.token })
  const invite = await callHttp(a.url, 'invite.create', { workspaceId: ws.id, role: 'member' }, { token: alice.token })
  await callHttp(b.url, 'invite.accept', { code: invite.code }, { token: bob.token })
  const [general] = await callHttp(b.url, 'conversation.list', { workspaceId: ws.id }, { token: bob.token })

  const onA = await live(a.url, alice.token)
  const onB = await live(b.url, bob.token)
  t.teardown(() => {
    onA.socket.close()
    onB.socket.close()
  })

  // A send on process A reaches Bob on process B, and the other way round.
  await callSocket(onA.socket.timeout(10_000), 'message.send', { conversationId: general!.id, text: 'from A', clientId: randomUUID() })
  const got = await onB.waitFor(isText('from A'))
  t.equal(got.conversationId, general!.id, 'a member on B receives live what a member on A sent')
  await callHttp(b.url, 'message.send', { conversationId: general!.id, text: 'from B', clientId: randomUUID() }, { token: bob.token })
  await onA.waitFor(isText('from B'))
  t.pass('a member on A receives live what a member on B sent')

  // Room changes made on A reach Bob's socket on B: a private channel he is added to.
  const secret = await callHttp(a.url, 'channel.create', { workspaceId: ws.id, name: 'secret', private: true }, { token: alice.token })
  await callHttp(a.url, 'conversation.invite', { conversationId: secret.id, userIds: [bob.user.id] }, { token: alice.token })
  await onB.waitFor((e) => e.type === 'conversation.added' && e.streamId === bob.user.id)
  await callHttp(a.url, 'message.send', { conversationId: secret.id, text: 'psst', clientId: randomUUID() }, { token: alice.token })
  t.equal((await onB.waitFor(isText('psst'))).conversationId, secret.id, 'B\'s socket joined the new room on A\'s behalf')

  // Catch-up across processes: Bob goes away, Alice writes on A, Bob syncs from B.
  const cursor = (await onB.waitFor(isText('from B'))).seq
  onB.socket.close()
  const sent: number[] = []
  for (const text of ['one', 'two', 'three']) {
    const m = await callHttp(a.url, 'message.send', { conversationId: general!.id, text, clientId: randomUUID() }, { token: alice.token })
    sent.push(m.seq)
  }
  const synced = await callHttp(b.url, 'sync', { conversations: { [general!.id]: cursor } }, { token: bob.token })
  const page = synced.conversations.find((p) => p.streamId === general!.id)!
  t.same(page.events.map((e) => e.seq), sent, 'sync on B returns exactly what was sent on A after the cursor')
  t.same(page.events.map((e) => (e.data.message as { text: string }).text), ['one', 'two', 'three'])
  t.equal(page.hasMore, false)

  // Logging out on A closes the session's sockets on B.
  const again = await live(b.url, bob.token)
  const closed = new Promise<string>((resolve) => again.socket.once('disconnect', (reason) => resolve(reason)))
  await callHttp(a.url, 'auth.logout', {}, { token: bob.token })
  t.equal(await closed, 'io server disconnect', 'the server on B closed the socket when Bob logged out on A')

  // Failed logins count across processes: three on A spend the budget on B too.
  for (let i = 0; i < 3; i++) {
    await t.rejects(callHttp(a.url, 'auth.login', { email: 'alice@example.test', password: 'wrong' }), { code: 'unauthenticated' })
  }
  const blocked = await callHttp(b.url, 'auth.login', { email: 'alice@example.test', password: 'long enough pw' }).catch((e: unknown) => e)
  t.ok(blocked instanceof OCommsError && blocked.code === 'rate_limited', 'the fourth attempt, on B, is throttled')

  // Redis restarts: what was published meanwhile is gone, so each process closes its sockets
  // and the clients come back through sync.
  const watcher = await live(a.url, alice.token)
  const dropped = new Promise<string>((resolve) => watcher.socket.once('disconnect', (reason) => resolve(reason)))
  await redis.stop()
  // While Redis is away, sign-in still works: each process counts attempts in memory.
  const during = await callHttp(b.url, 'auth.login', { email: 'bob@example.test', password: 'long enough pw' })
  t.ok(during.token, 'login works while Redis is down')
  await startRedis(t, Number(new URL(redis.url).port))
  t.equal(await dropped, 'io server disconnect', 'after Redis came back, the server closed its sockets so clients resync')
  const later = await live(a.url, alice.token)
  const bobAgain = await callHttp(b.url, 'auth.login', { email: 'bob@example.test', password: 'long enough pw' })
  await callHttp(b.url, 'message.send', { conversationId: general!.id, text: 'after the restart', clientId: randomUUID() }, { token: bobAgain.token })
  await later.waitFor(isText('after the restart'), 10_000)
  t.pass('live delivery across processes works again')
  later.socket.close()

  t.equal(await a.stop(), 0, 'A stops cleanly with Redis connections open')
  t.equal(await b.stop(), 0)
})

t.test('a wrong REDIS_URL stops the start with a clear message', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const err = await startServerProcess(t, { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' }).catch((e: unknown) => e)
  t.match(String(err), /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/)
})

if (missing) t.comment(`skipped the Redis scale-out test: ${missing}`)
