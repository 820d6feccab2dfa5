import type { Event as EventEnvelope } from '../events/envelope.js'
import type { EventType } from '../events/event-types.js'
import { knownEvent, type EventOf } from '../events/typed.js'
import type { Conversation, Message } from '../schemas.js'
import {
  ACCOUNT_KEY,
  applyChanges,
  ChangeSet,
  isEmpty,
  memberKey,
  stateReader,
  streamKey,
  threadKey,
  type AccountSettings,
  type Changes,
  type ClientState,
  type StateReader,
} from './state.js'

/**
 * The one interpretation of events on the client side: `(state, event) → state`. Every event
 * type has a rule here, or an entry in `ignoredEvents` saying why it changes nothing a client
 * holds (a test checks every known type is in exactly one). The daemon persists what these
 * rules produce to SQLite; the TUI and the web app apply the same rules to what they show.
 */

type Rule<T extends EventType> = (tx: ChangeSet, event: EventOf<T>, ctx: RuleContext) => void

interface RuleContext {
  /** The signed-in person's id. */
  me: string | null
  /**
   * The events come already checked and in order (a frontend mirroring its daemon, which
   * publishes only the events it applied): no cursor checks, and rules change what is shown.
   */
  ordered?: boolean
}

const noneMentioned = { handles: [], channel: false, here: false }

/** A thread's first message summary after a reply came or went. */
function patchRoot(tx: ChangeSet, root: { id: string; replyCount: number; lastReplyAt: string | null; replyParticipants: Message['replyParticipants'] } | undefined) {
  if (root) tx.patch('messages', root.id, { replyCount: root.replyCount, lastReplyAt: root.lastReplyAt, replyParticipants: root.replyParticipants })
}

/** A conversation-wide view of a conversation merged into mine (my membership stays mine). */
function mergeConversation(tx: ChangeSet, shared: Omit<Conversation, 'isMember'>) {
  const mine = tx.get('conversations', shared.id)
  if (mine) tx.put('conversations', shared.id, { ...mine, ...shared, isMember: mine.isMember, lastSeq: Math.max(mine.lastSeq, shared.lastSeq) })
}

function patchAccount(tx: ChangeSet, patch: Partial<AccountSettings>) {
  const now = tx.get('account', ACCOUNT_KEY) ?? { dnd: null, status: null, presenceMode: null, keywords: null }
  tx.put('account', ACCOUNT_KEY, { ...now, ...patch })
}

const reactionRule: Rule<'reaction.added' | 'reaction.removed'> = (tx, e) => tx.patch('messages', e.data.messageId, { reactions: e.data.reactions })
const conversationSnapshotRule: Rule<'conversation.updated' | 'conversation.archived' | 'conversation.unarchived'> = (tx, e) =>
  mergeConversation(tx, e.data.conversation)
const memberRule: Rule<'member.joined' | 'member.updated'> = (tx, e) => {
  const key = memberKey(e.streamId, e.data.member.id)
  // Only active members are listed (member.list): a deactivated one leaves the list.
  if (e.data.member.state === 'active') tx.put('members', key, e.data.member)
  else tx.remove('members', key)
}

export const rules: { [T in EventType]?: Rule<T> } = {
  // conversation streams
  'message.created': (tx, e) => {
    tx.put('messages', e.data.message.id, e.data.message)
    patchRoot(tx, e.data.root)
  },
  'message.updated': (tx, e) => tx.put('messages', e.data.message.id, e.data.message),
  'message.deleted': (tx, e) => {
    // A tombstone keeps its place; its text, reactions, files and pin go with it (as the server reads it).
    tx.patch('messages', e.data.messageId, { deleted: true, text: '', reactions: [], files: [], mentions: noneMentioned })
    patchRoot(tx, e.data.root)
  },
  'thread.updated': (tx, e) => {
    if (e.data.message) tx.put('messages', e.data.message.id, e.data.message)
    patchRoot(tx, e.data.root)
  },
  'conversation.updated': conversationSnapshotRule,
  'conversation.archived': conversationSnapshotRule,
  'conversation.unarchived': conversationSnapshotRule,
  'conversation.member_joined': (tx, e) => {
    const c = tx.get('conversations', e.streamId)
    if (c) tx.put('conversations', c.id, { ...c, memberCount: c.memberCount + 1 })
  },
  'conversation.member_left': (tx, e) => {
    const c = tx.get('conversations', e.streamId)
    if (c) tx.put('conversations', c.id, { ...c, memberCount: Math.max(0, c.memberCount - 1) })
  },
  'reaction.added': reactionRule,
  'reaction.removed': reactionRule,
  'message.pinned': (tx, e) => {
    if (tx.get('messages', e.data.messageId)) tx.put('messages', e.data.messageId, { ...e.data.message, pinned: true })
  },
  'message.unpinned': (tx, e) => tx.patch('messages', e.data.messageId, { pinned: false }),

  // user streams
  'conversation.added': (tx, e) => {
    const c = e.data.conversation
    const known = tx.get('conversations', c.id)
    if (known?.isMember) return
    // Followed from the event that added me: its stream continues from there, and whatever
    // history was cached while I was not in it may be stale.
    tx.dropHistory(c.id)
    tx.put('conversations', c.id, { ...c, isMember: true })
    tx.put('cursors', streamKey('conversation', c.id), c.lastSeq)
  },
  'conversation.removed': (tx, e) => {
    const id = e.data.conversationId
    const known = tx.get('conversations', id)
    tx.dropHistory(id)
    tx.remove('notifyPrefs', id)
    // A public channel I left stays listed (for `channel list --all`), no longer followed.
    if (known && known.kind === 'public') {
      tx.put('conversations', id, { ...known, isMember: false, memberCount: Math.max(0, known.memberCount - (known.isMember ? 1 : 0)) })
    } else {
      tx.remove('conversations', id)
      tx.remove('cursors', streamKey('conversation', id))
    }
  },
  'thread.followed': (tx, e) => tx.put('follows', e.data.messageId, { messageId: e.data.messageId, following: true }),
  'thread.unfollowed': (tx, e) => tx.put('follows', e.data.messageId, { messageId: e.data.messageId, following: false }),
  'saved.added': (tx, e) => tx.put('saved', e.data.messageId, { messageId: e.data.messageId, savedAt: e.data.savedAt }),
  'saved.removed': (tx, e) => tx.remove('saved', e.data.messageId),
  'read.marked': (tx, e) => {
    const { conversationId, threadRootId, lastReadSeq } = e.data
    tx.put('readMarkers', threadKey(conversationId, threadRootId), { conversationId, threadRootId, lastReadSeq })
  },
  'draft.updated': (tx, e) => tx.put('drafts', threadKey(e.data.draft.conversationId, e.data.draft.threadRootId), e.data.draft),
  'draft.cleared': (tx, e) => tx.remove('drafts', threadKey(e.data.conversationId, e.data.threadRootId)),
  'dnd.updated': (tx, e) => patchAccount(tx, { dnd: e.data.dnd }),
  'status.updated': (tx, e) => patchAccount(tx, { status: e.data.status }),
  'presence.updated': (tx, e) => patchAccount(tx, { presenceMode: e.data.mode }),
  'keywords.updated': (tx, e) => patchAccount(tx, { keywords: e.data.keywords }),
  'notify.updated': (tx, e) => tx.put('notifyPrefs', e.data.pref.conversationId, e.data.pref),

  // workspace streams
  'conversation.created': (tx, e) => {
    const c = e.data.conversation
    if (tx.get('conversations', c.id)) return
    tx.put('conversations', c.id, { ...c, isMember: false })
    tx.put('cursors', streamKey('conversation', c.id), c.lastSeq)
  },
  'member.joined': memberRule,
  'member.updated': memberRule,
  'member.left': (tx, e) => tx.remove('members', memberKey(e.streamId, e.data.userId)),
  'workspace.updated': (tx, e) => tx.put('workspaces', e.streamId, { workspaceId: e.streamId, mentionPolicy: e.data.mentionPolicy }),
}

/** Event types that change nothing a client holds, and why. */
export const ignoredEvents: { [T in EventType]?: string } = {
  notification:
    'a prompt to alert the person (the daemon decides whether to show it); the message it is about arrives through its conversation stream',
  'session.revoked': 'a connection matter: the engine signs the profile out; no record changes',
}

/** What offering an event did. */
export type Offered = 'applied' | 'old' | 'gap' | 'unknown-stream' | 'unknown-type'

/**
 * Works out what one event changes, given the rows as they are. Events are applied strictly
 * in seq order per stream: an older one was seen already, a newer one means something is
 * missing (sync that stream); an event of a conversation this client does not follow, or of a
 * type it does not know, changes nothing and asks for a sync too.
 */
export function eventChanges(read: StateReader, event: EventEnvelope, ctx: RuleContext = { me: null }): { result: Offered; changes: Changes | null } {
  const cursorKey = streamKey(event.stream, event.streamId)
  if (!ctx.ordered) {
    const cursor = read.get('cursors', cursorKey)
    if (event.stream === 'conversation' && (!read.get('conversations', event.streamId) || cursor === undefined)) return { result: 'unknown-stream', changes: null }
    if (cursor !== undefined && event.seq <= cursor) return { result: 'old', changes: null }
    if (cursor !== undefined && event.seq > cursor + 1) return { result: 'gap', changes: null }
  }
  if (!knownEvent(event)) return { result: 'unknown-type', changes: null }
  const tx = new ChangeSet(read)
  const rule = rules[event.type] as Rule<EventType> | undefined
  rule?.(tx, event as never, ctx)
  if (event.stream === 'conversation') {
    const c = tx.get('conversations', event.streamId)
    if (c) tx.put('conversations', c.id, { ...c, lastSeq: Math.max(c.lastSeq, event.seq) })
  }
  // A rule may have stopped following the stream (left the conversation): then no cursor.
  if (event.stream !== 'conversation' || tx.get('conversations', event.streamId)) tx.put('cursors', cursorKey, event.seq)
  return { result: 'applied', changes: tx.changes }
}

/**
 * Several events, in order, as one step: each is worked out against the rows as the ones before
 * it left them (exactly as one by one), and their changes make one `Changes`, so storage writes
 * them in one transaction and a state copies each table it touches once. `stop` ends the batch
 * after an event (its result is the last one returned); the events after it are not looked at.
 */
export function batchChanges(
  read: StateReader,
  events: readonly EventEnvelope[],
  ctx: RuleContext = { me: null },
  stop?: (result: Offered) => boolean,
): { results: Offered[]; changes: Changes } {
  const batch = new ChangeSet(read)
  const results: Offered[] = []
  for (const event of events) {
    const { result, changes } = eventChanges(batch, event, ctx)
    if (changes) batch.merge(changes)
    results.push(result)
    if (stop?.(result)) break
  }
  return { results, changes: batch.changes }
}

/** The reducer: a client state after one event (unchanged when the event is not the next of its stream). */
export function reduce(state: ClientState, event: EventEnvelope, ctx: RuleContext = { me: null }): ClientState {
  const { changes } = eventChanges(stateReader(state), event, ctx)
  return changes ? applyChanges(state, changes) : state
}

/** The same as `reduce` over each event in turn, with one copy of each table touched instead of one per event. */
export function reduceMany(state: ClientState, events: readonly EventEnvelope[], ctx: RuleContext = { me: null }): ClientState {
  const { changes } = batchChanges(stateReader(state), events, ctx)
  return isEmpty(changes) ? state : applyChanges(state, changes)
}


