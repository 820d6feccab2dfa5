import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callHttp, OCommsError, operations, pathWithQuery } from '@ocomms/shared'
import { loadConfig } from '../src/config.js'
import { startTestServer } from './helpers/server.js'

type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string; details?: { retryAfter?: number } } }

/** The limits a server runs with when nobody configures them. */
const defaults = loadConfig({}).admission

t.test('one member floods; another person\'s send in another channel is answered while the flood is still being refused', async (t) => {
  const server = await startTestServer(t, { admission: defaults })
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const other = await bob.call('channel.create', { workspaceId: ws.id, name: 'other' })
  const target = await alice.call('message.send', { conversationId: general.id, text: 'react to me', clientId: randomUUID() })
  const flooder = await server.connect(alice.token)
  const victim = await server.connect(bob.token)

  // Emitted without waiting: reaction toggles, searches, typing, as the review did.
  const acks: Array<Promise<Ack>> = []
  let answered = 0
  let firstRefusal: () => void = () => {}
  const refused = new Promise<void>((resolve) => (firstRefusal = resolve))
  const emit = (event: string, input: unknown) => {
    acks.push(
      new Promise<Ack>((resolve) =>
        flooder.socket.emit(event, input, (a: Ack) => {
          answered++
          if (!a.ok && a.error.code === 'rate_limited') firstRefusal()
          resolve(a)
        }),
      ),
    )
  }
  for (let i = 0; i < 2000; i++) emit(i % 2 ? 'reaction.remove' : 'reaction.add', { messageId: target.id, emoji: ':tada:' })
  for (let i = 0; i < 300; i++) emit('search', { workspaceId: ws.id, query: `word${i}` })
  for (let i = 0; i < 5000; i++) emit('typing.start', { conversationId: general.id })
  const total = acks.length

  // The guard's timer is cleared once the refusal came: left running, it kept the file's process
  // alive for its whole minute after the last test.
  let guard: NodeJS.Timeout | undefined
  await Promise.race([refused, new Promise((_, reject) => (guard = setTimeout(() => reject(new Error('the flood was never refused')), 60_000)))])
  clearTimeout(guard)
  const sent = await victim.call('message.send', { conversationId: other.id, text: 'still here', clientId: randomUUID() })
  const pendingAtVictimAck = total - answered
  t.equal(sent.text, 'still here', 'the other person\'s send is acknowledged')
  t.ok(pendingAtVictimAck > 0, `while the flood is still being answered (${pendingAtVictimAck} of ${total} unanswered)`)

  const health = (await (await fetch(`${server.url}/health`)).json()) as { load: { running: number; waiting: number; expensive: { running: number; waiting: number } } }
  t.ok(health.load, `/health reports the load: ${JSON.stringify(health.load)}`)

  const answers = await Promise.all(acks)
  const limited = answers.filter((a): a is Extract<Ack, { ok: false }> => !a.ok && a.error.code === 'rate_limited')
  const { reaction, search, typing } = defaults.rates
  t.ok(limited.length >= total - reaction.count - search.count - typing.count - 1, `${limited.length} of ${total} flooded requests were refused as rate_limited`)
  t.ok(limited.every((a) => typeof a.error.details?.retryAfter === 'number' && a.error.details.retryAfter >= 1), 'each with when to retry')
  t.match(limited.find((a) => a.error.message.includes('reactions'))?.error.message, /Too many reactions.*at most 100 every 10 seconds\. Try again in \d+ seconds?\./)
  t.ok(answers.filter((a) => a.ok).length > 0, 'what fits in the limits was done')
  t.notOk(answers.some((a) => !a.ok && a.error.code === 'internal'), 'nothing failed')
  t.ok(flooder.socket.connected && victim.socket.connected, 'both sockets stay connected')
})

t.test('slots: one person\'s requests beyond what may run and wait are refused; REST and sockets alike, with Retry-After', async (t) => {
  const server = await startTestServer(t, {
    admission: { perSocket: 1, perUser: 1, queuePerUser: 5, rates: { ...defaults.rates, search: { count: 2, seconds: 60 } } },
  })
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  const s = await server.connect(alice.token)
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => s.socket.timeout(10_000).emitWithAck('message.list', { conversationId: general.id }) as Promise<Ack>),
  )
  const ok = answers.filter((a) => a.ok).length
  const refused = answers.filter((a) => !a.ok && a.error.code === 'rate_limited' && /Too many requests at once/.test(a.error.message))
  t.ok(ok >= 6 && refused.length > 0 && ok + refused.length === 30, `one runs, five wait, the rest are refused (${ok} answered, ${refused.length} refused)`)
  t.ok(await bob.call('message.list', { conversationId: general.id }), 'someone else is not held up by it')

  await alice.call('search', { workspaceId: ws.id, query: 'a' })
  await s.call('search', { workspaceId: ws.id, query: 'b' })
  const res = await fetch(`${server.url}${pathWithQuery(operations.search.http.path, { workspaceId: ws.id, query: 'c' })}`, { headers: { authorization: `Bearer ${alice.token}` } })
  t.equal(res.status, 429, 'the third search in the window, over REST after one over REST and one over the socket: 429')
  t.ok(Number(res.headers.get('retry-after')) >= 1, 'with Retry-After')
  t.match(await res.json(), { error: { code: 'rate_limited', message: /Too many searches: at most 2 every 60 seconds/, details: { retryAfter: Number, limit: 2, kind: 'search' } } })
  await t.rejects(s.call('search', { workspaceId: ws.id, query: 'd' }), { code: 'rate_limited' }, 'and over the socket')
  t.ok(await bob.call('search', { workspaceId: ws.id, query: 'e' }), 'the limit is per person')
})

t.test('the expensive lane serves people in turn: one person\'s queue of searches does not delay another\'s', async (t) => {
  const server = await startTestServer(t, { admission: { expensive: 1, expensivePerUser: 1, expensiveQueue: 64 } })
  const { ws, people: [alice, bob] } = await server.team('alice', 'bob')
  const a = await server.connect(alice.token)
  const b = await server.connect(bob.token)
  const order: string[] = []
  const search = (who: string, s: typeof a, i: number) =>
    (s.socket.timeout(20_000).emitWithAck('search', { workspaceId: ws.id, query: `q${i}` }) as Promise<Ack>).then((ack) => {
      if (ack.ok) order.push(who)
      return ack
    })
  const hers = Array.from({ length: 8 }, (_, i) => search('alice', a, i))
  await hers[0]
  const his = await search('bob', b, 0)
  await Promise.all(hers)
  t.ok(his.ok, 'bob\'s search is answered')
  t.ok(order.indexOf('bob') <= 4, `bob waited for at most the searches of alice's already running or next in turn (answered ${order.indexOf('bob') + 1} of ${order.length})`)
})

t.test('sockets per person are capped; closing one makes room', async (t) => {
  const server = await startTestServer(t, { admission: { socketsPerUser: 3 } })
  const alice = await server.signup('alice')
  const bob = await server.signup('bob')
  const open = [await server.connect(alice.token), await server.connect(alice.token), await server.connect(alice.token)]
  const refused = await server.connectError({ token: alice.token })
  t.match(refused, { code: 'rate_limited', message: /already has 3 connections open.*Close one/ }, 'a fourth is refused, saying why')
  t.equal(await server.connectError({ token: bob.token }), null, 'someone else connects')
  const closed = new Promise<void>((resolve) => open[0]!.socket.once('disconnect', () => resolve()))
  open[0]!.close()
  await closed
  let again: Record<string, unknown> | null = { code: 'pending' }
  for (let i = 0; i < 50 && again; i++) {
    again = await server.connectError({ token: alice.token })
    if (again) await new Promise((r) => setTimeout(r, 20))
  }
  t.equal(again, null, 'after one closes, a new one connects')
  const status = await callHttp(server.url, 'auth.me', {}, { token: alice.token }).catch((e: unknown) => e)
  t.notOk(status instanceof OCommsError, 'REST is not counted as a socket')
})

t.test('/ready answers 503 while the process is saturated, /health still 200 with the numbers', async (t) => {
  // The event loop's delay is the other signal; here the test shares the server's process, so only the waiting counts.
  const server = await startTestServer(t, { admission: { readyMaxWaiting: 3, readyMaxDelayMs: 0, perUser: 1, perSocket: 1 } })
  const { ws, people: [alice] } = await server.team('alice')
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  t.match(await (await fetch(`${server.url}/ready`)).json(), { status: 'ready' })
  const s = await server.connect(alice.token)
  // Many sends at once from one person with one slot: they wait, and the process reports it.
  const sends = Array.from({ length: 60 }, () => s.socket.timeout(20_000).emitWithAck('message.send', { conversationId: general.id, text: 'x', clientId: randomUUID() }) as Promise<Ack>)
  let ready: Response | null = null
  for (let i = 0; i < 200; i++) {
    ready = await fetch(`${server.url}/ready`)
    if (ready.status === 503) break
    await new Promise((r) => setImmediate(r))
  }
  t.equal(ready!.status, 503, '/ready: 503 while more than 3 operations wait')
  t.match(await ready!.json(), { status: 'busy', reason: /requests are waiting/, load: { waiting: Number } })
  const health = await fetch(`${server.url}/health`)
  t.equal(health.status, 200, '/health stays 200: the process is alive')
  t.match(await health.json(), { status: 'ok', load: { running: Number, waiting: Number, eventLoopDelayMs: Number } })
  t.ok((await Promise.all(sends)).every((a) => a.ok || a.error.code === 'rate_limited'))
  t.match(await (await fetch(`${server.url}/ready`)).json(), { status: 'ready' }, 'and ready again once they ran')
})

t.test('an export job waits for a slot on the expensive lane, and keeps waiting while the lane is full', async (t) => {
  const { Admission } = await import('../src/admission/admission.js')
  const admission = new Admission({ ...defaults, expensive: 1, expensivePerUser: 1, expensiveQueue: 0 })
  t.teardown(() => admission.stop())
  let finishSearch!: () => void
  const search = admission.run('search', { caller: { userId: 'alice' }, ip: '127.0.0.1' }, () => new Promise<void>((resolve) => (finishSearch = resolve)))
  let exported = false
  const job = admission.background('export w1', async () => {
    exported = true
    return 'done'
  })
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  t.equal(exported, false, 'not while the search holds the only slot, though the queue refuses waiting requests')
  finishSearch()
  await search
  t.equal(await job, 'done', 'runs once the slot is free')
  t.equal(exported, true)
})
