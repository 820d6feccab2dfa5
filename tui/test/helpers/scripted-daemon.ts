import { randomUUID } from 'node:crypto'
import type { Conversation, DaemonMethodMap, DaemonMethodName, Member, Message, ParamsOf, ResultOf } from '@ocomms/shared'
import { mentionFlags, OCommsError } from '@ocomms/shared'
import { createElement } from 'react'
import { render } from './ink-testing.js'
import type { DaemonConnection, DaemonEvent, DaemonLink, DaemonNotification } from '@ocomms/daemon/client'
import { ChatStore } from '../../src/state/store.js'
import { App } from '../../src/ui/app.js'
import { ThemeContext } from '../../src/ui/theme.js'
import { serverOps } from '../../src/server-ops.js'

/**
 * A scripted, in-memory implementation of the daemon client's DaemonConnection interface: the UI's test
 * fixture. It answers the daemon methods the TUI uses from plain data the test sets up, records
 * every call, and pushes events when the test says so. End-to-end behaviour against the real
 * daemon and server is the tmux test's job.
 */
export interface ScriptedCall {
  method: string
  operation?: string
  params: Record<string, unknown>
}

export const WS = { id: '00000000-0000-4000-8000-000000000001', slug: 'acme', name: 'Acme', role: 'member' as const, createdAt: '2026-01-01T00:00:00.000Z', lastSeq: 1 }

export function person(handle: string, extra: Partial<Member> = {}): Member {
  return {
    id: randomUUID(),
    handle,
    name: handle[0]!.toUpperCase() + handle.slice(1),
    role: 'member',
    state: 'active',
    joinedAt: '2026-01-01T00:00:00.000Z',
    presence: 'online',
    status: null,
    dnd: false,
    ...extra,
  }
}

export function channel(name: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id: randomUUID(),
    workspaceId: WS.id,
    kind: 'public',
    name,
    topic: '',
    description: '',
    memberCount: 3,
    archived: false,
    createdBy: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    isMember: true,
    lastSeq: 0,
    ...extra,
  }
}

export function dm(me: Member, other: Member): Conversation {
  return channel('', {
    kind: 'dm',
    name: null,
    members: [
      { id: me.id, handle: me.handle, name: me.name },
      { id: other.id, handle: other.handle, name: other.name },
    ],
  })
}

let clock = Date.parse('2026-11-25T09:00:00.000Z')

export function message(c: Conversation, author: Member, text: string, extra: Partial<Message> = {}): Message {
  clock += 60_000
  return {
    id: randomUUID(),
    seq: 0,
    conversationId: c.id,
    threadRootId: null,
    alsoInChannel: false,
    clientId: null,
    author: { id: author.id, handle: author.handle, name: author.name },
    text,
    createdAt: new Date(clock).toISOString(),
    editedAt: null,
    deleted: false,
    replyCount: 0,
    lastReplyAt: null,
    replyParticipants: [],
    reactions: [],
    pinned: false,
    files: [],
    // As the server computes them, with the shared parser.
    mentions: mentionFlags(text),
    ...extra,
  }
}

export class ScriptedDaemon implements DaemonConnection {
  link: DaemonLink = 'open'
  readonly calls: ScriptedCall[] = []
  conversations: Conversation[] = []
  messages = new Map<string, Message[]>()
  members: Member[] = []
  unreads: Array<{ conversation: { id: string }; unread: number; mentions: number; lastReadSeq?: number }> = []
  muted: string[] = []
  drafts: Array<{ conversationId: string; threadRootId: string | null; text: string }> = []
  connection: 'connected' | 'connecting' | 'offline' = 'connected'
  queued: Message[] = []
  /** Answers for `call` operations the test wants to script (beyond the built-in ones). */
  operations = new Map<string, (input: Record<string, unknown>) => unknown>()
  private readonly notificationListeners = new Set<(n: DaemonNotification) => void>()
  private readonly linkListeners = new Set<(l: DaemonLink) => void>()

  constructor(public me: Member) {
    this.members.push(me)
  }

  add(...messages: Message[]): Message[] {
    for (const m of messages) {
      const list = this.messages.get(m.conversationId) ?? []
      m.seq = (this.conversations.find((c) => c.id === m.conversationId)!.lastSeq += 1)
      list.push(m)
      this.messages.set(m.conversationId, list)
    }
    return messages
  }

  private answer(method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'profile.whoami':
        return {
          profile: 'default',
          server: 'http://127.0.0.1:1',
          user: { id: this.me.id, email: `${this.me.handle}@example.test`, handle: this.me.handle, name: this.me.name, createdAt: WS.createdAt },
          workspace: WS,
          workspaces: [WS],
          connection: this.connection,
        }
      case 'conversations.list':
        return { conversations: this.conversations, stale: this.connection !== 'connected' }
      case 'subscribe':
        return { subscriptionId: 'sub-1' }
      case 'unsubscribe':
        return { ok: true }
      case 'messages.read': {
        const all = this.messages.get(params.conversationId as string) ?? []
        const root = params.threadRootId as string | undefined
        let list = root ? all.filter((m) => m.id === root || m.threadRootId === root) : all.filter((m) => !m.threadRootId || m.alsoInChannel)
        if (params.beforeSeq !== undefined) list = list.filter((m) => m.seq < (params.beforeSeq as number))
        const limit = (params.limit as number | undefined) ?? 50
        return { messages: list.slice(-limit), stale: this.connection !== 'connected', source: 'cache' }
      }
      case 'messages.send': {
        const c = this.conversations.find((x) => x.id === params.conversationId)!
        const m = message(c, this.me, params.text as string, { clientId: params.clientId as string, threadRootId: (params.threadRootId as string) ?? null })
        // Offline, the daemon's outbox keeps it: the message is delivered later (see deliverQueued).
        if (this.connection !== 'connected') {
          this.queued.push(m)
          return { queued: true, clientId: params.clientId, message: null }
        }
        this.add(m)
        return { queued: false, clientId: params.clientId, message: m }
      }
      case 'resolve.target': {
        const target = params.target as string
        const other = this.members.find((p) => `@${p.handle}` === target)
        if (!other) throw new OCommsError('not_found', `No ${target}.`)
        const existing = this.conversations.find((c) => c.kind === 'dm' && c.members?.some((p) => p.id === other.id))
        if (existing) return existing
        const c = dm(this.me, other)
        this.conversations.push(c)
        return c
      }
      case 'resolve.message': {
        for (const list of this.messages.values()) {
          const m = list.find((x) => x.id === params.ref)
          if (m) return m
        }
        throw new OCommsError('not_found')
      }
      case 'call':
        return this.operation(params.operation as string, params.input as Record<string, unknown>)
    }
    throw new OCommsError('not_found', `No method ${method}.`)
  }

  private findMessage(id: string): Message | undefined {
    for (const list of this.messages.values()) {
      const m = list.find((x) => x.id === id)
      if (m) return m
    }
    return undefined
  }

  private operation(name: string, input: Record<string, unknown>): unknown {
    const scripted = this.operations.get(name)
    if (scripted) return scripted(input)
    switch (name) {
      case 'member.list':
        return this.members
      case serverOps.unreadsList:
        return {
          conversations: this.unreads,
          threads: [],
          total: this.unreads.reduce((n, u) => n + u.unread, 0),
          totalMentions: this.unreads.reduce((n, u) => n + u.mentions, 0),
        }
      case serverOps.notifyPrefsList:
        return this.muted.map((conversationId) => ({ conversationId, level: null, effectiveLevel: 'all', muted: true, ignoreChannelMentions: false }))
      case serverOps.draftList:
        return this.drafts
      case serverOps.savedList:
        return []
      case serverOps.markRead:
        return { conversationId: input.conversationId, threadRootId: input.threadRootId ?? null, lastReadSeq: input.seq ?? 0 }
      case serverOps.markUnread: {
        const m = this.findMessage(input.messageId as string)!
        return { conversationId: m.conversationId, threadRootId: m.threadRootId, lastReadSeq: m.seq - 1 }
      }
      case serverOps.pinAdd:
      case serverOps.pinRemove: {
        const m = this.findMessage(input.messageId as string)!
        m.pinned = name === serverOps.pinAdd
        return m
      }
      case serverOps.draftSet:
      case serverOps.typingStart:
      case serverOps.typingStop:
      case serverOps.saveAdd:
      case serverOps.saveRemove:
        return { ok: true }
      case serverOps.reactionAdd: {
        const m = this.findMessage(input.messageId as string)!
        const r = m.reactions.find((x) => x.emoji === input.emoji)
        if (r) {
          r.count++
          r.members.push(this.me.id)
        } else m.reactions.push({ emoji: input.emoji as string, count: 1, members: [this.me.id] })
        return m
      }
      case 'message.get':
        return this.findMessage(input.messageId as string)
      case 'message.edit': {
        const m = this.findMessage(input.messageId as string)!
        Object.assign(m, { text: input.text, editedAt: new Date().toISOString() })
        return m
      }
    }
    throw new OCommsError('not_found', `No operation ${name}.`)
  }

  async request<M extends DaemonMethodName>(method: M, params: ParamsOf<DaemonMethodMap[M]>): Promise<ResultOf<DaemonMethodMap[M]>> {
    const p = params as Record<string, unknown>
    this.calls.push({ method, operation: method === 'call' ? (p.operation as string) : undefined, params: method === 'call' ? (p.input as Record<string, unknown>) : p })
    await Promise.resolve()
    return structuredClone(this.answer(method, p)) as ResultOf<DaemonMethodMap[M]>
  }

  callsOf(operation: string) {
    return this.calls.filter((c) => c.operation === operation || c.method === operation)
  }

  /** Pushes a live event as the daemon would. */
  emit(event: DaemonEvent) {
    for (const l of this.notificationListeners) l({ subscriptionId: 'sub-1', profile: 'default', event })
  }

  /** A `typing` signal as the daemon forwards it: the signal's fields beside `type`. */
  typing(conversation: Conversation, who: Member, typing: boolean, threadRootId: string | null = null) {
    this.emit({ type: 'typing', conversationId: conversation.id, threadRootId, userId: who.id, handle: who.handle, typing })
  }

  /** A `presence` signal as the daemon forwards it. */
  presence(who: Member, presence: Member['presence'], extra: { dnd?: boolean; status?: Member['status'] } = {}) {
    this.emit({ type: 'presence', userId: who.id, presence, status: extra.status ?? null, dnd: extra.dnd ?? false })
  }

  /** A new message from someone else, recorded and pushed live. */
  receive(m: Message) {
    this.add(m)
    this.emit({ stream: 'conversation', streamId: m.conversationId, seq: m.seq, type: 'message.created', at: m.createdAt, conversationId: m.conversationId, data: { message: m } })
  }

  /** The outbox delivers what was queued while offline. */
  deliverQueued() {
    for (const m of this.queued.splice(0)) {
      this.add(m)
      this.emit({ type: 'daemon.outbox.delivered', clientId: m.clientId!, message: m })
    }
  }

  /** The line to the daemon drops or comes back. */
  setLink(link: DaemonLink) {
    this.link = link
    for (const l of this.linkListeners) l(link)
  }

  onNotification(listener: (n: DaemonNotification) => void) {
    this.notificationListeners.add(listener)
    return () => this.notificationListeners.delete(listener)
  }

  onLink(listener: (l: DaemonLink) => void) {
    this.linkListeners.add(listener)
    return () => this.linkListeners.delete(listener)
  }

  close() {}
}

export const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms))

/** Renders the real App on a scripted daemon at a given terminal size, with keys sent through stdin. */
export async function renderApp(
  daemon: ScriptedDaemon,
  size: { columns: number; rows: number } = { columns: 100, rows: 30 },
  options: { color?: boolean; now?: () => number } = {},
) {
  const store = new ChatStore(daemon, options.now ? { now: options.now } : {})
  const copied: string[] = []
  const view = render(createElement(ThemeContext.Provider, { value: { color: options.color ?? false } }, createElement(App, { store, copy: (t: string) => copied.push(t) })))
  resize(view.stdout, size)
  await store.start()
  await tick()
  const frame = () => view.lastFrame() ?? ''
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      view.stdin.write(k)
      await tick(15)
    }
    await tick()
  }
  const type = async (text: string) => {
    for (const ch of text) {
      view.stdin.write(ch)
      await tick(5)
    }
    await tick()
  }
  return { ...view, store, frame, press, type, copied, resize: (s: { columns: number; rows: number }) => resize(view.stdout, s) }
}

function resize(stdout: NodeJS.EventEmitter, size: { columns: number; rows: number }) {
  Object.defineProperty(stdout, 'columns', { value: size.columns, configurable: true })
  Object.defineProperty(stdout, 'rows', { value: size.rows, configurable: true })
  stdout.emit('resize')
}

export const keys = {
  enter: '\r',
  altEnter: '\u001b\r',
  escape: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  tab: '\t',
  backspace: '\u007f',
  ctrlK: '\u000b',
  altUp: '\u001b[1;3A',
  altDown: '\u001b[1;3B',
  pageUp: '\u001b[5~',
}
