import type { Static } from '@sinclair/typebox'
import type { ConnectionState, Conversation, CustomStatus, Message, PersonRef, Presence } from '@ocomms/shared'
import type { DaemonLink } from '@ocomms/daemon/client'
import type { DndStatus, SearchAnswer, ThreadSummary, UnreadsAnswer } from '../server-ops.js'

export type ViewName = 'unreads' | 'threads' | 'mentions' | 'search' | 'saved' | 'pins'
export const viewNames: readonly ViewName[] = ['unreads', 'threads', 'mentions', 'saved', 'pins', 'search']
export const viewTitles: Record<ViewName, string> = {
  unreads: 'Unreads',
  threads: 'Threads',
  mentions: 'Mentions',
  search: 'Search',
  saved: 'Saved items',
  pins: 'Pins',
}

export type Location = { kind: 'conversation'; conversationId: string } | { kind: 'view'; view: ViewName }

export interface Person extends PersonRef {
  presence: Static<typeof Presence>
  status: Static<typeof CustomStatus> | null
  dnd: boolean
}

export interface Counts {
  unread: number
  mentions: number
  lastReadSeq?: number
}

/** What the message pane shows of one conversation. */
export interface History {
  messages: Message[]
  hasOlder: boolean
  loadingOlder: boolean
  /** Served from the daemon's cache while it could not reach the server. */
  stale: boolean
  /** The "new messages" line sits after the message with this seq (fixed when the conversation is opened). */
  newAfterSeq: number | null
  /** Marked unread by hand: stay unread until the conversation is opened again. */
  keepUnread: boolean
}

export interface ThreadState {
  conversationId: string
  rootId: string
  root: Message | null
  replies: Message[]
  loading: boolean
}

/** A send the daemon queued while offline; shown dimmed until the outbox delivers it. */
export interface PendingSend {
  clientId: string
  conversationId: string
  threadRootId: string | null
  text: string
}

export interface Notice {
  text: string
  kind: 'info' | 'error'
}

export interface ViewData {
  unreads?: UnreadsAnswer
  threads?: ThreadSummary[]
  mentions?: Message[]
  saved?: Message[]
  pins?: { conversationId: string | null; messages: Message[] }
  search?: { query: string; answer: SearchAnswer | null }
}

export interface ChatState {
  phase: 'starting' | 'ready' | 'unreachable'
  link: DaemonLink
  connection: Static<typeof ConnectionState> | 'unknown'
  /** The last answers came from the daemon's cache because the server was unreachable. */
  stale: boolean
  me: PersonRef | null
  workspace: { id: string; name: string; slug: string } | null
  conversations: Conversation[]
  counts: Record<string, Counts>
  muted: Record<string, boolean>
  people: Record<string, Person>
  location: Location | null
  /** The conversation last shown (the target of the pins view and of Alt+Up/Down while a view is open). */
  lastConversationId: string | null
  histories: Record<string, History>
  thread: ThreadState | null
  /** Who is typing, by draftKey(conversationId, threadRootId): handle and expiry (ms). */
  typing: Record<string, Record<string, { handle: string; until: number }>>
  drafts: Record<string, string>
  savedIds: Record<string, boolean>
  pending: PendingSend[]
  dnd: DndStatus | null
  views: ViewData
  viewLoading: boolean
  notice: Notice | null
  fatal: string | null
}

export const draftKey = (conversationId: string, threadRootId: string | null | undefined) =>
  threadRootId ? `${conversationId}/${threadRootId}` : conversationId
