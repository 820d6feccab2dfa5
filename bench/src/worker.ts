/**
 * One load-generator process: holds many real socket.io-client connections and runs what
 * the orchestrator (main.ts) asks, reporting counts and encoded latency histograms.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { LIVE_EVENT, type Event } from '@ocomms/shared'
import { io, type Socket } from 'socket.io-client'
import type { Client, Collected, Command, Reply } from './protocol.js'
import { encode, histogram, nowNs, usSince, type Histogram } from './stats.js'

type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }

interface Live extends Client {
  socket: Socket | null
  /** Last seq seen per conversation, from live events and sync. */
  cursors: Map<string, number>
  lastMessageId: Map<string, string>
}

let clients: Live[] = []
let url = ''

let recording = false
let deliveries = 0
let deliver = histogram()
let ack = histogram()
let tags = new Map<string, { count: number; lastNs: bigint }>()
let errors = 0
let errorSamples: string[] = []
let ops = new Map<string, { h: Histogram; errors: number }>()

function resetCounters() {
  deliveries = 0
  deliver = histogram()
  ack = histogram()
  tags = new Map()
  errors = 0
  errorSamples = []
  ops = new Map()
}

function fail(what: string) {
  errors++
  if (errorSamples.length < 5) errorSamples.push(what)
}

/** Message texts carry their send time: `b <ns> <tag>`. */
function onEvent(c: Live, e: Event) {
  if (e.type !== 'message.created') return
  const m = e.data.message as { id: string; text: string } | undefined
  if (e.stream === 'conversation') {
    c.cursors.set(e.streamId, Math.max(c.cursors.get(e.streamId) ?? 0, e.seq))
    if (m) c.lastMessageId.set(e.streamId, m.id)
  }
  if (!recording || !m || !m.text.startsWith('b ')) return
  const at = nowNs()
  const [, sent, tag] = m.text.split(' ')
  deliveries++
  deliver.recordValue(Math.max(1, Number((at - BigInt(sent!)) / 1000n)))
  if (tag) {
    const t = tags.get(tag) ?? { count: 0, lastNs: 0n }
    t.count++
    t.lastNs = at
    tags.set(tag, t)
  }
}

function open(c: Live): Promise<void> {
  const socket = io(url, { transports: ['websocket'], auth: { token: c.token, rooms: c.conversations }, reconnection: false, forceNew: true, timeout: 60_000 })
  c.socket = socket
  socket.on(LIVE_EVENT, (e: Event) => onEvent(c, e))
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (err) => reject(err))
  })
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

function call(c: Live, name: string, input: unknown, timeoutMs = 30_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (!c.socket?.connected) return reject(new Error('not connected'))
    c.socket.timeout(timeoutMs).emit(name, input, (err: Error | null, a: Ack) => {
      if (err) return reject(err)
      if (!a.ok) return reject(new Error(`${a.error.code}: ${a.error.message}`))
      resolve(a.data)
    })
  })
}

async function sendFrom(c: Live, tag = '') {
  const conversationId = c.conversations[Math.floor(Math.random() * c.conversations.length)]!
  const t0 = nowNs()
  try {
    await call(c, 'message.send', { conversationId, text: `b ${t0} ${tag}`.trimEnd(), clientId: randomUUID() })
    ack.recordValue(Math.max(1, usSince(t0)))
  } catch (err) {
    fail(String(err))
  }
}

const connected = () => clients.filter((c) => c.socket?.connected)
const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!

/** Inputs for the operations of the mix; kinds the server lacks are never asked for. */
function mixInput(c: Live, op: string, name: string): unknown {
  const conversationId = pick(c.conversations)
  switch (op) {
    case 'history':
      return { conversationId, limit: 50 }
    case 'channels':
      return { workspaceId: c.workspaceId }
    case 'sync':
      return { conversations: Object.fromEntries(c.conversations.map((id) => [id, c.cursors.get(id) ?? 0])) }
    case 'send':
      return { conversationId, text: `b ${nowNs()}`, clientId: randomUUID() }
    case 'reaction':
      return { messageId: c.lastMessageId.get(conversationId), emoji: pick(['+1', 'tada', 'eyes']) }
    case 'typing':
      return { conversationId }
    case 'presence':
      return name.includes('activity') || name.includes('heartbeat') ? {} : { presence: 'active' }
    case 'unreads':
      return { workspaceId: c.workspaceId }
    default:
      return {}
  }
}

const handlers: { [K in Command['cmd']]: (cmd: Extract<Command, { cmd: K }>) => Promise<unknown> } = {
  async connect(cmd) {
    url = cmd.url
    const fresh: Live[] = cmd.clients.map((c) => ({ ...c, socket: null, cursors: new Map(), lastMessageId: new Map() }))
    clients.push(...fresh)
    let failed = 0
    const t0 = nowNs()
    await pool(fresh, cmd.concurrency, async (c) => {
      await open(c).catch((err: unknown) => {
        failed++
        fail(`connect: ${String(err)}`)
      })
    })
    return { connected: fresh.length - failed, failed, ms: usSince(t0) / 1000 }
  },

  async disconnect() {
    for (const c of clients) c.socket?.close()
    clients = []
    return { ok: true }
  },

  async dropAll() {
    for (const c of clients) c.socket?.close()
    return { ok: true }
  },

  async record() {
    resetCounters()
    recording = true
    return { ok: true }
  },

  async progress() {
    return deliveries
  },

  async collect(): Promise<Collected> {
    recording = false
    return {
      deliveries,
      deliver: encode(deliver),
      ack: encode(ack),
      tags: Object.fromEntries([...tags].map(([k, v]) => [k, { count: v.count, lastNs: String(v.lastNs) }])),
      errors,
      errorSamples,
      ops: Object.fromEntries([...ops].map(([k, v]) => [k, { h: encode(v.h), errors: v.errors }])),
    }
  },

  async send(cmd) {
    const live = connected()
    const start = performance.now()
    const pending: Promise<void>[] = []
    // Open loop: however late a timer fires, the sends owed by the clock go out.
    for (let now = start; now < start + cmd.durationMs; now = performance.now()) {
      const owed = Math.floor(((now - start) * cmd.rate) / 1000) - pending.length
      for (let i = 0; i < owed; i++) pending.push(sendFrom(pick(live)))
      // Paced: sleep until the next send is due (timers fire on whole milliseconds at best).
      const next = start + ((pending.length + 1) * 1000) / cmd.rate
      await sleep(cmd.paced ? Math.max(1, next - performance.now()) : 5)
    }
    await Promise.all(pending)
    return { sent: pending.length }
  },

  async saturate(cmd) {
    const live = connected()
    const end = Date.now() + cmd.durationMs
    let sent = 0
    await Promise.all(
      Array.from({ length: cmd.inFlight }, async () => {
        while (Date.now() < end) {
          await sendFrom(pick(live))
          sent++
        }
      }),
    )
    return { sent }
  },

  async sendOne(cmd) {
    const c = connected()[0]
    if (!c) throw new Error('no connected client')
    await sendFrom(c, cmd.tag)
    return { ok: true }
  },

  async history(cmd) {
    const live = connected()
    const h = histogram()
    let failed = 0
    await pool(Array.from({ length: cmd.calls }, (_, i) => i), cmd.concurrency, async () => {
      const t0 = nowNs()
      try {
        const list = (await call(pick(live), 'message.list', { conversationId: cmd.conversationId, limit: cmd.limit })) as unknown[]
        if (list.length !== cmd.limit) throw new Error(`expected ${cmd.limit} messages, got ${list.length}`)
        h.recordValue(Math.max(1, usSince(t0)))
      } catch (err) {
        failed++
        fail(String(err))
      }
    })
    return { h: encode(h), failed }
  },

  async cursors() {
    return clients.map((c) => Object.fromEntries(c.cursors))
  },

  async reconnectSync(cmd) {
    url = cmd.url
    for (const c of clients) c.socket?.close()
    await sleep(200)
    const heads = new Map<string, number>()
    const t0 = nowNs()
    let events = 0
    let lost = 0
    let failed = 0
    // Everyone at once: the thundering herd after a server restart or a network blip.
    await Promise.all(
      clients.map(async (c) => {
        try {
          await open(c)
          for (;;) {
            const asked = Object.fromEntries(c.conversations.map((id) => [id, c.cursors.get(id) ?? 0]))
            const res = (await call(c, 'sync', { conversations: asked }, 60_000)) as {
              conversations: Array<{ streamId: string; events: Event[]; hasMore: boolean; lastSeq: number }>
            }
            let more = false
            for (const page of res.conversations) {
              let cursor = asked[page.streamId] ?? 0
              for (const e of page.events) {
                // A gap in what sync returns would be a lost event.
                if (e.seq !== cursor + 1) lost += e.seq - cursor - 1
                cursor = e.seq
                events++
              }
              c.cursors.set(page.streamId, Math.max(c.cursors.get(page.streamId) ?? 0, cursor))
              heads.set(page.streamId, Math.max(heads.get(page.streamId) ?? 0, page.lastSeq))
              if (!page.hasMore && cursor < page.lastSeq) lost += page.lastSeq - cursor
              more ||= page.hasMore
            }
            if (!more) break
          }
        } catch (err) {
          failed++
          fail(`reconnect: ${String(err)}`)
        }
      }),
    )
    return { ms: usSince(t0) / 1000, events, lost, failed, cursors: clients.map((c) => Object.fromEntries(c.cursors)) }
  },

  async probe(cmd) {
    const c = connected()[0]
    if (!c) throw new Error('no connected client')
    const refused: Record<string, string> = {}
    for (const spec of cmd.ops) {
      const [op, name] = spec.split(':') as [string, string]
      const input = mixInput(c, op, name)
      if (op === 'reaction' && !(input as { messageId?: string }).messageId) {
        await call(c, 'message.send', mixInput(c, 'send', 'message.send')).catch(() => {})
        ;(input as { messageId?: string }).messageId = c.lastMessageId.get((input as { conversationId?: string }).conversationId ?? '') ?? [...c.lastMessageId.values()][0]
      }
      await call(c, name, input).catch((err: unknown) => {
        if (String(err).includes('invalid_input')) refused[spec] = String(err)
      })
    }
    return refused
  },

  async flood(cmd) {
    const c = connected()[0]
    if (!c?.socket) throw new Error('no connected client')
    const socket = c.socket
    const conversationId = c.conversations[0]!
    const target = (await call(c, 'message.send', { conversationId, text: 'flood target', clientId: randomUUID() })) as { id: string }
    const answers: Record<string, number> = {}
    let emitted = 0
    let answered = 0
    const emit = (event: string, input: unknown) => {
      emitted++
      socket.emit(event, input, (a: Ack) => {
        answered++
        const code = a.ok ? 'ok' : a.error.code
        answers[code] = (answers[code] ?? 0) + 1
      })
    }
    const end = Date.now() + cmd.durationMs
    let toggle = 0
    while (Date.now() < end) {
      for (let i = 0; i < cmd.reactions; i++) emit(toggle++ % 2 ? 'reaction.remove' : 'reaction.add', { messageId: target.id, emoji: ':tada:' })
      for (let i = 0; i < cmd.searches; i++) emit('search', { workspaceId: c.workspaceId, query: `flood ${toggle + i}` })
      for (let i = 0; i < cmd.typing; i++) emit('typing.start', { conversationId })
      await sleep(cmd.everyMs)
    }
    // What the server still owes: it answers everything, refusals first.
    for (const stop = Date.now() + 60_000; answered < emitted && Date.now() < stop; ) await sleep(50)
    return { emitted, answered, answers }
  },

  async mix(cmd) {
    const live = connected()
    const end = Date.now() + cmd.durationMs
    const kinds = cmd.ops.map((spec) => {
      const [op, name, weight] = spec.split(':') as [string, string, string]
      return { op, name, weight: Number(weight) }
    })
    const total = kinds.reduce((s, k) => s + k.weight, 0)
    const choose = () => {
      let r = Math.random() * total
      for (const k of kinds) if ((r -= k.weight) < 0) return k
      return kinds.at(-1)!
    }
    await Promise.all(
      live.map(async (c) => {
        // Start spread over one think time, so the users do not act in lockstep.
        await sleep(Math.min(Math.random() * cmd.thinkMs, end - Date.now()))
        while (Date.now() < end) {
          const k = choose()
          const input = mixInput(c, k.op, k.name)
          if (k.op === 'reaction' && !(input as { messageId?: string }).messageId) continue
          const entry = ops.get(k.op) ?? { h: histogram(), errors: 0 }
          ops.set(k.op, entry)
          const t0 = nowNs()
          try {
            await call(c, k.name, input, 30_000)
            entry.h.recordValue(Math.max(1, usSince(t0)))
          } catch (err) {
            entry.errors++
            fail(`${k.name}: ${String(err)}`)
          }
          // Exponential think time: a Poisson stream of actions per user. Cut at the end of the
          // step: the longest of thousands of such waits is several times the mean.
          await sleep(Math.max(0, Math.min(-Math.log(1 - Math.random()) * cmd.thinkMs, end - Date.now())))
        }
      }),
    )
    return { ok: true }
  },
}

process.on('message', (msg: { id: number } & Command) => {
  const handler = handlers[msg.cmd] as (cmd: Command) => Promise<unknown>
  handler(msg).then(
    (result) => process.send!({ id: msg.id, ok: true, result } satisfies Reply),
    (err: unknown) => process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Reply),
  )
})
process.on('disconnect', () => process.exit(0))
