import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Conversation, Member, Message, PersonRef, Workspace } from '@ocomms/shared'
import { pino } from 'pino'
import { startTestServer, type TestServer, type TestUser } from '../../server/test/helpers/server.js'
import { Cache } from '../src/cache.js'
import { ProfileSession } from '../src/session.js'

/**
 * A daemon's profile session run in-process against a real server, so a test can look into its
 * cache, and what a fresh read from the server says about the same things. Used by the
 * convergence tests (in the spirit of Zulip's verify_action: after every change, the client's
 * state equals a fresh fetch).
 */

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Observer {
  user: TestUser
  session: ProfileSession
  warnings: Array<Record<string, unknown>>
  /** Per conversation, the seq the cache last began following it from (see FollowNotingCache). */
  followedFrom: Map<string, number>
  /** Stops the session (the daemon goes offline; its cache stays). */
  stop(): void
  /** Starts a session again over the same cache, and waits until it has caught up. */
  restart(): Promise<void>
}

/**
 * The daemon's cache, noting where it begins following each conversation: a conversation is
 * followed from its head (on a join, a snapshot or a rebuild) by dropping its cached history and
 * setting its cursor in the same write (engine `putFresh`, reducer `conversation.added`). Every
 * message newer than that seq reaches the cache through the stream; older ones only through a
 * history or thread read. A conversation with no note is held to its whole history.
 */
class FollowNotingCache extends Cache {
  private dropped = new Set<string>()

  constructor(
    path: string,
    private readonly followedFrom: Map<string, number>,
  ) {
    super(path)
  }

  override setCompleteFrom(id: string, seq: number | null): void {
    if (seq === null) this.dropped.add(id)
    super.setCompleteFrom(id, seq)
  }

  override setCursor(id: string, seq: number): void {
    if (this.dropped.delete(id)) this.followedFrom.set(id, seq)
    super.setCursor(id, seq)
  }
}

export async function startObserver(t: Teardown, server: TestServer, user: TestUser): Promise<Observer> {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-observer-'))
  const path = join(dir, 'cache.sqlite')
  const me = await user.call('auth.me', {})
  const warnings: Array<Record<string, unknown>> = []
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) })
  let profile = { server: server.url, token: user.token, user: me.user, workspaceId: me.workspaces[0]?.id ?? null, workspaces: me.workspaces }
  const followedFrom = new Map<string, number>()
  const open = () =>
    new ProfileSession('default', profile, new FollowNotingCache(path, followedFrom), {
      log,
      publish: () => {},
      saveProfile: (_name, stored) => (profile = stored),
      showsNotifications: () => false,
    })
  const observer: Observer = {
    user,
    session: open(),
    warnings,
    followedFrom,
    stop() {
      observer.session.stop()
    },
    async restart() {
      observer.session = open()
      observer.session.start()
      await caughtUp(observer)
    },
  }
  observer.session.start()
  await caughtUp(observer)
  t.teardown(async () => {
    try {
      observer.session.stop()
    } catch {
      // stopped already
    }
    await rm(dir, { recursive: true, force: true })
  })
  return observer
}

export async function caughtUp(o: Observer, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!o.session.live) {
    if (Date.now() > deadline) throw new Error('the observer did not catch up')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * A person as a message or a DM's member list shows them, without the display name: those
 * embedded references keep the name the person had then (the members table has the current
 * one; see docs/client-core.md).
 */
const ref = (p: PersonRef) => ({ id: p.id, handle: p.handle })
const messageView = (m: Message) => ({ ...m, author: ref(m.author), replyParticipants: m.replyParticipants.map(ref) })
/** Presence, status and DND of others travel as live signals, not events (docs/events.md). */
const memberView = ({ presence: _p, status: _s, dnd: _d, ...m }: Member) => m
/**
 * A conversation I am in is followed event by event; one I am not in (a public channel) is only
 * listed, so only what names it is compared.
 */
const conversationView = (c: Conversation) =>
  c.isMember ? { ...c, ...(c.members ? { members: c.members.map(ref) } : {}) } : { id: c.id, kind: c.kind, isMember: c.isMember }
const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1))

export interface View {
  conversations: unknown[]
  members: unknown[]
  messages: Record<string, unknown>
  saved: string[]
  drafts: unknown[]
  notifyPrefs: unknown[]
  keywords: string[]
  mentionPolicy: unknown
  follows: Record<string, boolean>
  dnd: unknown
}

/**
 * What the server answers now, as the observer's cache must hold it. For each conversation it
 * is in, the cache promises (docs/client-core.md, daemon/src/cache.ts):
 * - every message, top level or reply, newer than the seq it began following the conversation
 *   from: those come through the stream;
 * - every top-level message from its `completeFrom` on, when set (a history page was read);
 * - and that whatever else it holds (an older message read, or a thread root) is current.
 * History from before it followed the conversation (before a join) is not cached: a reader gets
 * it from the server (`messages.read` answers from the cache only inside `completeFrom`, and
 * threads are always asked of the server). So a reply written after a join, to a message from
 * before it, is cached without its root, and the root is not expected here. Holding the cache
 * to the whole history of such a conversation would fail on any channel joined after it had
 * messages; missing or stale messages inside the promised range still show as a difference.
 */
export async function serverView(o: Observer, ws: Workspace, cached: Record<string, unknown>): Promise<View> {
  const u = o.user
  const conversations = await u.call('conversation.list', { workspaceId: ws.id, all: true })
  const cachedMessages = Object.values(cached) as Array<{ threadRootId: string | null }>
  const pages = await Promise.all(conversations.filter((c) => c.isMember).map((c) => u.call('message.list', { conversationId: c.id, limit: 200 })))
  const all: Message[] = pages.flat()
  const roots = new Set(cachedMessages.flatMap((m) => (m.threadRootId ? [m.threadRootId] : [])))
  for (const m of all) {
    if (m.replyCount > 0) roots.add(m.id)
    if (m.threadRootId) roots.add(m.threadRootId)
  }
  for (const thread of await Promise.all([...roots].map((id) => u.call('thread.replies', { messageId: id })))) all.push(...thread.replies)
  const messages: Record<string, unknown> = {}
  for (const m of all) {
    const completeFrom = o.session.cache.conversation(m.conversationId)?.completeFrom ?? null
    const promised =
      m.seq > (o.followedFrom.get(m.conversationId) ?? 0) || (completeFrom !== null && m.seq >= completeFrom && (m.threadRootId === null || m.alsoInChannel))
    if (promised || m.id in cached) messages[m.id] = messageView(m)
  }
  const followKeys = o.session.cache.db.prepare<[], { key: string }>("select key from records where tbl = 'follows'").all().map((r) => r.key)
  const [follows, dnd, members, saved, drafts, notifyPrefs, keywords, mentionPolicy] = await Promise.all([
    Promise.all(followKeys.map(async (key) => [key, (await u.call('thread.replies', { messageId: key, limit: 1 })).following] as const)).then((e) => Object.fromEntries(e)),
    u.call('dnd.get', {}),
    u.call('member.list', { workspaceId: ws.id }),
    u.call('saved.list', { workspaceId: ws.id }),
    u.call('draft.list', { workspaceId: ws.id }),
    u.call('notify.list', { workspaceId: ws.id }),
    u.call('keywords.get', {}),
    u.call('mentionPolicy.get', { workspaceId: ws.id }),
  ])
  return {
    conversations: byId(conversations).map(conversationView),
    members: byId(members).map(memberView),
    messages,
    saved: saved.map((m) => m.id).sort(),
    drafts: drafts.sort((a, b) => (a.conversationId + a.threadRootId < b.conversationId + b.threadRootId ? -1 : 1)),
    notifyPrefs: notifyPrefs.sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1)),
    keywords: [...keywords.keywords].sort(),
    mentionPolicy,
    follows,
    dnd: { snoozeUntil: dnd.snoozeUntil, schedule: dnd.schedule, timeZone: dnd.timeZone },
  }
}

/** What the observer's daemon cache holds about the same things. */
export function cacheView(o: Observer, ws: Workspace): View {
  const cache = o.session.cache
  const records = <T>(table: string) =>
    cache.db.prepare<[string], { key: string; json: string }>('select key, json from records where tbl = ?').all(table).map((r) => ({ key: r.key, value: JSON.parse(r.json) as T }))
  const conversations = cache.conversations(ws.id, true)
  const messages: Record<string, unknown> = {}
  for (const c of conversations) if (c.isMember) for (const m of cache.messagesIn(c.id)) messages[m.id] = messageView(m)
  const account = records<{ dnd: { snoozeUntil: string | null; schedule: string | null; timeZone: string } | null; keywords: string[] | null }>('account')[0]?.value
  return {
    conversations: byId(conversations).map(conversationView),
    members: byId(cache.members(ws.id)).map(memberView),
    messages,
    saved: records('saved').map((r) => r.key).sort(),
    drafts: records<{ conversationId: string; threadRootId: string | null }>('drafts')
      .map((r) => r.value)
      .sort((a, b) => (a.conversationId + a.threadRootId < b.conversationId + b.threadRootId ? -1 : 1)),
    notifyPrefs: records<{ conversationId: string }>('notifyPrefs')
      .map((r) => r.value)
      .sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1)),
    keywords: [...(account?.keywords ?? [])].sort(),
    mentionPolicy: records<{ mentionPolicy: unknown }>('workspaces').find((r) => r.key === ws.id)?.value.mentionPolicy ?? null,
    follows: Object.fromEntries(records<{ following: boolean }>('follows').map((r) => [r.key, r.value.following])),
    dnd: account?.dnd ? { snoozeUntil: account.dnd.snoozeUntil, schedule: account.dnd.schedule, timeZone: account.dnd.timeZone } : null,
  }
}

export { randomUUID, startTestServer }
export type { TestServer, TestUser }
