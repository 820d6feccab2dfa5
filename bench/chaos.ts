/**
 * Chaos run (`npm run chaos`; not part of `npm test`: it takes minutes).
 *
 * (a) crash: a server process on its own database; 50 socket clients and 3 real daemons send a
 *     10,000-message burst; the server is killed with SIGKILL at three random points and started
 *     again. Afterwards: no acknowledged message lost, no duplicate, every conversation's seqs
 *     gap-free, each sender's messages in the order it sent them, every daemon-queued message in.
 * (b) reconnect storm: 1,000 sockets with cursors; the server is killed and restarted while a
 *     writer keeps posting; every socket reconnects (with jitter), syncs from its cursors and must
 *     end up with every event of every conversation, gap-free.
 *
 * Database: DATABASE_URL (a fresh database is created on it and dropped after) or an embedded
 * PostgreSQL in a temporary directory. Prints a table; exits 1 when a check fails.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { callHttp, callSocket, LIVE_EVENT, type CallInput, type CallOutput, type Event, type OperationName } from '@ocomms/shared'
import { DaemonClient } from '@ocomms/daemon'
import { freePort, startEmbeddedDatabase } from '@ocomms/server'
import postgres from 'postgres'
import { io, type Socket } from 'socket.io-client'

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    daemons: { type: 'string', default: '3' },
    'daemon-messages': { type: 'string', default: '100' },
    sockets: { type: 'string', default: '1000' },
    'storm-users': { type: 'string', default: '20' },
  },
})
const TOTAL = Number(args.messages)
const CLIENTS = Number(args.clients)
const DAEMONS = Number(args.daemons)
const PER_DAEMON = Number(args['daemon-messages'])
const SOCKETS = Number(args.sockets)
const STORM_USERS = Number(args['storm-users'])
const CHANNELS = 5

const serverMain = fileURLToPath(new URL('../server/dist/main.js', import.meta.url))
const daemonMain = fileURLToPath(new URL('../daemon/dist/main.js', import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (m: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`)


async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await sleep(200)
  }
}

/** The server as its own process (the built main), so SIGKILL is a real crash. */
class ServerProcess {
  child: ChildProcess | null = null
  restarts = 0
  constructor(
    readonly port: number,
    readonly databaseUrl: string,
    readonly dataDir: string,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`
  }
  async start(): Promise<void> {
    const child = spawn(process.execPath, [serverMain, 'start', '--port', String(this.port), '--database-url', this.databaseUrl, '--data-dir', this.dataDir], {
      env: {
        ...process.env,
        OCOMMS_LOG_LEVEL: 'warn',
        OCOMMS_SIGNUP_LIMIT_ADDRESS: '100000',
        OCOMMS_LOGIN_LIMIT_ADDRESS: '100000',
        OCOMMS_LOGIN_LIMIT_ACCOUNT: '100000',
        // A few accounts stand for many people here (1,000 argon2 sign-ups would measure the
        // hash), each with dozens of sockets and sends: fair admission's per-person limits off.
        OCOMMS_SOCKETS_PER_USER: '0',
        OCOMMS_RATE_SEND: '0',
        OCOMMS_RATE_OTHER: '0',
        OCOMMS_QUEUE_PER_USER: '100000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    this.child = child
    await new Promise<void>((resolve, reject) => {
      let err = ''
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString()
        if (/listening on/.test(err)) resolve()
      })
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err.slice(-2000)}`)))
    })
  }
  async kill(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await gone
  }
  async crash(downMs: number): Promise<void> {
    await this.kill()
    this.restarts++
    await sleep(downMs)
    await this.start()
  }
}

interface Account {
  id: string
  token: string
  email: string
  password: string
  handle: string
}

const PASSWORD = 'correct horse battery staple'
let handles = 0

async function call<N extends OperationName>(server: ServerProcess, name: N, input: CallInput<N>, token?: string): Promise<CallOutput<N>> {
  return callHttp(server.url, name, input, token ? { token } : {})
}

async function signup(server: ServerProcess, prefix: string): Promise<Account> {
  const handle = `${prefix}${++handles}`
  const email = `${handle}@chaos.test`
  const res = await call(server, 'auth.signup', { email, password: PASSWORD, name: handle, handle })
  return { id: res.user.id, token: res.token, email, password: PASSWORD, handle }
}

/** A workspace with CHANNELS public channels everyone joins. */
async function world(server: ServerProcess, people: number, prefix: string) {
  const owner = await signup(server, `${prefix}owner`)
  const ws = await call(server, 'workspace.create', { name: `Chaos ${prefix}` }, owner.token)
  const channels: string[] = []
  for (let i = 0; i < CHANNELS; i++) channels.push((await call(server, 'channel.create', { workspaceId: ws.id, name: `${prefix}-c${i}` }, owner.token)).id)
  const accounts: Account[] = []
  // A few at a time: argon2 is deliberately slow.
  for (let i = 0; i < people; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, people - i) }, async () => {
        const a = await signup(server, prefix)
        const invite = await call(server, 'invite.create', { workspaceId: ws.id, role: 'member' }, owner.token)
        await call(server, 'invite.accept', { code: invite.code }, a.token)
        for (const c of channels) await call(server, 'conversation.join', { conversationId: c }, a.token)
        return a
      }),
    )
    accounts.push(...batch)
  }
  return { owner, ws, channels, accounts }
}

function socketFor(server: ServerProcess, token: string): Socket {
  return io(server.url, {
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 300,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.5,
  })
}

const connected = (s: Socket) => (s.connected ? Promise.resolve() : new Promise<void>((r) => s.once('connect', () => r())))

// ---------------------------------------------------------------- (a) crash

interface Sent {
  sender: string
  k: number
  clientId: string
  conversationId: string
  via: 'socket' | 'daemon'
}

async function crashRun(server: ServerProcess, sql: postgres.Sql) {
  const perClient = Math.floor((TOTAL - DAEMONS * PER_DAEMON) / CLIENTS)
  const socketTotal = perClient * CLIENTS
  const total = socketTotal + DAEMONS * PER_DAEMON
  log(`crash: setting up ${CLIENTS} socket clients and ${DAEMONS} daemons`)
  const w = await world(server, CLIENTS + DAEMONS, 'a')
  const socketAccounts = w.accounts.slice(0, CLIENTS)
  const daemonAccounts = w.accounts.slice(CLIENTS)

  // Real daemons, each in its own private home, signed in to the server.
  const homes: string[] = []
  const daemons: Array<{ child: ChildProcess; client: DaemonClient; account: Account }> = []
  for (const account of daemonAccounts) {
    const home = await mkdtemp(join(tmpdir(), 'ocomms-chaos-daemon-'))
    await chmod(home, 0o700)
    homes.push(home)
    const child = spawn(process.execPath, [daemonMain], { env: { ...process.env, OCOMMS_HOME: home }, stdio: 'ignore' })
    const client = await until(() => DaemonClient.connect(join(home, 'daemon.sock')).catch(() => null), 20_000, 'daemon socket')
    await client.request('profile.login', { profile: 'default', server: server.url, email: account.email, password: account.password })
    daemons.push({ child, client, account })
  }

  const acked = new Map<string, Sent>()
  const sent: Sent[] = []
  let retries = 0
  const killAt = [0, 0, 0].map(() => Math.floor(total * (0.1 + Math.random() * 0.75))).sort((a, b) => a - b)
  log(`crash: ${total} messages; SIGKILL after ${killAt.join(', ')} acknowledgements`)
  const kills: Array<{ at: number; downMs: number }> = []
  let crashing: Promise<void> | null = null
  const maybeCrash = () => {
    if (crashing || killAt.length === 0 || acked.size < killAt[0]!) return
    killAt.shift()
    const downMs = 500 + Math.floor(Math.random() * 1500)
    kills.push({ at: acked.size, downMs })
    log(`crash: SIGKILL at ${acked.size} acknowledged`)
    crashing = server.crash(downMs).finally(() => {
      crashing = null
      log('crash: server back')
    })
  }

  const started = Date.now()
  const sockets = socketAccounts.map((a) => socketFor(server, a.token))
  await Promise.all(sockets.map(connected))

  const socketSenders = socketAccounts.map(async (account, i) => {
    const s = sockets[i]!
    const conversationId = w.channels[i % CHANNELS]!
    for (let k = 0; k < perClient; k++) {
      const m: Sent = { sender: account.handle, k, clientId: randomUUID(), conversationId, via: 'socket' }
      sent.push(m)
      for (;;) {
        try {
          await connected(s)
          await callSocket(s.timeout(5_000), 'message.send', { conversationId, text: `${account.handle} ${k}`, clientId: m.clientId })
          break
        } catch {
          // Not acknowledged (the server died, or the ack timed out): the same clientId again.
          retries++
          await sleep(100 + Math.random() * 400)
        }
      }
      acked.set(m.clientId, m)
      maybeCrash()
    }
  })

  // Daemons: each send is stored in the outbox first; queued ones go out on reconnect.
  let queued = 0
  const daemonSenders = daemons.map(async (d, i) => {
    const conversationId = w.channels[i % CHANNELS]!
    for (let k = 0; k < PER_DAEMON; k++) {
      const clientId = randomUUID()
      const m: Sent = { sender: d.account.handle, k, clientId, conversationId, via: 'daemon' }
      sent.push(m)
      const res = await d.client.request('messages.send', { profile: 'default', conversationId, text: `${d.account.handle} ${k}`, clientId })
      if (res.queued) queued++
      else acked.set(clientId, m)
      maybeCrash()
      await sleep(20)
    }
  })

  await Promise.all([...socketSenders, ...daemonSenders])
  while (crashing) await crashing
  const burstMs = Date.now() - started
  // Every outbox drains once the server is back.
  await until(
    async () => {
      for (const d of daemons) {
        const st = await d.client.request('daemon.status', {})
        if (st.profiles.some((p) => p.outbox > 0)) return false
      }
      return true
    },
    120_000,
    'daemon outboxes to drain',
  )
  for (const s of sockets) s.close()

  // Verify in the database.
  const rows = await sql<{ client_id: string; conversation_id: string; seq: string; handle: string; text: string }[]>`
    select m.client_id, m.conversation_id, m.seq::text, u.handle, m.text
      from messages m join users u on u.id = m.author_id
     where m.conversation_id = any(${w.channels}::uuid[]) order by m.conversation_id, m.seq`
  const byClient = new Map<string, number>()
  for (const r of rows) byClient.set(r.client_id, (byClient.get(r.client_id) ?? 0) + 1)
  const lostAcked = [...acked.keys()].filter((c) => !byClient.has(c)).length
  const lostQueued = sent.filter((m) => m.via === 'daemon' && !byClient.has(m.clientId)).length
  const duplicates = [...byClient.values()].filter((n) => n > 1).length + (rows.length - new Set(rows.map((r) => r.text)).size)
  const unknown = rows.filter((r) => !sent.some((m) => m.clientId === r.client_id)).length
  // Per conversation: the event seqs have no hole and end at the conversation's last_seq.
  let seqGaps = 0
  for (const c of w.channels) {
    // Ordered by the bigint column (an output column named seq would sort as text).
    const seqs = (await sql<{ s: string }[]>`select seq::text as s from events where stream = 'conversation' and stream_id = ${c} order by events.seq`).map((r) => Number(r.s))
    // Consecutive from the first event kept for the stream, up to the owner row's last_seq.
    seqs.forEach((s, i) => {
      if (i > 0 && s !== seqs[i - 1]! + 1) seqGaps++
    })
    const [owner] = await sql<{ last_seq: string }[]>`select last_seq::text from conversations where id = ${c}`
    if (Number(owner!.last_seq) !== seqs[seqs.length - 1]) seqGaps++
  }
  // Per sender: ordered by seq, k only grows.
  let orderViolations = 0
  const lastK = new Map<string, number>()
  for (const r of rows) {
    const [handle, k] = r.text.split(' ')
    const prev = lastK.get(handle!) ?? -1
    if (Number(k) <= prev) orderViolations++
    lastK.set(handle!, Number(k))
  }

  for (const d of daemons) {
    d.client.close()
    d.child.kill('SIGTERM')
  }
  await sleep(300)
  for (const h of homes) await rm(h, { recursive: true, force: true })

  return {
    total,
    socketTotal,
    daemonTotal: DAEMONS * PER_DAEMON,
    stored: rows.length,
    acknowledged: acked.size,
    queued,
    kills,
    retries,
    burstMs,
    lostAcked,
    lostQueued,
    duplicates,
    unknown,
    seqGaps,
    orderViolations,
  }
}

// ---------------------------------------------------------------- (b) reconnect storm

async function stormRun(server: ServerProcess) {
  log(`storm: setting up ${STORM_USERS} people, ${SOCKETS} sockets`)
  const w = await world(server, STORM_USERS, 'b')
  const writer = w.owner

  interface Client {
    socket: Socket
    cursors: Map<string, number>
    gapsHealed: number
    reconnects: number
    syncing: boolean
  }
  const clients: Client[] = []

  /** Applies events in order; anything past a gap triggers a sync from the cursor. */
  const apply = (c: Client, e: Event) => {
    if (e.stream !== 'conversation' || !w.channels.includes(e.streamId)) return
    const cur = c.cursors.get(e.streamId) ?? 0
    if (e.seq === cur + 1) c.cursors.set(e.streamId, e.seq)
    else if (e.seq > cur + 1) {
      c.gapsHealed++
      void resync(c)
    }
  }
  const resync = async (c: Client): Promise<void> => {
    if (c.syncing) return
    c.syncing = true
    try {
      for (;;) {
        const res = await callSocket(c.socket.timeout(20_000), 'sync', { conversations: Object.fromEntries(c.cursors) })
        let more = false
        for (const page of res.conversations) {
          for (const e of page.events) {
            const cur = c.cursors.get(page.streamId) ?? 0
            if (e.seq === cur + 1) c.cursors.set(page.streamId, e.seq)
          }
          if (page.hasMore) more = true
        }
        if (!more) break
      }
    } catch {
      // Disconnected mid-sync: the next connect syncs again.
    } finally {
      c.syncing = false
    }
  }

  for (let i = 0; i < SOCKETS; i++) {
    const account = w.accounts[i % w.accounts.length]!
    const c: Client = { socket: socketFor(server, account.token), cursors: new Map(w.channels.map((id) => [id, 0])), gapsHealed: 0, reconnects: 0, syncing: false }
    let first = true
    c.socket.on('connect', () => {
      if (!first) c.reconnects++
      first = false
      // Jitter before the sync, on top of Socket.IO's randomised reconnect delay.
      setTimeout(() => void resync(c), Math.random() * 2000)
    })
    c.socket.on(LIVE_EVENT, (e: Event) => apply(c, e))
    clients.push(c)
  }
  await until(() => clients.every((c) => c.socket.connected), 120_000, 'all storm sockets connected')
  log('storm: all connected')

  // The writer posts all along (retrying the same clientId across the restart).
  let writing = true
  let posted = 0
  const writerSocket = socketFor(server, writer.token)
  const writerLoop = (async () => {
    while (writing) {
      const conversationId = w.channels[posted % CHANNELS]!
      const clientId = randomUUID()
      for (;;) {
        try {
          await connected(writerSocket)
          await callSocket(writerSocket.timeout(5_000), 'message.send', { conversationId, text: `storm ${posted}`, clientId })
          break
        } catch {
          await sleep(200)
        }
      }
      posted++
      await sleep(20)
    }
  })()
  await sleep(3000)
  log('storm: SIGKILL and restart')
  const down = Date.now()
  await server.crash(1000)
  await until(() => clients.every((c) => c.socket.connected), 120_000, 'all storm sockets reconnected')
  const reconnectedMs = Date.now() - down
  log(`storm: all ${SOCKETS} reconnected in ${reconnectedMs} ms`)
  await sleep(3000)
  writing = false
  await writerLoop
  writerSocket.close()

  // Heads from the server; every client must reach them (syncing for whatever it still lacks).
  const heads = (await call(server, 'sync', { conversations: Object.fromEntries(w.channels.map((c) => [c, 0])), limit: 1 }, writer.token)).heads
  const behind = () => clients.filter((c) => w.channels.some((id) => (c.cursors.get(id) ?? 0) < (heads[id] ?? 0)))
  const settleStart = Date.now()
  await until(
    () => {
      const b = behind()
      for (const c of b) void resync(c)
      return b.length === 0
    },
    60_000,
    'every storm client to catch up',
  ).catch(() => null)
  const missing = behind().length
  const result = {
    sockets: SOCKETS,
    posted,
    events: w.channels.reduce((n, id) => n + (heads[id] ?? 0), 0),
    reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
    reconnectedMs,
    settleMs: Date.now() - settleStart,
    gapsHealed: clients.reduce((n, c) => n + c.gapsHealed, 0),
    missing,
  }
  for (const c of clients) c.socket.close()
  return result
}

// ---------------------------------------------------------------- main

async function main() {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ')
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-chaos-'))
  // As root, the embedded PostgreSQL runs as `postgres`, which must be able to pass through here.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711)
  let databaseUrl: string
  // What the server connects with: the embedded cluster's Unix socket, as in the product.
  let serverUrl: string
  let cleanup: () => Promise<void>
  if (process.env.DATABASE_URL) {
    const name = `ocomms_chaos_${randomBytes(5).toString('hex')}`
    const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const u = new URL(process.env.DATABASE_URL)
    u.pathname = `/${name}`
    databaseUrl = serverUrl = u.toString()
    cleanup = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  } else {
    const db = await startEmbeddedDatabase(join(dataDir, 'pg'), log)
    databaseUrl = db.url
    serverUrl = db.localUrl
    cleanup = () => db.stop()
  }
  const server = new ServerProcess(await freePort(), serverUrl, dataDir)
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  let failed: boolean
  try {
    await server.start()
    const print = (rows: Array<[string, string, string]>) => {
      for (const [part, what, value] of rows) process.stdout.write(`${part.padEnd(6)} ${what.padEnd(36)}  ${value}\n`)
    }
    process.stdout.write(`\nOComms chaos run, ${new Date().toISOString()}, load average at start ${load}\n\n`)
    const a = await crashRun(server, sql)
    // Printed at once: a failing storm must not hide the crash results.
    print([
      ['crash', 'messages sent (socket + daemon)', `${a.total} (${a.socketTotal} + ${a.daemonTotal})`],
      ['crash', 'senders', `${CLIENTS} socket clients, ${DAEMONS} daemons`],
      ['crash', 'SIGKILLs (at ack count, downtime)', a.kills.map((k) => `${k.at} (${k.downMs} ms)`).join(', ')],
      ['crash', 'burst duration', `${(a.burstMs / 1000).toFixed(1)} s`],
      ['crash', 'retries of unacknowledged sends', String(a.retries)],
      ['crash', 'daemon sends queued (server down)', String(a.queued)],
      ['crash', 'messages stored', String(a.stored)],
      ['crash', 'acknowledged, lost', String(a.lostAcked)],
      ['crash', 'daemon-queued, not delivered', String(a.lostQueued)],
      ['crash', 'duplicates', String(a.duplicates)],
      ['crash', 'stored but never sent', String(a.unknown)],
      ['crash', 'conversation seq gaps', String(a.seqGaps)],
      ['crash', 'per-sender order violations', String(a.orderViolations)],
    ])
    failed = a.stored !== a.total || a.lostAcked + a.lostQueued + a.duplicates + a.unknown + a.seqGaps + a.orderViolations > 0 || a.kills.length !== 3
    const b = await stormRun(server)
    print([
      ['storm', 'sockets (people)', `${b.sockets} (${STORM_USERS})`],
      ['storm', 'messages posted around the restart', String(b.posted)],
      ['storm', 'reconnects', String(b.reconnects)],
      ['storm', 'all reconnected after', `${(b.reconnectedMs / 1000).toFixed(1)} s`],
      ['storm', 'gaps seen live and healed by sync', String(b.gapsHealed)],
      ['storm', 'clients missing an event', String(b.missing)],
    ])
    failed = failed || b.missing > 0 || b.reconnects < b.sockets
    process.stdout.write(`\n${failed ? 'FAIL' : 'PASS'}\n`)
  } catch (err) {
    failed = true
    process.stdout.write(`FAIL: ${(err as Error).stack ?? String(err)}\n`)
  } finally {
    await sql.end()
    await server.kill()
    await cleanup().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  }
  process.exit(failed ? 1 : 0)
}

await main()
