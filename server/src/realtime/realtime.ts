import { LIVE_EVENT, type Event } from '@ocomms/shared'
import type { Server } from 'socket.io'
import { rooms } from './rooms.js'

const streamRoom = {
  conversation: rooms.conversation,
  user: rooms.user,
  workspace: rooms.workspace,
} as const

/**
 * The server's side of live delivery. Every method addresses rooms, so it works the same
 * with one process or many behind the Redis adapter.
 */
export class Realtime {
  private io: Server | null = null
  /** Told of every event published (the metrics count them). */
  observer: ((event: Event) => void) | null = null

  attach(io: Server): void {
    this.io = io
  }

  /** Sends an event to everyone allowed to see its stream. */
  publish(event: Event): void {
    this.io?.to(streamRoom[event.stream](event.streamId)).emit(LIVE_EVENT, event)
    this.observer?.(event)
  }

  /** Puts every socket of a user into rooms (e.g. a conversation they just joined). */
  joinRooms(userId: string, names: string[]): void {
    if (names.length > 0) this.io?.in(rooms.user(userId)).socketsJoin(names)
  }

  leaveRooms(userId: string, names: string[]): void {
    if (names.length > 0) this.io?.in(rooms.user(userId)).socketsLeave(names)
  }

  /** An ephemeral signal (typing, presence): no seq, not stored, to rooms, minus `except` rooms. */
  signal(to: string[], event: string, payload: unknown, except: string[] = []): void {
    if (!this.io || to.length === 0) return
    const target = except.length > 0 ? this.io.to(to).except(except) : this.io.to(to)
    target.emit(event, payload)
  }

  /**
   * Makes a socket's rooms starting with `prefix` exactly `names`. Only for a socket of this
   * process: the operation that asks runs on the process holding the socket.
   */
  replaceSocketRooms(socketId: string, prefix: string, names: string[]): boolean {
    const socket = this.io?.sockets.sockets.get(socketId)
    if (!socket) return false
    const wanted = new Set(names)
    for (const room of [...socket.rooms]) if (room.startsWith(prefix) && !wanted.has(room)) socket.leave(room)
    socket.join(names)
    return true
  }

  // Disconnects wait for the current call to be answered: a logout sent over the socket it
  // ends still gets its acknowledgement.
  disconnectUser(userId: string): void {
    setImmediate(() => this.io?.in(rooms.user(userId)).disconnectSockets(true))
  }

  disconnectSession(sessionId: string): void {
    setImmediate(() => this.io?.in(rooms.session(sessionId)).disconnectSockets(true))
  }
}
