import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callHttp, callSocket, LIVE_EVENT, OCommsError, PRESENCE_EVENT, TYPING_EVENT, type Event, type PresenceInfo, type TypingSignal } from '@ocomms/shared'
import { Redis } from 'ioredis'
import { io as connectSocket, type Socket } from 'socket.io-client'
import { collect, sleep } from './helpers/attention.js'
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
  // Presence does not wait for Redis: member lists answer with what the process knows.
  const asked = Date.now()
  const member = await callHttp(b.url, 'member.get', { workspaceId: ws.id, member: 'alice' }, { token: during.token })
  t.ok(member.presence && Date.now() - asked < 3000, `member.get answers while Redis is down (${Date.now() - asked} ms)`)
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

t.test('presence, @here and typing are shared by every process through Redis', { skip: missing ?? false }, async (t) => {
  const redis = await startRedis(t)
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const idleSeconds = 5
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, OCOMMS_PRESENCE_IDLE: String(idleSeconds), OCOMMS_PRESENCE_PROCESS_TTL: '2' }
  const a = await startServerProcess(t, env)
  // B's heartbeat lasts longer, so its clean stop below is told apart from a sweep after a crash.
  const b = await startServerProcess(t, { ...env, OCOMMS_PRESENCE_PROCESS_TTL: '10' })

  const signup = (handle: string) =>
    callHttp(a.url, 'auth.signup', { email: `${handle}@example.test`, password: 'long enough pw', name: handle, handle })
  const [alice, bob, carol] = [await signup('alice'), await signup('bob'), await signup('carol')]
  const ws = await callHttp(a.url, 'workspace.create', { name: 'Acme' }, { token: alice.token })
  for (const who of [bob, carol]) {
    const invite = await callHttp(a.url, 'invite.create', { workspaceId: ws.id, role: 'member' }, { token: alice.token })
    await callHttp(b.url, 'invite.accept', { code: invite.code }, { token: who.token })
  }
  const [general] = await callHttp(a.url, 'conversation.list', { workspaceId: ws.id }, { token: alice.token })
  const sockets: Socket[] = []
  t.teardown(() => sockets.forEach((s) => s.close()))
  const connect = async (url: string, token: string) => {
    const s = await live(url, token)
    sockets.push(s.socket)
    return s
  }
  const presenceOn = async (url: string, handle: string) =>
    (await callHttp(url, 'member.get', { workspaceId: ws.id, member: handle }, { token: alice.token })).presence
  const is = (userId: string, presence: PresenceInfo['presence']) => (i: PresenceInfo) => i.userId === userId && i.presence === presence

  // Alice watches bob and carol from both processes.
  const watchA = await connect(a.url, alice.token)
  const watchB = await connect(b.url, alice.token)
  const onA = collect<PresenceInfo>(watchA.socket, PRESENCE_EVENT)
  const onB = collect<PresenceInfo>(watchB.socket, PRESENCE_EVENT)
  for (const w of [watchA, watchB]) await callSocket(w.socket, 'presence.subscribe', { userIds: [bob.user.id, carol.user.id] })

  // Bob connects to A only: B sees him online, live and when asked.
  let seenA = onA.next(is(bob.user.id, 'online'))
  let seenB = onB.next(is(bob.user.id, 'online'))
  const bobA = await connect(a.url, bob.token)
  await Promise.all([seenA, seenB])
  t.pass('a person connected to A is signalled online to a watcher on B')
  t.equal(await presenceOn(b.url, 'bob'), 'online', 'member.get on B: online')
  const answered = await callSocket(watchB.socket, 'presence.subscribe', { userIds: [bob.user.id, carol.user.id] })
  t.same(answered.map((i) => [i.userId, i.presence]), [[bob.user.id, 'online'], [carol.user.id, 'offline']], 'presence.subscribe on B answers the same')

  // @here sent through B notifies bob, who is connected only to A.
  await callSocket(bobA.socket, 'presence.activity', {})
  await callHttp(b.url, 'message.send', { conversationId: general!.id, text: '@here standup', clientId: randomUUID() }, { token: carol.token })
  const note = await bobA.waitFor((e) => e.type === 'notification')
  t.equal((note.data as { reason: string }).reason, 'here', '@here on B reached bob on A')
  const [mention] = await callHttp(a.url, 'mentions.list', { workspaceId: ws.id }, { token: bob.token })
  t.equal(mention?.mention.kind, 'here', 'stored as a mention by @here')

  // Activity is throttled: a burst of reports costs at most one write.
  const scriptCalls = async () => {
    const stats = await probe.info('commandstats')
    return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0)
  }
  const probe = new Redis(redis.url)
  t.teardown(() => probe.disconnect())
  await sleep(600)
  const before = await scriptCalls()
  for (let i = 0; i < 20; i++) await callSocket(bobA.socket, 'presence.activity', {})
  const burst = (await scriptCalls()) - before
  // The heartbeats of A and B run scripts too (A every 0.67 s), hence a little slack.
  t.ok(burst <= 3, `20 activity reports ran ${burst} Redis scripts`)

  // Typing through A reaches a member watching on B.
  const typing = collect<TypingSignal>(watchB.socket, TYPING_EVENT)
  await callSocket(bobA.socket, 'typing.start', { conversationId: general!.id })
  t.equal((await typing.waitFor((s) => s.userId === bob.user.id)).typing, true, 'a typing signal sent on A reaches B')

  // Connected to both; closing A leaves him online everywhere.
  const bobB = await connect(b.url, bob.token)
  await callSocket(bobB.socket, 'presence.activity', {})
  await sleep(300)
  const [fromA, fromB] = [onA.items.length, onB.items.length]
  bobA.socket.close()
  await sleep(1000)
  const newSignals = [...onA.items.slice(fromA), ...onB.items.slice(fromB)].filter((i) => i.userId === bob.user.id)
  t.notOk(newSignals.some((i) => i.presence === 'offline'), 'no offline signal while his socket on B is open')
  t.equal(await presenceOn(a.url, 'bob'), 'online', 'A still shows him online')
  t.equal(await presenceOn(b.url, 'bob'), 'online', 'B too')

  // Closing the last one: offline, on both.
  seenA = onA.next(is(bob.user.id, 'offline'))
  seenB = onB.next(is(bob.user.id, 'offline'))
  bobB.socket.close()
  await Promise.all([seenA, seenB])
  t.pass('his last socket closing is signalled offline to watchers on both processes')
  t.equal(await presenceOn(a.url, 'bob'), 'offline')
  t.equal(await presenceOn(b.url, 'bob'), 'offline')

  // Idle: connected to B only, he turns away after the idle time; activity recorded on A (over
  // HTTP, no socket there) brings him back, and he turns away again without B's involvement.
  seenA = onA.next(is(bob.user.id, 'away'), (idleSeconds + 5) * 1000)
  const bobB2 = await connect(b.url, bob.token)
  await seenA
  t.pass('idle on B: away, seen on A')
  seenB = onB.next(is(bob.user.id, 'online'))
  const activeAt = Date.now()
  await callHttp(a.url, 'presence.activity', {}, { token: bob.token })
  await seenB
  t.pass('activity recorded on A, where he has no socket: online again, seen on B')
  await onB.next(is(bob.user.id, 'away'), (idleSeconds + 5) * 1000)
  const after = Date.now() - activeAt
  t.ok(after >= idleSeconds * 1000 - 700, `away again after the idle time counted from the activity on A (${after} ms)`)

  // Redis loses everything without a restart: each process writes its sockets back.
  await probe.flushall()
  const flushedAt = Date.now()
  let back = 'offline'
  for (let i = 0; i < 40 && back === 'offline'; i++) back = await sleep(250).then(() => presenceOn(a.url, 'bob'))
  t.not(back, 'offline', `after Redis lost its data, B registered bob's socket again (${Date.now() - flushedAt} ms, heartbeat every 3.3 s)`)

  // A process killed without cleanup: its people go offline within the heartbeat TTL (2 s) and a third of it.
  const c = await startServerProcess(t, env)
  seenA = onA.next(is(carol.user.id, 'online'))
  await connect(c.url, carol.token)
  await seenA
  seenA = onA.next(is(carol.user.id, 'offline'), 10_000)
  seenB = onB.next(is(carol.user.id, 'offline'), 10_000)
  const killedAt = Date.now()
  c.child.kill('SIGKILL')
  await Promise.all([seenA, seenB])
  const took = Date.now() - killedAt
  t.ok(took < 2000 + 667 + 1500, `carol, connected only to the killed process, went offline after ${took} ms`)
  t.equal(await presenceOn(b.url, 'carol'), 'offline', 'and B says so')

  // A clean stop withdraws its sockets at once (B's heartbeat would last 10 s).
  seenA = onA.next(is(bob.user.id, 'offline'))
  const stoppedAt = Date.now()
  t.equal(await b.stop(), 0, 'B stops cleanly')
  await seenA
  const stopTook = Date.now() - stoppedAt
  t.ok(stopTook < 5000, `bob, connected only to B, was signalled offline ${stopTook} ms after B was told to stop`)
  t.equal(await presenceOn(a.url, 'bob'), 'offline')
  bobB2.socket.close()
  t.equal(await a.stop(), 0)
})

t.test('a wrong REDIS_URL stops the start with a clear message', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const err = await startServerProcess(t, { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' }).catch((e: unknown) => e)
  t.match(String(err), /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/)
})

if (missing) t.comment(`skipped the Redis scale-out test: ${missing}`)
