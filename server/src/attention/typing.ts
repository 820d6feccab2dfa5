import { TYPING_EVENT, TYPING_EXPIRY_MS, TYPING_RENEW_MS, type TypingSignal } from '@ocomms/shared'
import { rooms } from '../realtime/rooms.js'
import type { Services } from '../services.js'

interface Typist {
  signal: TypingSignal
  sentAt: number
  timer: NodeJS.Timeout
}

/**
 * Typing indicators: ephemeral `typing` signals to the conversation's room (its members'
 * sockets), never to the typist. Throttled: renewing a start within TYPING_RENEW_MS only
 * pushes the expiry back; without a renewal the indicator stops by itself after
 * TYPING_EXPIRY_MS, so a client that vanishes leaves no "is typing..." behind.
 * State is per process: each typist talks to one process, and the signals go through rooms.
 */
export class TypingService {
  private readonly typists = new Map<string, Typist>()

  constructor(private readonly services: Services) {}

  private key(userId: string, conversationId: string, threadRootId: string | null) {
    return `${userId}:${conversationId}:${threadRootId ?? ''}`
  }

  private send(signal: TypingSignal): void {
    this.services.realtime.signal([rooms.conversation(signal.conversationId)], TYPING_EVENT, signal, [rooms.user(signal.userId)])
  }

  start(userId: string, handle: string, conversationId: string, threadRootId: string | null, now = Date.now()): void {
    const key = this.key(userId, conversationId, threadRootId)
    const existing = this.typists.get(key)
    if (existing) clearTimeout(existing.timer)
    const timer = setTimeout(() => this.stop(userId, conversationId, threadRootId), TYPING_EXPIRY_MS)
    timer.unref()
    const signal: TypingSignal = { conversationId, threadRootId, userId, handle, typing: true }
    if (existing && now - existing.sentAt < TYPING_RENEW_MS) {
      existing.timer = timer
      return
    }
    this.typists.set(key, { signal, sentAt: now, timer })
    this.send(signal)
  }

  stop(userId: string, conversationId: string, threadRootId: string | null): void {
    const key = this.key(userId, conversationId, threadRootId)
    const existing = this.typists.get(key)
    if (!existing) return
    clearTimeout(existing.timer)
    this.typists.delete(key)
    this.send({ ...existing.signal, typing: false })
  }

  /** Someone's last socket closed, or they left a conversation: end their indicators. */
  stopAll(userId: string, conversationId?: string): void {
    for (const t of [...this.typists.values()]) {
      if (t.signal.userId === userId && (!conversationId || t.signal.conversationId === conversationId)) {
        this.stop(userId, t.signal.conversationId, t.signal.threadRootId)
      }
    }
  }

  close(): void {
    for (const t of this.typists.values()) clearTimeout(t.timer)
    this.typists.clear()
  }
}
