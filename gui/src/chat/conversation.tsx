import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Virtuoso, type ListRange, type VirtuosoHandle } from 'react-virtuoso'
import type { Conversation, Message, User } from '@ocomms/shared'
import { isNewSince } from '@ocomms/shared/client'
import { useBackend, useClientState, useOutbox, useTyping } from '../backend/hooks'
import { navigate } from '../router'
import { Composer } from './composer'
import { FirstRows, ListShown, type FirstRowsAt, type ListShownContext } from './first-rows'
import { MessageRow } from './message'
import { conversationTitle } from './names'
import { PendingRow } from './pending'

/** Messages by the same author within this long of each other are shown as one group. */
const GROUP_MS = 5 * 60_000
/** Virtuoso's index of the first item; older pages count down from it, so the view stays put. */
const FIRST_INDEX = 1_000_000_000
/**
 * Older history is asked for while this many rows are still drawn above the first one in view,
 * not when the top of what is loaded is reached: scrolling back then does not stop there to wait
 * for the page, and the page is put on top of rows far above the view (see `firstItemIndex`).
 */
const ROWS_AHEAD = 40
/**
 * Scrolled back further than this many rows below the last one drawn (about two windows), the
 * pane offers a way back to the newest; nearer, it does once something new has come meanwhile.
 */
const ROWS_BELOW_FOR_JUMP = 30
/** The read marker moves at most this often while messages keep arriving. */
const MARK_EVERY_MS = 1_000

// The list's options that never change, made once: the list compares its props on every render
// of the pane (many while the page starts) and works its layout out again for any new one.
const VIEWPORT_MARGIN = { top: 400, bottom: 200 }
/**
 * A row's height as laid out, fractions of a pixel included. react-virtuoso's own measure rounds
 * it (27.75 px counted as 28): over the rows above a place the sums drifted from the page by a
 * quarter pixel a row, so the list opened at the "new messages" line some pixels off.
 */
const rowHeight = (row: HTMLElement) => row.getBoundingClientRect().height
/**
 * Where the list opens: at the "new messages" line when there is one, near the top with a little
 * of what was read above it (when the unread messages fit in the window, the list stops at its end
 * and they are all in view); else at the newest row, at the bottom. The list keeps itself hidden
 * until it has scrolled there, and is given at first the rows whose heights that scroll needs
 * (`initialItemCount`): for the newest, enough to fill the window however short the rows; for the
 * line, every row above it too. Our patch of react-virtuoso (patches/) makes those the rows that
 * end at an index aligned to the end (aligned to the start, the ones that reach the last row), and
 * shows the list as soon as that first scroll has landed, instead of after four frames and 150 ms
 * without change (300 ms and more of an empty pane, at each start and each change of
 * conversation).
 */
const OPEN_AT_NEWEST = { index: 'LAST', align: 'end' } as const
/** How much of what was read stays in view above the "new messages" line, in pixels. */
const READ_CONTEXT_PX = 48
/**
 * Rows the list draws above the "new messages" line when it opens there: more than its margin
 * above the view (400 px) holds at 20 px a row, so opening does not reach the first row loaded,
 * which would load older history under the list while it is still scrolling into place.
 */
const ROWS_ABOVE_LINE = 30
/** Pages of older history read at most, before the list opens, to have those rows above the line. */
const PAGES_FOR_LINE = 3
/**
 * Below the shortest a row can be (a follow-up line of plain text, 27.75 px with the app's styles),
 * with room to spare: for how many rows surely fill a window.
 */
const SHORTEST_ROW_PX = 20
const rowsToFill = () => Math.ceil((typeof window === 'undefined' ? 1080 : window.innerHeight) / SHORTEST_ROW_PX)

interface Opening {
  at: typeof OPEN_AT_NEWEST | { index: number; align: 'start'; offset: number } | 0
  /** How many rows the list draws at first: those its first scroll needs the heights of. */
  rows: number
}
/** Where the list opens (see above), given its rows and whether older ones could still be read. */
function openingOf(rows: Row[], line: number, olderToRead: boolean): Opening {
  if (rows.length === 0) return { at: 0, rows: 0 }
  // The line too near the first row loaded, with more history before it: at the newest instead.
  if (line < 0 || (line < ROWS_ABOVE_LINE && olderToRead)) return { at: OPEN_AT_NEWEST, rows: Math.min(rows.length, rowsToFill()) }
  return { at: { index: line, align: 'start', offset: -READ_CONTEXT_PX }, rows: rows.length - Math.max(0, line - ROWS_ABOVE_LINE) }
}
/** The rows drawn before the list shows itself (first-rows.tsx): a window's worth each side of where it opens. */
function firstRowsOf(rows: Row[], at: Exclude<Opening['at'], 0>): { rows: Row[]; all: boolean; at: FirstRowsAt } {
  const fill = rowsToFill()
  if (at.align === 'end') {
    const shown = rows.slice(-fill)
    return { rows: shown, all: shown.length === rows.length, at: 'end' }
  }
  const from = Math.max(0, at.index - fill)
  const shown = rows.slice(from, at.index + fill)
  return { rows: shown, all: shown.length === rows.length, at: { index: at.index - from, offset: -at.offset } }
}
const rowKey = (_: number, row: Row) => (row.kind === 'message' ? row.message.id : row.entry.clientId)

export type Row =
  | { kind: 'message'; message: Message; grouped: boolean; newDay: boolean; firstUnread: boolean }
  | { kind: 'pending'; entry: import('@ocomms/shared/client').OutboxEntry }

/**
 * A message's time and local day, worked out once per message object: the rows are rebuilt on
 * every arrival, and parsing every date again (toDateString above all) was most of the page's
 * time with thousands of messages loaded and 200 arriving a second.
 */
const times = new WeakMap<Message, { at: number; day: string }>()
function timeOf(m: Message): { at: number; day: string } {
  let t = times.get(m)
  if (!t) {
    const d = new Date(m.createdAt)
    t = { at: d.getTime(), day: d.toDateString() }
    times.set(m, t)
  }
  return t
}

/**
 * Messages in seq order with grouping and day marks, then what is still in the outbox.
 * `readUpTo` is where the read marker stood when the conversation was opened: the first message
 * of someone else after it carries the "new messages" line.
 */
export function rowsOf(messages: Message[], pending: import('@ocomms/shared/client').OutboxEntry[], readUpTo: number | null = null, me: string | null = null): Row[] {
  const rows: Row[] = []
  let prev: Message | null = null
  let lineDrawn = readUpTo === null
  for (const m of messages) {
    const newDay = !prev || timeOf(prev).day !== timeOf(m).day
    const firstUnread = !lineDrawn && isNewSince(m, readUpTo!, me)
    if (firstUnread) lineDrawn = true
    const grouped = !firstUnread && !!prev && !prev.deleted && prev.author.id === m.author.id && timeOf(m).at - timeOf(prev).at < GROUP_MS
    rows.push({ kind: 'message', message: m, grouped, newDay, firstUnread })
    prev = m
  }
  for (const entry of pending) rows.push({ kind: 'pending', entry })
  return rows
}

/** How many messages are new to me since `seq` (messages in seq order, so counted from the end). */
function countNewSince(messages: Message[], seq: number, me: string): number {
  let n = 0
  for (let i = messages.length - 1; i >= 0 && messages[i]!.seq > seq; i--) if (isNewSince(messages[i]!, seq, me)) n++
  return n
}

/** How many of the messages (in seq order) come before `seq`: a binary search, as this runs on every change. */
function countBefore(messages: Message[], seq: number): number {
  let lo = 0
  let hi = messages.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (messages[mid]!.seq < seq) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function ConversationPane(props: { conversation: Conversation; me: User; onBack: () => void; highlightId?: string | null; onDetails?: () => void; readUpTo?: number | null }) {
  const { conversation: c, me } = props
  const backend = useBackend()
  const state = useClientState()
  const outbox = useOutbox()
  const [more, setMore] = useState(true)
  const [loading, setLoading] = useState(true)
  const anchor = useRef<number | null>(null)
  const list = useRef<VirtuosoHandle>(null)

  // The list is rebuilt at most once a frame however fast messages arrive: the browser's client
  // applies live events in batches at the next animation frame (backend/browser-backend.ts).
  const allMessages = state.messages
  const messages = useMemo(
    () =>
      Object.values(allMessages)
        .filter((m) => m.conversationId === c.id && (m.threadRootId === null || m.alsoInChannel))
        .sort((a, b) => a.seq - b.seq),
    [allMessages, c.id],
  )
  // A sent message can arrive live before its acknowledgement empties the outbox: shown once.
  const pending = useMemo(() => {
    const queued = outbox.filter((e) => e.conversationId === c.id && !e.threadRootId)
    // Nothing queued here (nearly always): no need to look through every message, every frame.
    if (queued.length === 0) return queued
    const arrived = new Set(messages.map((m) => m.clientId))
    return queued.filter((e) => !arrived.has(e.clientId))
  }, [outbox, c.id, messages])
  // The marker as it stood when the conversation opened: the "new messages" line stays there
  // while the conversation is open, though reading moves the marker on.
  // The reducer knows the marker once a read event came; else the server's unread counts say it
  // (`readUpTo`: null when nothing is unread, undefined while they are not known yet).
  const openedAt = useRef<number | null | undefined>(undefined)
  if (openedAt.current === undefined) {
    const known = state.readMarkers[c.id]?.lastReadSeq
    if (known !== undefined) openedAt.current = known
    else if (props.readUpTo !== undefined) openedAt.current = props.readUpTo
  }
  const readUpTo = openedAt.current ?? null
  const rows = useMemo(() => rowsOf(messages, pending, readUpTo, me.id), [messages, pending, readUpTo, me.id])

  useEffect(() => {
    let alive = true
    anchor.current = null
    setLoading(true)
    backend.loadHistory(c.id).then(
      (r) => alive && (setMore(r.more), setLoading(false)),
      () => alive && setLoading(false),
    )
    return () => {
      alive = false
    }
  }, [backend, c.id])

  // Older messages are counted down from the first one shown, so prepending keeps the view still.
  if (anchor.current === null && messages.length > 0 && !loading) anchor.current = messages[0]!.seq
  const older = anchor.current === null ? 0 : countBefore(messages, anchor.current)
  const firstItemIndex = FIRST_INDEX - older

  // One page at a time: the list asks again on every change of the rows it draws.
  const loadingBefore = useRef<number | null>(null)
  const loadOlder = useCallback(() => {
    if (!more || messages.length === 0) return
    const before = messages[0]!.seq
    if (loadingBefore.current === before) return
    loadingBefore.current = before
    backend.loadHistory(c.id, before).then(
      (r) => setMore(r.more),
      () => {
        // Asked again at the next change of the rows drawn.
        if (loadingBefore.current === before) loadingBefore.current = null
      },
    )
  }, [backend, c.id, messages, more])

  // Opened at a message (from a view, a search, a link): older pages are loaded until it is
  // there, then it is scrolled to and highlighted.
  const highlightId = props.highlightId ?? null
  const target = highlightId ? rows.findIndex((r) => r.kind === 'message' && r.message.id === highlightId) : -1
  const searched = useRef(0)
  useEffect(() => {
    searched.current = 0
  }, [highlightId])
  useEffect(() => {
    if (!highlightId || loading) return
    if (target >= 0) {
      // The list measures its rows as they render: scroll again until the message is in view.
      let tries = 0
      const timer = setInterval(() => {
        const row = document.querySelector(`.messages [data-message-id="${CSS.escape(highlightId)}"]`)
        const box = row?.getBoundingClientRect()
        if ((box && box.top >= 0 && box.bottom <= window.innerHeight) || ++tries > 12) return clearInterval(timer)
        list.current?.scrollToIndex({ index: target, align: 'center' })
      }, 120)
      return () => clearInterval(timer)
    }
    if (!more || messages.length === 0 || searched.current >= 50) return
    searched.current += 1
    backend.loadHistory(c.id, messages[0]!.seq).then((r) => setMore(r.more), () => setMore(false))
  }, [highlightId, target, loading, more, messages, backend, c.id])

  // Read up to the newest message while the conversation is open and the page is seen.
  // After "mark unread" (here or on another device) the marker moved back: it stays back until
  // something new arrives or the conversation is opened again.
  const newest = messages.at(-1)?.seq ?? 0
  const marker = state.readMarkers[c.id]?.lastReadSeq ?? 0
  const previousMarker = useRef(marker)
  const heldAt = useRef<number | null>(null)
  if (marker < previousMarker.current) heldAt.current = newest
  previousMarker.current = marker
  // While messages stream in, the marker moves at most once a second (the first at once, the
  // newest after the pause): one call per arriving message doubled the server's work at 200/s.
  const lastMark = useRef(0)
  const markTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const latest = useRef({ newest, marker })
  latest.current = { newest, marker }
  useEffect(() => {
    if (!newest || document.visibilityState !== 'visible' || heldAt.current === newest) return
    heldAt.current = null
    if (newest <= marker || markTimer.current) return
    const mark = () => {
      markTimer.current = null
      lastMark.current = Date.now()
      const { newest: seq, marker: at } = latest.current
      if (seq > at && heldAt.current !== seq) backend.call('read.mark', { conversationId: c.id, seq }).catch(() => {})
    }
    const wait = lastMark.current + MARK_EVERY_MS - Date.now()
    if (wait <= 0) mark()
    else markTimer.current = setTimeout(mark, wait)
  }, [backend, c.id, newest, marker])
  useEffect(
    () => () => {
      if (markTimer.current) clearTimeout(markTimer.current)
      markTimer.current = null
      lastMark.current = 0
    },
    [c.id],
  )

  // Incoming messages of others are read out by screen readers (aria-live), once each.
  const [announce, setAnnounce] = useState('')
  const lastSeen = useRef<string | null>(null)
  const last = messages.at(-1)
  useEffect(() => {
    if (!last || loading) return
    if (lastSeen.current !== null && last.id !== lastSeen.current && last.author.id !== me.id && !last.deleted) {
      setAnnounce(`${last.author.name}: ${last.text.slice(0, 200)}`)
    }
    lastSeen.current = last.id
  }, [last, loading, me.id])

  const typing = useTyping(c.id, null)
  const title = conversationTitle(c, me)
  const beginning = c.kind === 'public' || c.kind === 'private' ? `#${title}` : `your conversation with ${title}`
  const listParts = useMemo(
    () => ({ EmptyPlaceholder: () => (loading ? null : <p className="empty">This is the very beginning of {beginning}.</p>), List: ListShown }),
    [loading, beginning],
  )
  // Stable, so the memoized rows are not re-rendered for a new function each time.
  const openThread = useCallback((m: Message) => navigate(`/c/${c.id}/t/${m.id}`), [c.id])
  const itemContent = useCallback(
    (_: number, row: Row) =>
      row.kind === 'message' ? (
        <>
          {row.firstUnread && (
            <div className="new-line" role="separator" aria-label="New messages">
              <span>New messages</span>
            </div>
          )}
          <MessageRow message={row.message} me={me} grouped={row.grouped} newDay={row.newDay} onOpenThread={openThread} highlighted={row.message.id === highlightId} />
        </>
      ) : (
        <PendingRow entry={row.entry} me={me} />
      ),
    [me, openThread, highlightId],
  )

  // New messages are followed at the bottom, only they: the list asks the same question when older
  // rows are put on top, and while it is still scrolling to where it opens it answers "at the
  // bottom", so a page of older history loaded then would have taken it down to the newest.
  // A message sent from here is followed from anywhere: one writes below what one reads.
  const newestRow = rows.length > 0 ? rowKey(0, rows[rows.length - 1]!) : null
  const lastNewestRow = useRef(newestRow)
  const newRowsAtEnd = useRef(false)
  newRowsAtEnd.current = newestRow !== lastNewestRow.current
  lastNewestRow.current = newestRow
  const sentHere = useRef(false)
  sentHere.current = newRowsAtEnd.current && rows.at(-1)?.kind === 'pending'
  const followOutput = useCallback((atBottom: boolean) => ((atBottom || sentHere.current) && newRowsAtEnd.current ? ('auto' as const) : false), [])

  // The list is mounted once there is something to open it at (see below), and opens where the
  // rows of that render say; it reads its initial place only when it mounts. Opening at the "new
  // messages" line wants rows above it: older pages are read first (a few at most) when it is too
  // near the first row loaded (not when opened at a message, which reads its own way back).
  const opening = useRef<Opening | null>(null)
  // Looked for only until the list has opened: the rows are rebuilt on every arrival.
  const line = opening.current === null ? rows.findIndex((r) => r.kind === 'message' && r.firstUnread) : -1
  const [pagesForLine, setPagesForLine] = useState(0)
  const readingForLine =
    opening.current === null && !loading && !highlightId && line >= 0 && line < ROWS_ABOVE_LINE && more && pagesForLine < PAGES_FOR_LINE
  const oldestSeq = messages[0]?.seq
  useEffect(() => {
    if (!readingForLine || oldestSeq === undefined) return
    let alive = true
    backend.loadHistory(c.id, oldestSeq).then(
      (r) => alive && (setMore(r.more), setPagesForLine((n) => n + 1)),
      () => alive && setPagesForLine(PAGES_FOR_LINE),
    )
    return () => {
      alive = false
    }
  }, [readingForLine, backend, c.id, oldestSeq])
  const listShown = !(loading && rows.length === 0) && !readingForLine
  if (listShown && opening.current === null) opening.current = openingOf(rows, line, more)
  // Where it opens, its rows are drawn at once (first-rows.tsx), and the list is mounted after
  // that frame, to measure them hidden and scroll there: in the same render, it made the first
  // frame wait for both. Not when opened at a message, which the list scrolls to.
  const [listDrawn, setListDrawn] = useState(false)
  const listContext = useMemo<ListShownContext>(() => ({ onShown: () => setListDrawn(true) }), [])
  const lastIndex = useRef(0)
  lastIndex.current = firstItemIndex + rows.length - 1
  const [farFromNewest, setFarFromNewest] = useState(false)
  const onRange = useCallback(
    (range: ListRange) => {
      setFarFromNewest(lastIndex.current - range.endIndex > ROWS_BELOW_FOR_JUMP)
      // Older history read ahead, not before the list has opened: a page put on top while it is
      // still scrolling to where it opens moved it away from there. Until then, and for a short
      // history that does not fill the window, the list's own call when its first row is drawn
      // asks for it (`startReached`).
      if (listDrawn && range.startIndex - firstItemIndex < ROWS_AHEAD) loadOlder()
    },
    [listDrawn, firstItemIndex, loadOlder],
  )
  // Away from the newest: what came from others since (the list does not follow new messages
  // then), and a button back, which says how many.
  const [atBottom, setAtBottom] = useState(true)
  const awaySince = useRef<number | null>(null)
  if (atBottom) awaySince.current = null
  else if (awaySince.current === null) awaySince.current = newest
  const cameSince = awaySince.current === null ? 0 : countNewSince(messages, awaySince.current, me.id)
  const showJump = listDrawn && !atBottom && (farFromNewest || cameSince > 0)
  // The button goes once there; the focus goes to the message box rather than nowhere.
  const pane = useRef<HTMLElement>(null)
  const jumpToNewest = useCallback(() => {
    list.current?.scrollToIndex({ index: 'LAST', align: 'end' })
    pane.current?.querySelector<HTMLTextAreaElement>('.composer textarea')?.focus()
  }, [])
  const openAt = listShown ? opening.current!.at : 0
  const firstRows = openAt !== 0 && !listDrawn && !highlightId ? firstRowsOf(rows, openAt) : null
  const picturing = firstRows !== null
  const [firstRowsDrawn, setFirstRowsDrawn] = useState(false)
  // An effect runs after the frame is drawn (Preact: after the next animation frame).
  useEffect(() => {
    if (picturing) setFirstRowsDrawn(true)
  }, [picturing])
  const listMounted = listShown && (!picturing || firstRowsDrawn)

  return (
    <main className="conversation" aria-labelledby="conversation-title" ref={pane}>
      <header className="conv-head">
        <button type="button" className="back" aria-label="Back to conversations" onClick={props.onBack}>
          ‹
        </button>
        <div>
          <h1 id="conversation-title">
            {c.kind === 'public' ? '#' : c.kind === 'private' ? '🔒 ' : ''}
            {title}
          </h1>
          {c.topic && <p className="topic">{c.topic}</p>}
        </div>
        {props.onDetails && (
          <button type="button" className="details-button" aria-label={`Details of ${title}`} onClick={props.onDetails}>
            Details
          </button>
        )}
      </header>
      <div className="messages" role="log" aria-label={`Messages in ${title}`} aria-busy={loading}>
        {/* The list is mounted once there is something to open it at: given the rows it opens
            with, it opens where it should (above); mounted empty and given a page of history
            after, it drew the page's oldest rows for some frames before following down to the
            newest. Once mounted it stays, empty or not, so the first messages of an empty
            conversation are drawn into it rather than mounting it on the frame they arrive in. */}
        {!listMounted ? null : (
          <Virtuoso
            ref={list}
            data={rows}
            firstItemIndex={firstItemIndex}
            initialTopMostItemIndex={opening.current!.at}
            initialItemCount={opening.current!.rows}
            followOutput={followOutput}
            alignToBottom
            startReached={loadOlder}
            rangeChanged={onRange}
            atBottomStateChange={setAtBottom}
            increaseViewportBy={VIEWPORT_MARGIN}
            computeItemKey={rowKey}
            itemSize={rowHeight}
            itemContent={itemContent}
            components={listParts}
            context={listContext}
          />
        )}
        {firstRows && <FirstRows {...firstRows} keyOf={rowKey} render={itemContent} />}
        {showJump && (
          <button type="button" className="to-newest" onClick={jumpToNewest}>
            {cameSince > 0 ? `${cameSince} new ${cameSince === 1 ? 'message' : 'messages'}` : 'Jump to the newest'} ↓
          </button>
        )}
      </div>
      <p className="typing" aria-live="off">
        {typing.length === 0 ? '\u00a0' : `${typing.map((h) => `@${h}`).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announce}
      </div>
      {c.archived ? (
        <p className="archived">This channel is archived.</p>
      ) : (
        <Composer conversationId={c.id} placeholder={`Message ${c.kind === 'public' || c.kind === 'private' ? '#' : ''}${title}`} />
      )}
    </main>
  )
}
