import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  callHttp,
  callSocket,
  LIVE_EVENT,
  type CallInput,
  type CallOutput,
  type Event,
  type OperationName,
  type User,
  type Workspace,
} from '@ocomms/shared'
import { io as connectSocket, type Socket } from 'socket.io-client'
import { build, createLogger, loadConfig, type App, type ServerConfig } from '../../src/index.js'
import type { ConfigOverrides } from '../../src/config.js'
import { freshDatabase } from './database.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A connected client socket that remembers every live event it received. */
export interface LiveSocket {
  socket: Socket
  events: Event[]
  call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>
  /** Resolves with the first received event (past or future) matching `match`. */
  waitFor(match: (e: Event) => boolean, timeoutMs?: number): Promise<Event>
  close(): void
}

/** A signed-up person with their token. */
export interface TestUser {
  id: string
  handle: string
  email: string
  token: string
  user: User
  call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>
}

export interface TestServer extends App {
  url: string
  config: ServerConfig
  databaseUrl: string
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>
  /** The mails the server wrote to its development mail folder (OCOMMS_DEV_MAIL_DIR), oldest first. */
  mails(): Promise<Array<{ to: string; subject: string; text: string }>>
  call<N extends OperationName>(name: N, input: CallInput<N>, token?: string | null): Promise<CallOutput<N>>
  signup(handle: string, password?: string): Promise<TestUser>
  /** Creates a workspace owned by `owner`. */
  workspace(owner: TestUser, name?: string): Promise<Workspace>
  /** Brings `user` into the workspace through an invite with `role`. */
  join(workspace: Workspace, inviter: TestUser, user: TestUser, role?: 'member' | 'admin' | 'owner'): Promise<void>
  /** People signed up in order; the first owns a new workspace "Acme", the others are members of it. */
  team<const H extends readonly string[]>(...handles: H): Promise<{ ws: Workspace; people: { [K in keyof H]: TestUser } }>
  connect(token: string): Promise<LiveSocket>
  /** Connects and returns the error the handshake failed with, or null when it connected. */
  connectError(options: { token?: string; origin?: string; transports?: string[] }): Promise<Record<string, unknown> | null>
}

let counter = 0
const off = { count: 0, seconds: 0 }
const unlimited = { send: off, reaction: off, typing: off, search: off, other: off }

/**
 * The real app on a fresh database of its own, listening on a free port; with
 * `overrides.databaseUrl`, on that database instead (another server process beside a first one).
 */
export async function startTestServer(t: Teardown, overrides: ConfigOverrides = {}): Promise<TestServer> {
  const db = overrides.databaseUrl ? { url: overrides.databaseUrl, drop: async () => {} } : await freshDatabase()
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-test-data-'))
  const config = loadConfig({}, {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl: db.url,
    logLevel: 'info',
    devMailDir: join(dataDir, 'mail'),
    ...overrides,
    throttle: { loginPerAccount: 1000, loginPerAddress: 1000, signupPerAddress: 1000, magicLinkPerAccount: 1000, ...overrides.throttle },
    // Tests call far more often and more at once than people: rate limits off and wide slots,
    // unless a test sets them (server/test/admission.test.ts runs the defaults).
    admission: { perSocket: 256, perUser: 512, ...overrides.admission, rates: { ...unlimited, ...overrides.admission?.rates } },
  })
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    },
  })
  const built = await build({ config, databaseUrl: db.url, logger: createLogger(config.logLevel, stream) })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = built.app.server.address() as { port: number }
  const url = `http://127.0.0.1:${port}`
  // The public URL decides which browser Origin may open sockets.
  config.publicUrl = url
  const sockets: LiveSocket[] = []
  t.teardown(async () => {
    for (const s of sockets) s.close()
    await built.app.close()
    await db.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const call = <N extends OperationName>(name: N, input: CallInput<N>, token?: string | null) =>
    callHttp(url, name, input, { token: token ?? null })

  const server: TestServer = {
    ...built,
    url,
    config,
    databaseUrl: db.url,
    logs,
    async mails() {
      const dir = config.devMailDir!
      const names = (await readdir(dir).catch(() => [] as string[])).sort()
      return Promise.all(
        names.map(async (name) => {
          const [head, ...body] = (await readFile(join(dir, name), 'utf8')).split('\n\n')
          const header = (key: string) => new RegExp(`^${key}: (.*)$`, 'm').exec(head!)?.[1] ?? ''
          return { to: header('To'), subject: header('Subject'), text: body.join('\n\n').trimEnd() }
        }),
      )
    },
    call,
    async signup(handle, password = 'correct horse battery staple') {
      const email = `${handle}.${++counter}@example.test`
      const res = await call('auth.signup', { email, password, name: handle[0]!.toUpperCase() + handle.slice(1), handle })
      return {
        id: res.user.id,
        handle,
        email,
        token: res.token,
        user: res.user,
        call: (name, input) => call(name, input, res.token),
      }
    },
    async workspace(owner, name = 'Acme') {
      return owner.call('workspace.create', { name })
    },
    async join(workspace, inviter, user, role = 'member') {
      const invite = await inviter.call('invite.create', { workspaceId: workspace.id, role })
      await user.call('invite.accept', { code: invite.code })
    },
    async team(...handles) {
      const people: TestUser[] = []
      for (const handle of handles) people.push(await server.signup(handle))
      const ws = await server.workspace(people[0]!)
      for (const p of people.slice(1)) await server.join(ws, people[0]!, p)
      return { ws, people: people as never }
    },
    async connect(token) {
      const socket = connectSocket(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true })
      const events: Event[] = []
      const waiters: Array<{ match: (e: Event) => boolean; resolve: (e: Event) => void }> = []
      socket.on(LIVE_EVENT, (e: Event) => {
        events.push(e)
        for (const w of [...waiters]) {
          if (w.match(e)) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(e)
          }
        }
      })
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', (err) => reject(err))
      })
      const live: LiveSocket = {
        socket,
        events,
        call: (name, input) => callSocket(socket.timeout(10_000), name, input),
        waitFor(match, timeoutMs = 5_000) {
          const seen = events.find(match)
          if (seen) return Promise.resolve(seen)
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs)
            waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) })
          })
        },
        close: () => socket.close(),
      }
      sockets.push(live)
      return live
    },
    async connectError({ token, origin, transports = ['websocket'] }) {
      const socket = connectSocket(url, {
        transports,
        auth: token === undefined ? {} : { token },
        reconnection: false,
        forceNew: true,
        extraHeaders: origin ? { origin } : {},
      } as never)
      try {
        return await new Promise((resolve) => {
          socket.once('connect', () => resolve(null))
          socket.once('connect_error', (err: Error & { data?: Record<string, unknown> }) =>
            resolve({ message: err.message, ...(err.data ?? {}) }))
        })
      } finally {
        socket.close()
      }
    },
  }
  return server
}
