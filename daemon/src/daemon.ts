import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import {
  DAEMON_EVENT_NOTIFICATION,
  daemonMethods,
  OCommsError,
  type DaemonMethodName,
  type ProfileInfo,
} from '@ocomms/shared'
import type { Static } from '@sinclair/typebox'
import { JSONRPCServer } from 'json-rpc-2.0'
import type { Logger } from 'pino'
import { Cache } from './cache.js'
import { checkPrivate, homePaths, makePrivate, type HomePaths } from './home.js'
import { writeLine, readLines } from './lines.js'
import { handlers } from './methods/index.js'
import { ProfileStore, type StoredProfile } from './profiles.js'
import { toRpcError } from './rpc-errors.js'
import { ProfileSession, type DaemonEvent } from './session.js'
import { validateParams } from './validate.js'

export const DEFAULT_PROFILE = 'default'

export const daemonVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

interface Subscription {
  conn: Socket
  profile: string
  conversations: Set<string> | null
  /** Shows desktop notifications itself and receives `daemon.notification`. */
  notifications: boolean
}

export interface CallContext {
  daemon: Daemon
  conn: Socket
}

/**
 * The daemon: profiles and their sessions, subscriptions, and the JSON-RPC server on the
 * local socket. Each request is checked against its declaration in shared/ before it runs.
 */
export class Daemon {
  readonly startedAt = new Date().toISOString()
  readonly paths: HomePaths
  readonly store: ProfileStore
  private readonly sessions = new Map<string, ProfileSession>()
  private readonly subscriptions = new Map<string, Subscription>()
  // Refusals are answers, not faults: the library would print each one to stderr.
  private readonly rpc = new JSONRPCServer<CallContext>({ errorListener: () => {} })
  private server: Server | null = null
  private readonly connections = new Set<Socket>()
  private stopping: Promise<void> | null = null

  constructor(
    home: string,
    readonly log: Logger,
  ) {
    this.paths = homePaths(home)
    this.store = new ProfileStore(this.paths.profiles)
    mkdirSync(this.paths.cacheDir, { recursive: true, mode: 0o700 })
    for (const name of Object.keys(daemonMethods) as DaemonMethodName[]) {
      const method = daemonMethods[name]
      const handler = handlers[name] as (params: never, ctx: CallContext) => unknown
      this.rpc.addMethod(name, async (params, ctx) => {
        try {
          const p = params ?? {}
          validateParams(method.params, p)
          return await handler(p as never, ctx)
        } catch (err) {
          if (!(err instanceof OCommsError)) this.log.error({ err, method: name }, 'method failed')
          throw toRpcError(err)
        }
      })
    }
  }

  /** Listens on the socket (0600) and opens a session for every stored profile. */
  async listen(): Promise<void> {
    const { socket } = this.paths
    rmSync(socket, { force: true })
    const server = createServer((conn) => this.accept(conn))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socket, () => resolve())
    })
    makePrivate(socket)
    checkPrivate(socket)
    this.server = server
    for (const name of this.store.names()) this.open(name, this.store.get(name)!)
  }

  private accept(conn: Socket): void {
    this.connections.add(conn)
    conn.on('error', () => conn.destroy())
    conn.on('close', () => {
      this.connections.delete(conn)
      for (const [id, sub] of this.subscriptions) if (sub.conn === conn) this.subscriptions.delete(id)
    })
    readLines(conn, (line) => {
      this.rpc.receiveJSON(line, { daemon: this, conn }).then(
        (response) => response && writeLine(conn, response),
        (err: unknown) => this.log.error({ err }, 'rpc dispatch failed'),
      )
    })
  }

  // profiles and sessions

  /** The session of a signed-in profile; a clear refusal when it is not signed in. */
  session(profile: string | undefined): ProfileSession {
    const name = profile ?? DEFAULT_PROFILE
    const session = this.sessions.get(name)
    if (!session) {
      throw new OCommsError(
        'unauthenticated',
        `Profile "${name}" is not signed in: run ocomms login --server URL --email E --password-stdin (or ocomms signup).`,
      )
    }
    return session
  }

  /** Stores a freshly signed-in profile and connects it, replacing an earlier sign-in. */
  signIn(name: string, stored: StoredProfile): ProfileSession {
    const previous = this.sessions.get(name)
    if (previous) {
      previous.stop()
      this.sessions.delete(name)
      if (previous.profile.server !== stored.server || previous.profile.user.id !== stored.user.id) rmSync(this.cachePath(name), { force: true })
    }
    this.store.set(name, stored)
    return this.open(name, stored)
  }

  signOut(name: string): void {
    this.sessions.get(name)?.stop()
    this.sessions.delete(name)
    this.store.remove(name)
    for (const suffix of ['', '-wal', '-shm']) rmSync(this.cachePath(name) + suffix, { force: true })
  }

  private cachePath(name: string): string {
    return join(this.paths.cacheDir, `${name}.sqlite`)
  }

  private open(name: string, stored: StoredProfile): ProfileSession {
    const session = new ProfileSession(name, stored, new Cache(this.cachePath(name)), {
      log: this.log,
      publish: (profile, event) => this.publish(profile, event),
      showsNotifications: (profile) => [...this.subscriptions.values()].some((s) => s.profile === profile && s.notifications),
      saveProfile: (profile, value) => {
        if (this.sessions.get(profile)) this.store.set(profile, value)
      },
    })
    this.sessions.set(name, session)
    session.start()
    return session
  }

  profileInfo(session: ProfileSession): Static<typeof ProfileInfo> {
    const { profile } = session
    return {
      profile: session.name,
      server: profile.server,
      user: profile.user,
      workspace: profile.workspaces.find((w) => w.id === profile.workspaceId) ?? null,
      workspaces: profile.workspaces,
      connection: session.state,
    }
  }

  allSessions(): ProfileSession[] {
    return [...this.sessions.values()]
  }

  // subscriptions

  subscribe(conn: Socket, profile: string, conversationIds: string[] | undefined, notifications = false): string {
    const id = randomUUID()
    this.subscriptions.set(id, { conn, profile, conversations: conversationIds ? new Set(conversationIds) : null, notifications })
    return id
  }

  unsubscribe(conn: Socket, id: string): void {
    const sub = this.subscriptions.get(id)
    if (!sub || sub.conn !== conn) throw new OCommsError('not_found', 'No such subscription on this connection.')
    this.subscriptions.delete(id)
  }

  publish(profile: string, event: DaemonEvent): void {
    const conversationId =
      'conversationId' in event && typeof event.conversationId === 'string'
        ? event.conversationId
        : 'message' in event
          ? event.message.conversationId
          : null
    for (const [subscriptionId, sub] of this.subscriptions) {
      if (sub.profile !== profile) continue
      if (event.type === 'daemon.notification' && !sub.notifications) continue
      if (sub.conversations && conversationId && !sub.conversations.has(conversationId)) continue
      writeLine(sub.conn, { jsonrpc: '2.0', method: DAEMON_EVENT_NOTIFICATION, params: { subscriptionId, profile, event } })
    }
  }

  // lifecycle

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.log.info('stopping')
      for (const session of this.sessions.values()) session.stop()
      this.sessions.clear()
      await new Promise<void>((resolve) => {
        if (!this.server) return resolve()
        this.server.close(() => resolve())
        // Frontends see their connection close (a tail ends, a TUI reconnects).
        for (const conn of this.connections) conn.destroy()
      })
      rmSync(this.paths.socket, { force: true })
    })())
  }
}
