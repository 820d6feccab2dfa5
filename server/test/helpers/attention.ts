import { randomUUID } from 'node:crypto'
import type { Socket } from 'socket.io-client'
import type { Workspace } from '@ocomms/shared'
import type { TestServer, TestUser } from './server.js'

/** Ephemeral signals (presence, typing) a socket received, with a way to wait for one. */
export interface Signals<T> {
  items: T[]
  waitFor(match: (item: T) => boolean, timeoutMs?: number): Promise<T>
  /** Waits for a matching item received from now on (earlier ones do not count). */
  next(match: (item: T) => boolean, timeoutMs?: number): Promise<T>
}

export function collect<T>(socket: Socket, event: string): Signals<T> {
  const items: T[] = []
  const waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = []
  socket.on(event, (item: T) => {
    items.push(item)
    for (const w of [...waiters]) {
      if (w.match(item)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(item)
      }
    }
  })
  const wait = (match: (item: T) => boolean, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a "${event}" signal`)), timeoutMs)
      waiters.push({ match, resolve: (item) => (clearTimeout(timer), resolve(item)) })
    })
  return {
    items,
    next: (match, timeoutMs = 5_000) => wait(match, timeoutMs),
    waitFor(match, timeoutMs = 5_000) {
      const seen = items.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a "${event}" signal`)), timeoutMs)
        waiters.push({ match, resolve: (item) => (clearTimeout(timer), resolve(item)) })
      })
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A workspace owned by alice with the other people as members (all in #general when it exists). */
export async function team(server: TestServer, handles: string[]): Promise<{ ws: Workspace; users: TestUser[] }> {
  const users: TestUser[] = []
  for (const h of handles) users.push(await server.signup(h))
  const ws = await server.workspace(users[0]!)
  for (const u of users.slice(1)) await server.join(ws, users[0]!, u)
  return { ws, users }
}

/** Sends a message with a fresh clientId. */
export function send(user: TestUser, conversationId: string, text: string, extra: { threadRootId?: string; alsoToChannel?: boolean } = {}) {
  return user.call('message.send', { conversationId, text, clientId: randomUUID(), ...extra })
}
