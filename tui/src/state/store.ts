import { randomUUID } from 'node:crypto'
import type { Conversation, Member, Message, OperationName } from '@ocomms/shared'
import type { DaemonConnection, DaemonEvent, DaemonLink } from '@ocomms/daemon/client'
import { ACCOUNT_KEY, eventChanges, knownEvent, mentionsHandle, type Changes, type ClientTables, type StateReader, type TableName } from '@ocomms/shared/reducer'
import { featureEvents, serverOps, type OpInput, type OpOutput, type PresenceInfo, type TypingSignal } from '../server-ops.js'
import { byName, dmPartner } from './names.js'
import { draftKey, type ChatState, type History, type Location, type Person, type ViewName } from './types.js'

const PAGE = 50

/** What the screen keeps of a workspace member: who they are and their presence. */
const personOf = (m: Member): Person => ({ id: m.id, handle: m.handle, name: m.name, presence: m.presence, status: m.status, dnd: m.dnd })
const TYPING_TTL_MS = 6000
const TYPING_THROTTLE_MS = 3000
const DRAFT_SAVE_DELAY_MS = 600

export interface StoreOptions {
  profile?: string
  /** Open this conversation first (an id); default: the first channel of the sidebar. */
  initialConversationId?: string
  now?: () => number
}

const emptyHistory = (): History => ({ messages: [], hasOlder: true, loadingOlder: false, stale: false, newAfterSeq: null, keepUnread: false })

/** Inserts or replaces by id, keeping seq order. */
function upsert(messages: Message[], message: Message): Message[] {
  const at = messages.findIndex((m) => m.id === message.id)
  if (at >= 0) return messages.map((m, i) => (i === at ? message : m))
  const next = [...messages, message]
  next.sort((a, b) => a.seq - b.seq)
  return next
}

function mergeMessages(older: Message[], newer: Message[]): Message[] {
  const seen = new Set(newer.map((m) => m.id))
  return [...older.filter((m) => !seen.has(m.id)), ...newer].sort((a, b) => a.seq - b.seq)
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * The TUI's state: what the daemon said, kept as immutable snapshots for React
 * (useSyncExternalStore), and the actions that ask the daemon for more. The daemon holds the
 * truth and the cache; this holds only what is on screen and never writes anything but
 * through the daemon.
 */
export class ChatStore {
  private state: ChatState
  private readonly listeners = new Set<() => void>()
  private readonly unsubscribers: Array<() => void> = []
  private subscriptionId: string | null = null
  private readonly draftTimers = new Map<string, { timer: NodeJS.Timeout; save: () => void }>()
  private typingSentAt = new Map<string, number>()
  /** Ids of people changed live while a member.list is on its way (see loadPeople). */
  private readonly peopleWatchers = new Set<Set<string>>()
  private typingTimer: NodeJS.Timeout | null = null
  private noticeTimer: NodeJS.Timeout | null = null
  private readonly now: () => number
  private disposed = false

  constructor(
    private readonly client: DaemonConnection,
    private readonly options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.state = {
      phase: 'starting',
      link: client.link,
      connection: 'unknown',
      stale: false,
      me: null,
      workspace: null,
      conversations: [],
      counts: {},
      muted: {},
      people: {},
      location: null,
      lastConversationId: null,
      histories: {},
      thread: null,
      typing: {},
      drafts: {},
      savedIds: {},
      pending: [],
      dnd: null,
      views: {},
      viewLoading: false,
      notice: null,
      fatal: null,
    }
  }

  getState = (): ChatState => this.state
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private set(update: Partial<ChatState> | ((s: ChatState) => Partial<ChatState>)) {
    if (this.disposed) return
    const patch = typeof update === 'function' ? update(this.state) : update
    this.state = { ...this.state, ...patch }
    for (const l of this.listeners) l()
  }

  private get profile() {
    return this.options.profile
  }

  /** A server operation through the daemon's `call`, typed by its declaration. */
  call<N extends OperationName>(operation: N, input: OpInput<N>): Promise<OpOutput<N>> {
    return this.client.request('call', { profile: this.profile, operation, input: input as Record<string, unknown> }) as Promise<OpOutput<N>>
  }

  /** A feature that may not exist on this server yet: its absence leaves the UI as it was. */
  private async optional<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn()
    } catch {
      return undefined
    }
  }

  notify(text: string, kind: 'info' | 'error' = 'info') {
    this.set({ notice: { text, kind } })
    if (this.noticeTimer) clearTimeout(this.noticeTimer)
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), 5000)
    this.noticeTimer.unref?.()
  }

  // ---------------------------------------------------------------- start

  /**
   * First paint comes from the daemon's cache: who I am and the conversation list, then the
   * last page of the first conversation. Everything else (live events, counts, people,
   * drafts) follows in the background and fills in.
   */
  async start(): Promise<void> {
    this.unsubscribers.push(
      this.client.onNotification((n) => this.apply(n.event)),
      this.client.onLink((link) => this.onLink(link)),
    )
    this.typingTimer = setInterval(() => this.pruneTyping(), 1000)
    this.typingTimer.unref?.()
    await this.load()
  }

  private async load() {
    let whoami, list
    try {
      ;[whoami, list] = await Promise.all([
        this.client.request('profile.whoami', { profile: this.profile }),
        this.client.request('conversations.list', { profile: this.profile }),
      ])
    } catch (err) {
      this.set({ phase: 'unreachable', link: this.client.link, fatal: errorText(err) })
      return
    }
    const me = { id: whoami.user.id, handle: whoami.user.handle, name: whoami.user.name }
    const workspace = whoami.workspace ? { id: whoami.workspace.id, name: whoami.workspace.name, slug: whoami.workspace.slug } : null
    this.set({
      phase: 'ready',
      fatal: null,
      link: this.client.link,
      me,
      workspace,
      connection: whoami.connection,
      stale: list.stale,
      conversations: list.conversations,
    })
    const location = this.state.location
    const target =
      location?.kind === 'conversation'
        ? location.conversationId
        : (this.options.initialConversationId ?? this.firstConversationId())
    if (location?.kind === 'view') await this.openView(location.view)
    else if (target) await this.openConversation(target)
    void this.background()
  }

  private firstConversationId(): string | null {
    const mine = this.state.conversations.filter((c) => c.isMember && !c.archived)
    const channels = mine.filter((c) => c.kind === 'public' || c.kind === 'private').sort((a, b) => byName(a.name ?? '', b.name ?? ''))
    return (channels.find((c) => c.name === 'general') ?? channels[0] ?? mine[0])?.id ?? null
  }

  private async background() {
    const ws = this.state.workspace
    await Promise.all([
      this.resubscribe(),
      this.refreshCounts(),
      this.loadPeople(),
      ws &&
        this.optional(async () => {
          const prefs = await this.call(serverOps.notifyPrefsList, { workspaceId: ws.id })
          this.set({ muted: Object.fromEntries(prefs.filter((p) => p.muted).map((p) => [p.conversationId, true])) })
        }),
      ws &&
        this.optional(async () => {
          const drafts = await this.call(serverOps.draftList, { workspaceId: ws.id })
          this.set((s) => ({ drafts: { ...Object.fromEntries(drafts.map((d) => [draftKey(d.conversationId, d.threadRootId), d.text])), ...s.drafts } }))
        }),
      this.optional(async () => {
        const saved = await this.call(serverOps.savedList, ws ? { workspaceId: ws.id } : {})
        this.set({ savedIds: Object.fromEntries(saved.map((m) => [m.id, true])) })
      }),
      this.refreshDnd(),
    ])
  }

  /**
   * The workspace's people with their presence as the server answers it now. Later changes come
   * as `presence` signals: the daemon subscribes to the people of the workspace after every sync
   * and passes the signals on. The UI does not call `presence.subscribe` itself: the server keeps
   * one set per socket, and the daemon's socket is shared by every frontend, so a narrower set
   * asked from here would cut the others off. A signal that arrives while this is asked is newer
   * than the answer and stays.
   */
  private async loadPeople() {
    const ws = this.state.workspace
    if (!ws) return
    const touched = new Set<string>()
    this.peopleWatchers.add(touched)
    let members: Member[] | undefined
    try {
      members = await this.optional(() => this.call('member.list', { workspaceId: ws.id }))
    } finally {
      this.peopleWatchers.delete(touched)
    }
    if (!members) return
    this.set((s) => {
      const people = { ...s.people }
      for (const m of members) {
        if (!touched.has(m.id)) people[m.id] = personOf(m)
      }
      return { people }
    })
  }

  /** Sets what is known of one person, live (a signal or a member event). */
  private setPerson(person: Person) {
    for (const touched of this.peopleWatchers) touched.add(person.id)
    this.set((s) => ({ people: { ...s.people, [person.id]: person } }))
  }

  private async refreshDnd() {
    const dnd = await this.optional(() => this.call(serverOps.dndStatus, {}))
    if (dnd) this.set({ dnd })
  }

  async refreshCounts() {
    const ws = this.state.workspace
    if (!ws) return
    const answer = await this.optional(() => this.call(serverOps.unreadsList, { workspaceId: ws.id }))
    if (!answer) return
    const counts: ChatState['counts'] = {}
    for (const c of answer.conversations) if (c.unread > 0 || c.mentions > 0) counts[c.conversation.id] = { unread: c.unread, mentions: c.mentions, lastReadSeq: c.lastReadSeq }
    // The open conversation is being read: it stays at zero.
    const open = this.openConversationId()
    if (open && !this.state.histories[open]?.keepUnread) delete counts[open]
    this.set((s) => ({ counts, views: { ...s.views, unreads: answer } }))
  }

  private async resubscribe() {
    try {
      const { subscriptionId } = await this.client.request('subscribe', { profile: this.profile })
      this.subscriptionId = subscriptionId
    } catch (err) {
      this.notify(`Live updates unavailable: ${errorText(err)}`, 'error')
    }
  }

  private onLink(link: DaemonLink) {
    this.set({ link })
    if (link === 'open') {
      // The daemon came back (or restarted): catch up from it, which also renews the subscription.
      void this.load()
    }
  }

  // ---------------------------------------------------------------- navigation

  openConversationId(): string | null {
    const loc = this.state.location
    return loc?.kind === 'conversation' ? loc.conversationId : null
  }

  conversation(id: string | null | undefined): Conversation | undefined {
    return id ? this.state.conversations.find((c) => c.id === id) : undefined
  }

  async openConversation(conversationId: string) {
    const prev = this.openConversationId()
    const counts = this.state.counts[conversationId]
    const location: Location = { kind: 'conversation', conversationId }
    this.set((s) => ({
      location,
      lastConversationId: conversationId,
      thread: s.thread && s.thread.conversationId !== conversationId ? null : s.thread,
    }))
    if (prev === conversationId && this.state.histories[conversationId]) return
    try {
      const page = await this.client.request('messages.read', { profile: this.profile, conversationId, limit: PAGE })
      // Where the "new messages" line goes: after what I last read, fixed while I stay here.
      let newAfterSeq: number | null = null
      if (counts && counts.unread > 0) {
        if (counts.lastReadSeq !== undefined) newAfterSeq = counts.lastReadSeq
        else {
          const firstUnread = page.messages[Math.max(0, page.messages.length - counts.unread)]
          newAfterSeq = firstUnread ? firstUnread.seq - 1 : null
        }
      }
      this.set((s) => ({
        stale: page.stale,
        histories: {
          ...s.histories,
          [conversationId]: {
            ...emptyHistory(),
            messages: mergeMessages(page.messages, s.histories[conversationId]?.messages ?? []),
            hasOlder: page.messages.length >= PAGE,
            stale: page.stale,
            newAfterSeq,
          },
        },
      }))
      void this.markRead(conversationId)
    } catch (err) {
      this.notify(`Could not load history: ${errorText(err)}`, 'error')
    }
  }

  async loadOlder(conversationId: string) {
    const h = this.state.histories[conversationId]
    if (!h || !h.hasOlder || h.loadingOlder) return
    const first = h.messages[0]
    if (!first) return this.set((s) => ({ histories: { ...s.histories, [conversationId]: { ...h, hasOlder: false } } }))
    const patch = (p: Partial<History>) =>
      this.set((s) => ({ histories: { ...s.histories, [conversationId]: { ...(s.histories[conversationId] ?? emptyHistory()), ...p } } }))
    patch({ loadingOlder: true })
    try {
      const page = await this.client.request('messages.read', { profile: this.profile, conversationId, limit: PAGE, beforeSeq: first.seq })
      const current = this.state.histories[conversationId] ?? emptyHistory()
      patch({ messages: mergeMessages(page.messages, current.messages), hasOlder: page.messages.length >= PAGE, loadingOlder: false })
    } catch (err) {
      patch({ loadingOlder: false })
      this.notify(`Could not load older messages: ${errorText(err)}`, 'error')
    }
  }

  async openView(view: ViewName, query?: string) {
    this.set((s) => ({ location: { kind: 'view', view }, viewLoading: view !== 'search' || query !== undefined, views: s.views }))
    const ws = this.state.workspace
    try {
      if (view === 'unreads') await this.refreshCounts()
      else if (view === 'threads') {
        // Followed threads, read or not: the unreads answer with `all`.
        const threads = ws ? (await this.call(serverOps.unreadsList, { workspaceId: ws.id, all: true })).threads : []
        this.set((s) => ({ views: { ...s.views, threads } }))
      } else if (view === 'mentions') {
        const mentions = ws ? await this.call(serverOps.mentionsList, { workspaceId: ws.id, limit: 50 }) : []
        this.set((s) => ({ views: { ...s.views, mentions } }))
      } else if (view === 'saved') {
        const saved = await this.call(serverOps.savedList, ws ? { workspaceId: ws.id } : {})
        this.set((s) => ({ views: { ...s.views, saved }, savedIds: Object.fromEntries(saved.map((m) => [m.id, true])) }))
      } else if (view === 'pins') {
        const conversationId = this.state.lastConversationId
        const messages = conversationId ? await this.call(serverOps.pinList, { conversationId }) : []
        this.set((s) => ({ views: { ...s.views, pins: { conversationId, messages } } }))
      } else if (view === 'search' && query !== undefined) {
        this.set((s) => ({ views: { ...s.views, search: { query, answer: null } } }))
        if (!ws) return
        const answer = await this.call(serverOps.search, { workspaceId: ws.id, query, limit: 50 })
        this.set((s) => ({ views: { ...s.views, search: { query, answer } } }))
      }
    } catch (err) {
      this.notify(`${view}: ${errorText(err)}`, 'error')
    } finally {
      this.set({ viewLoading: false })
    }
  }

  /** Opens a conversation by target (`@handle` opens the DM) and returns its id. */
  async openTarget(target: string): Promise<string | null> {
    try {
      const c = await this.client.request('resolve.target', { profile: this.profile, target })
      this.set((s) => ({ conversations: s.conversations.some((x) => x.id === c.id) ? s.conversations : [...s.conversations, c] }))
      await this.openConversation(c.id)
      return c.id
    } catch (err) {
      this.notify(`${target}: ${errorText(err)}`, 'error')
      return null
    }
  }

  async openThread(message: Message) {
    const rootId = message.threadRootId ?? message.id
    const conversationId = message.conversationId
    const known = this.state.histories[conversationId]?.messages.find((m) => m.id === rootId) ?? (message.id === rootId ? message : null)
    this.set({ thread: { conversationId, rootId, root: known, replies: [], loading: true } })
    try {
      const page = await this.client.request('messages.read', { profile: this.profile, conversationId, threadRootId: rootId, limit: 200 })
      let root = page.messages.find((m) => m.id === rootId) ?? known
      if (!root) root = await this.client.request('resolve.message', { profile: this.profile, ref: rootId })
      const replies = page.messages.filter((m) => m.id !== rootId)
      this.set((s) => (s.thread?.rootId === rootId ? { thread: { conversationId, rootId, root, replies, loading: false } } : {}))
      void this.optional(() => this.call(serverOps.markRead, { conversationId, threadRootId: rootId }))
    } catch (err) {
      this.set((s) => (s.thread?.rootId === rootId ? { thread: { ...s.thread, loading: false } } : {}))
      this.notify(`Could not open the thread: ${errorText(err)}`, 'error')
    }
  }

  closeThread() {
    this.set({ thread: null })
  }

  // ---------------------------------------------------------------- reading

  async markRead(conversationId: string) {
    const h = this.state.histories[conversationId]
    if (!h || h.keepUnread) return
    const last = h.messages.at(-1)
    this.set((s) => {
      const counts = { ...s.counts }
      delete counts[conversationId]
      return { counts }
    })
    if (last) await this.optional(() => this.call(serverOps.markRead, { conversationId, seq: last.seq }))
  }

  async markUnread(message: Message) {
    let marker
    try {
      marker = await this.call(serverOps.markUnread, { messageId: message.id })
    } catch (err) {
      return this.notify(`Could not mark unread: ${errorText(err)}`, 'error')
    }
    const conversationId = message.conversationId
    // A reply is unread in its thread: the channel's line and counts stay as they are.
    if (marker.threadRootId) return this.notify('Marked unread from this reply')
    this.set((s) => {
      const h = s.histories[conversationId] ?? emptyHistory()
      const unread = h.messages.filter((m) => m.seq >= message.seq && !m.threadRootId).length || 1
      return {
        histories: { ...s.histories, [conversationId]: { ...h, newAfterSeq: marker.lastReadSeq, keepUnread: true } },
        counts: { ...s.counts, [conversationId]: { unread, mentions: s.counts[conversationId]?.mentions ?? 0, lastReadSeq: marker.lastReadSeq } },
      }
    })
    this.notify('Marked unread from this message')
  }

  // ---------------------------------------------------------------- writing

  async send(conversationId: string, text: string, threadRootId: string | null = null) {
    const clientId = randomUUID()
    this.set((s) => ({ pending: [...s.pending, { clientId, conversationId, threadRootId, text }] }))
    void this.stopTyping(conversationId, threadRootId)
    try {
      const res = await this.client.request('messages.send', {
        profile: this.profile,
        conversationId,
        text,
        clientId,
        ...(threadRootId ? { threadRootId } : {}),
      })
      if (res.message) {
        this.set((s) => ({ pending: s.pending.filter((p) => p.clientId !== clientId) }))
        this.applyMessage(res.message)
      } else this.notify('Queued: it will be sent when the server is reachable')
    } catch (err) {
      this.set((s) => ({ pending: s.pending.filter((p) => p.clientId !== clientId) }))
      this.notify(`Not sent: ${errorText(err)}`, 'error')
      throw err
    }
  }

  async edit(message: Message, text: string) {
    try {
      const updated = await this.call('message.edit', { messageId: message.id, text })
      this.applyMessage(updated)
    } catch (err) {
      this.notify(`Not edited: ${errorText(err)}`, 'error')
      throw err
    }
  }

  private mine(reaction: { members: string[] }) {
    const me = this.state.me
    return !!me && (reaction.members.includes(me.id) || reaction.members.includes(me.handle))
  }

  /** Adds my reaction, or takes it back when I already reacted with that emoji. */
  async toggleReaction(message: Message, emoji: string) {
    const existing = message.reactions.find((r) => r.emoji === emoji)
    const remove = !!existing && this.mine(existing)
    try {
      this.applyMessage(await this.call(remove ? serverOps.reactionRemove : serverOps.reactionAdd, { messageId: message.id, emoji }))
    } catch (err) {
      this.notify(`Reaction failed: ${errorText(err)}`, 'error')
    }
  }

  async togglePin(message: Message) {
    try {
      this.applyMessage(await this.call(message.pinned ? serverOps.pinRemove : serverOps.pinAdd, { messageId: message.id }))
      this.notify(message.pinned ? 'Unpinned' : 'Pinned')
    } catch (err) {
      this.notify(`Pin failed: ${errorText(err)}`, 'error')
    }
  }

  async toggleSaved(message: Message) {
    const saved = !!this.state.savedIds[message.id]
    try {
      await this.call(saved ? serverOps.saveRemove : serverOps.saveAdd, { messageId: message.id })
      this.set((s) => {
        const savedIds = { ...s.savedIds }
        if (saved) delete savedIds[message.id]
        else savedIds[message.id] = true
        return { savedIds }
      })
      this.notify(saved ? 'Removed from saved items' : 'Saved')
    } catch (err) {
      this.notify(`Save failed: ${errorText(err)}`, 'error')
    }
  }

  private async refetch(messageId: string) {
    const m = await this.optional(() => this.call('message.get', { messageId }))
    if (m) this.applyMessage(m)
  }

  /** Keeps the draft of a conversation or thread, saved through the daemon a moment after typing stops. */
  setDraft(conversationId: string, threadRootId: string | null, text: string) {
    const key = draftKey(conversationId, threadRootId)
    if ((this.state.drafts[key] ?? '') === text) return
    this.set((s) => ({ drafts: { ...s.drafts, [key]: text } }))
    const pending = this.draftTimers.get(key)
    if (pending) clearTimeout(pending.timer)
    const save = () => {
      this.draftTimers.delete(key)
      void this.optional(() => this.call(serverOps.draftSet, { conversationId, ...(threadRootId ? { threadRootId } : {}), text }))
    }
    this.draftTimers.set(key, { timer: setTimeout(save, DRAFT_SAVE_DELAY_MS), save })
    if (text) void this.typing(conversationId, threadRootId)
  }

  private async typing(conversationId: string, threadRootId: string | null) {
    const key = draftKey(conversationId, threadRootId)
    const last = this.typingSentAt.get(key) ?? 0
    if (this.now() - last < TYPING_THROTTLE_MS) return
    this.typingSentAt.set(key, this.now())
    await this.optional(() => this.call(serverOps.typingStart, { conversationId, ...(threadRootId ? { threadRootId } : {}) }))
  }

  private async stopTyping(conversationId: string, threadRootId: string | null) {
    const key = draftKey(conversationId, threadRootId)
    if (!this.typingSentAt.delete(key)) return
    await this.optional(() => this.call(serverOps.typingStop, { conversationId, ...(threadRootId ? { threadRootId } : {}) }))
  }

  private pruneTyping() {
    const now = this.now()
    let changed = false
    const typing: ChatState['typing'] = {}
    for (const [key, who] of Object.entries(this.state.typing)) {
      const live = Object.fromEntries(Object.entries(who).filter(([, t]) => t.until > now))
      if (Object.keys(live).length !== Object.keys(who).length) changed = true
      if (Object.keys(live).length > 0) typing[key] = live
    }
    if (changed) this.set({ typing })
  }

  // ---------------------------------------------------------------- live events

  private applyMessage(message: Message) {
    this.set((s) => {
      const patch: Partial<ChatState> = {}
      const isReply = !!message.threadRootId
      const h = s.histories[message.conversationId]
      if (h && (!isReply || message.alsoInChannel)) {
        patch.histories = { ...s.histories, [message.conversationId]: { ...h, messages: upsert(h.messages, message) } }
      }
      if (s.thread && (s.thread.rootId === message.id || s.thread.rootId === message.threadRootId)) {
        patch.thread =
          s.thread.rootId === message.id ? { ...s.thread, root: message } : { ...s.thread, replies: upsert(s.thread.replies, message) }
      }
      if (message.clientId && s.pending.some((p) => p.clientId === message.clientId)) {
        patch.pending = s.pending.filter((p) => p.clientId !== message.clientId)
      }
      return patch
    })
  }

  /** Merges a thread root summary (reply count, last reply, participants) into the root wherever it is shown. */
  private applyRootSummary(conversationId: string, summary: Partial<Message> & { id: string }) {
    this.set((s) => {
      const patch: Partial<ChatState> = {}
      const h = s.histories[conversationId]
      if (h?.messages.some((m) => m.id === summary.id)) {
        patch.histories = {
          ...s.histories,
          [conversationId]: { ...h, messages: h.messages.map((m) => (m.id === summary.id ? { ...m, ...summary } : m)) },
        }
      }
      if (s.thread?.rootId === summary.id && s.thread.root) patch.thread = { ...s.thread, root: { ...s.thread.root, ...summary } }
      return patch
    })
  }

  private countIncoming(message: Message) {
    const s = this.state
    if (!s.me || message.author.id === s.me.id) return
    const c = this.conversation(message.conversationId)
    if (!c) return
    if (message.threadRootId && !message.alsoInChannel) return // thread replies count in the threads view
    const open = this.openConversationId() === message.conversationId
    if (open && !s.histories[message.conversationId]?.keepUnread) {
      void this.markRead(message.conversationId)
      return
    }
    const dm = c.kind === 'dm' || c.kind === 'group_dm'
    const prev = s.counts[message.conversationId] ?? { unread: 0, mentions: 0 }
    const mention = dm || mentionsHandle(message.mentions, s.me.handle)
    this.set({ counts: { ...s.counts, [message.conversationId]: { ...prev, unread: prev.unread + 1, mentions: prev.mentions + (mention ? 1 : 0) } } })
  }

  /**
   * What the reducer reads while it works out an event's changes: the rows this screen holds
   * (the conversations, the messages shown in histories and the open thread, drafts). The
   * daemon publishes only the events it applied, in order, so no cursor is checked here.
   */
  private readonly shown: StateReader = {
    get: <T extends TableName>(table: T, key: string): ClientTables[T] | undefined => {
      const s = this.state
      switch (table) {
        case 'conversations':
          return s.conversations.find((c) => c.id === key) as ClientTables[T] | undefined
        case 'messages': {
          for (const h of Object.values(s.histories)) {
            const m = h.messages.find((x) => x.id === key)
            if (m) return m as ClientTables[T]
          }
          if (s.thread?.root?.id === key) return s.thread.root as ClientTables[T]
          return s.thread?.replies.find((m) => m.id === key) as ClientTables[T] | undefined
        }
        default:
          return undefined
      }
    },
  }

  apply(event: DaemonEvent) {
    switch (event.type) {
      case 'daemon.connection':
        if ('connection' in event) {
          const was = this.state.connection
          this.set({ connection: event.connection, stale: event.connection !== 'connected' })
          if (event.connection === 'connected' && was !== 'connected' && was !== 'unknown') void this.catchUp()
        }
        return
      case 'daemon.outbox.delivered':
        if ('message' in event) this.applyMessage(event.message)
        return
      case 'daemon.outbox.failed':
        if ('clientId' in event) {
          this.set((s) => ({ pending: s.pending.filter((p) => p.clientId !== event.clientId) }))
          if ('error' in event) this.notify(`Not sent: ${event.error.message}`, 'error')
        }
        return
      // Ephemeral signals: the daemon passes them on with their fields beside `type` (no `data`).
      case featureEvents.presence:
        this.applyPresence(event as unknown as PresenceInfo)
        return
      case featureEvents.typing: {
        const signal = event as unknown as TypingSignal
        const { conversationId, userId } = signal
        if (!conversationId || !userId || userId === this.state.me?.id) return
        const key = draftKey(conversationId, signal.threadRootId)
        const handle = signal.handle ?? this.state.people[userId]?.handle ?? 'someone'
        this.set((s) => {
          const who = { ...(s.typing[key] ?? {}) }
          if (signal.typing === false) delete who[userId]
          else who[userId] = { handle, until: this.now() + TYPING_TTL_MS }
          return { typing: { ...s.typing, [key]: who } }
        })
        return
      }
    }
    if (!('stream' in event)) return
    // What the event changes is the shared reducer's answer, the same the daemon stored.
    const { changes } = eventChanges(this.shown, event, { me: this.state.me?.id ?? null, ordered: true })
    if (changes) this.show(changes)
    if (!knownEvent(event)) return
    // What this screen does besides showing the change.
    switch (event.type) {
      case 'message.created': {
        const message = event.data.message
        this.set((s) => {
          const key = draftKey(message.conversationId, message.threadRootId)
          const who = s.typing[key]
          if (!who?.[message.author.id]) return {}
          const rest = { ...who }
          delete rest[message.author.id]
          return { typing: { ...s.typing, [key]: rest } }
        })
        this.countIncoming(message)
        return
      }
      case 'read.marked': {
        // Read (or marked unread) here or on another device of mine.
        const { conversationId: id, threadRootId, unread } = event.data
        if (threadRootId) return
        if (unread) {
          if (id !== this.openConversationId()) void this.refreshCounts()
          return
        }
        if (this.state.histories[id]?.keepUnread && id === this.openConversationId()) return
        this.set((s) => {
          if (!s.counts[id]) return {}
          const counts = { ...s.counts }
          delete counts[id]
          return { counts }
        })
        return
      }
    }
  }

  /** Shows the rows an event changed, wherever they are on screen. */
  private show(changes: Changes) {
    for (const id of changes.dropHistory) {
      this.set((s) => {
        if (!s.histories[id]) return {}
        const histories = { ...s.histories }
        delete histories[id]
        return { histories }
      })
    }
    for (const message of Object.values(changes.put.messages ?? {})) this.applyMessage(message)
    const conversations = Object.values(changes.put.conversations ?? {})
    const gone = new Set(changes.remove.conversations ?? [])
    if (conversations.length > 0 || gone.size > 0) {
      this.set((s) => {
        let list = s.conversations.filter((c) => !gone.has(c.id))
        for (const c of conversations) list = list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]
        const openId = s.location?.kind === 'conversation' ? s.location.conversationId : null
        const stillMine = !openId || list.some((c) => c.id === openId && c.isMember)
        return { conversations: list, location: stillMine ? s.location : null }
      })
    }
    for (const m of Object.values(changes.put.members ?? {})) this.setPerson(personOf(m))
    const saved = Object.keys(changes.put.saved ?? {})
    const unsaved = changes.remove.saved ?? []
    if (saved.length > 0 || unsaved.length > 0) {
      this.set((s) => {
        const savedIds = { ...s.savedIds }
        for (const id of saved) savedIds[id] = true
        for (const id of unsaved) delete savedIds[id]
        return { savedIds }
      })
    }
    const drafts = Object.entries(changes.put.drafts ?? {})
    const cleared = changes.remove.drafts ?? []
    if (drafts.length > 0 || cleared.length > 0) {
      this.set((s) => {
        const next = { ...s.drafts }
        for (const [key, d] of drafts) next[key] = d.text
        for (const key of cleared) delete next[key]
        return { drafts: next }
      })
    }
    const prefs = Object.values(changes.put.notifyPrefs ?? {})
    if (prefs.length > 0) {
      this.set((s) => {
        const muted = { ...s.muted }
        for (const pref of prefs) {
          if (pref.muted) muted[pref.conversationId] = true
          else delete muted[pref.conversationId]
        }
        return { muted }
      })
    }
    const account = changes.put.account?.[ACCOUNT_KEY]
    if (account?.dnd && account.dnd !== this.state.dnd) this.set({ dnd: account.dnd })
  }

  private applyPresence(p: PresenceInfo) {
    if (!p.userId) return
    // Before member.list has answered, a DM partner is known from the conversation's members.
    const known =
      this.state.people[p.userId] ??
      this.state.conversations.flatMap((c) => c.members ?? []).find((m) => m.id === p.userId)
    if (!known) return
    this.setPerson({ id: known.id, handle: known.handle, name: known.name, presence: p.presence, status: p.status, dnd: p.dnd })
  }

  /** Changes a message wherever it is shown (history, thread root, thread replies). */
  private patchMessage(conversationId: string | undefined, messageId: string, patch: Partial<Message>) {
    const s = this.state
    const known =
      (conversationId ? s.histories[conversationId]?.messages.find((m) => m.id === messageId) : undefined) ??
      (s.thread?.root?.id === messageId ? s.thread.root : s.thread?.replies.find((m) => m.id === messageId))
    if (known) this.applyMessage({ ...known, ...patch })
  }

  /** After the daemon reconnected to the server: newer messages of what is open, fresh counts and presence (signals are not replayed). */
  private async catchUp() {
    const open = this.openConversationId()
    if (open) {
      const page = await this.optional(() => this.client.request('messages.read', { profile: this.profile, conversationId: open, limit: PAGE }))
      if (page) {
        this.set((s) => {
          const h = s.histories[open] ?? emptyHistory()
          return { stale: page.stale, histories: { ...s.histories, [open]: { ...h, messages: mergeMessages(h.messages, page.messages), stale: page.stale } } }
        })
      }
    }
    await Promise.all([this.refreshCounts(), this.loadPeople()])
  }

  /** People for DMs and completion: DM partners first, then everyone known. */
  partnerOf(c: Conversation): Person | null {
    const p = dmPartner(c, this.state.me?.id ?? null)
    if (!p) return null
    return this.state.people[p.id] ?? { ...p, presence: 'offline', status: null, dnd: false }
  }

  dispose() {
    for (const u of this.unsubscribers) u()
    // Drafts typed in the last moment are saved now rather than lost.
    for (const { timer, save } of [...this.draftTimers.values()]) {
      clearTimeout(timer)
      save()
    }
    if (this.typingTimer) clearInterval(this.typingTimer)
    if (this.noticeTimer) clearTimeout(this.noticeTimer)
    if (this.subscriptionId && this.client.link === 'open') {
      this.client.request('unsubscribe', { subscriptionId: this.subscriptionId }).catch(() => {})
    }
    this.disposed = true
  }
}
