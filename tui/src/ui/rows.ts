import type { Message } from '@ocomms/shared'
import { isNewSince } from '@ocomms/shared/reducer'
import stringWidth from 'string-width'
import { renderLines } from '../render-text.js'
import type { PendingSend } from '../state/types.js'
import { clockTime, dayKey, dayLabel, fileSize } from './format.js'

/**
 * A message list laid out as terminal lines before Ink sees it: the pane knows exactly how many
 * lines each message takes, so it can show the newest ones that fit, keep the selected one in
 * view, and scroll back line by line at any width.
 */
export interface Segment {
  text: string
  color?: string
  bold?: boolean
  dim?: boolean
  italic?: boolean
}

export interface Row {
  key: string
  segments: Segment[]
  messageId?: string
}

export interface RowOptions {
  width: number
  meId: string | null
  meHandle?: string
  /** The "new messages" line goes before the first message after this seq. */
  newAfterSeq?: number | null
  savedIds?: Record<string, boolean>
  /** Thread reply summaries (not shown inside the thread pane itself). */
  showReplies?: boolean
  pending?: PendingSend[]
  color: boolean
  now?: Date
}

const GROUP_GAP_MS = 5 * 60 * 1000

function separator(key: string, label: string, width: number, color?: string): Row {
  const text = ` ${label} `
  const side = Math.max(2, Math.floor((width - stringWidth(text)) / 2))
  const line = '─'.repeat(side) + text + '─'.repeat(Math.max(0, width - side - stringWidth(text)))
  return { key, segments: [{ text: line, color, dim: !color }] }
}

/** The rows of one message, given the one before it (grouping, day separators). */
function rowsOfMessage(m: Message, prev: Message | null, isFirstNew: boolean, o: RowOptions): Row[] {
  const rows: Row[] = []
  const textWidth = Math.max(10, o.width - 2)
  const newDay = !prev || dayKey(prev.createdAt) !== dayKey(m.createdAt)
  if (newDay) rows.push(separator(`day-${m.id}`, dayLabel(m.createdAt, o.now), o.width))
  if (isFirstNew) rows.push(separator(`new-${m.id}`, 'new messages', o.width, o.color ? 'red' : undefined))
  const grouped =
    !!prev && !newDay && !isFirstNew && prev.author.id === m.author.id && Date.parse(m.createdAt) - Date.parse(prev.createdAt) < GROUP_GAP_MS
  const own = (suffix: string) => ({ key: `${m.id}-${suffix}`, messageId: m.id })
  if (!grouped) {
    const header: Segment[] = [
      { text: m.author.handle, bold: true, color: o.color ? (m.author.id === o.meId ? 'green' : 'cyan') : undefined },
      { text: `  ${clockTime(m.createdAt)}`, dim: true },
    ]
    if (m.pinned) header.push({ text: '  [pinned]', color: o.color ? 'yellow' : undefined })
    if (o.savedIds?.[m.id]) header.push({ text: '  [saved]', color: o.color ? 'magenta' : undefined })
    rows.push({ ...own('h'), segments: header })
  } else if (m.pinned || o.savedIds?.[m.id]) {
    const marks = [m.pinned ? '[pinned]' : '', o.savedIds?.[m.id] ? '[saved]' : ''].filter(Boolean).join(' ')
    rows.push({ ...own('h'), segments: [{ text: marks, color: o.color ? 'yellow' : undefined }] })
  }
  if (m.deleted) {
    rows.push({ ...own('t0'), segments: [{ text: '(message deleted)', dim: true, italic: true }] })
  } else {
    const lines = renderLines(m.text, { color: o.color, width: textWidth, me: o.meHandle })
    lines.forEach((line, i) => {
      const last = i === lines.length - 1
      rows.push({ ...own(`t${i}`), segments: m.editedAt && last ? [{ text: line }, { text: ' (edited)', dim: true }] : [{ text: line }] })
    })
  }
  for (const f of m.files) rows.push({ ...own(`f-${f.id}`), segments: [{ text: `[file] ${f.name} (${fileSize(f.size)})`, color: o.color ? 'blue' : undefined }] })
  if (m.reactions.length > 0) {
    const segments: Segment[] = []
    for (const r of m.reactions) {
      const mine = !!o.meId && (r.members.includes(o.meId) || (!!o.meHandle && r.members.includes(o.meHandle)))
      if (segments.length) segments.push({ text: ' ' })
      segments.push({ text: mine ? `[${r.emoji} ${r.count}]` : ` ${r.emoji} ${r.count} `, color: mine && o.color ? 'blue' : undefined, bold: mine })
    }
    rows.push({ ...own('r'), segments })
  }
  if (o.showReplies !== false && m.replyCount > 0) {
    const who = m.replyParticipants.slice(0, 3).map((p) => p.handle).join(', ')
    const last = m.lastReplyAt ? `, last ${clockTime(m.lastReplyAt)}` : ''
    rows.push({
      ...own('th'),
      segments: [{ text: `↳ ${m.replyCount} ${m.replyCount === 1 ? 'reply' : 'replies'}${last}`, color: o.color ? 'blue' : undefined, bold: true }, { text: who ? `  ${who}` : '', dim: true }],
    })
  }
  return rows
}

/** The first message the "new messages" line goes above (`isNewSince`: after the marker, not mine, not deleted); -1 if none. */
export function firstNewIndex(messages: Message[], newAfterSeq: number | null | undefined, meId: string | null | undefined): number {
  return newAfterSeq == null ? -1 : messages.findIndex((m) => isNewSince(m, newAfterSeq, meId))
}

/**
 * The rows of a message list, oldest first. With `newest`, only the newest messages that make at
 * least that many rows are laid out (`complete` says whether that was all of them): rendering
 * markdown is the costly part, and a pane that shows only its newest lines needs no more.
 */
export function messageRows(messages: Message[], o: RowOptions & { newest?: number; throughLine?: boolean }): Row[] & { complete: boolean } {
  // Where the "new messages" line goes: found without rendering, so a partial layout agrees.
  const firstNew = firstNewIndex(messages, o.newAfterSeq, o.meId)
  const pending: Row[] = []
  for (const p of o.pending ?? []) {
    pending.push({ key: `p-${p.clientId}-h`, segments: [{ text: o.meHandle ?? 'me', bold: true, dim: true }, { text: '  sending…', dim: true }] })
    renderLines(p.text, { color: false, width: Math.max(10, o.width - 2) }).forEach((line, i) =>
      pending.push({ key: `p-${p.clientId}-${i}`, segments: [{ text: line, dim: true }] }),
    )
  }
  const parts: Row[][] = []
  let count = pending.length
  let from = messages.length
  // `throughLine`: the "new messages" line is laid out too, with two messages above it (what was
  // read just before, READ_CONTEXT_LINES of it at least).
  while (from > 0 && (o.newest === undefined || count < o.newest || (o.throughLine && firstNew >= 0 && from >= firstNew - 1))) {
    from--
    const part = rowsOfMessage(messages[from]!, messages[from - 1] ?? null, from === firstNew, o)
    parts.push(part)
    count += part.length
  }
  const rows = Object.assign(parts.reverse().flat().concat(pending), { complete: from === 0 })
  return rows
}

/** Lines of what was read kept above the "new messages" line when a pane opens at it. */
export const READ_CONTEXT_LINES = 2

/** The key of the "new messages" line's row, when the rows have one. */
export const newLineKey = (rows: Row[]): string | null => rows.find((r) => r.key.startsWith('new-'))?.key ?? null

/**
 * Where the "new messages" line (the row keyed `lineKey`) is when a pane of `height` lines opens
 * at it: when what follows it is more than the pane holds; else -1 (the pane opens at the newest,
 * the line in view).
 */
export function lineOpening(rows: Row[], height: number, lineKey: string | null): number {
  const line = lineKey === null ? -1 : rows.findIndex((r) => r.key === lineKey)
  return line >= 0 && rows.length - line > height ? line : -1
}

/**
 * Which rows fit in `height` lines: the newest when nothing is selected, else a window that
 * holds the whole selected message (its first line when it is taller than the pane). With
 * `lineKey`, the pane opens at the "new messages" line (near its top, a little of what was read
 * above it) when what follows the line is more than the pane holds, and stays there while the
 * selection is in view.
 */
export function visibleWindow(rows: Row[], height: number, selectedId: string | null, lineKey: string | null = null): { start: number; end: number } {
  const total = rows.length
  if (height <= 0) return { start: total, end: total }
  if (!selectedId) {
    const line = lineOpening(rows, height, lineKey)
    if (line < 0) return { start: Math.max(0, total - height), end: total }
    const start = Math.max(0, line - READ_CONTEXT_LINES)
    return { start, end: Math.min(total, start + height) }
  }
  const first = rows.findIndex((r) => r.messageId === selectedId)
  if (first < 0) return { start: Math.max(0, total - height), end: total }
  let last = first
  while (last + 1 < total && rows[last + 1]!.messageId === selectedId) last++
  // Opened at the line, the pane stays there while the selection is in it.
  const line = lineOpening(rows, height, lineKey)
  if (line >= 0) {
    const start = Math.max(0, line - READ_CONTEXT_LINES)
    if (first >= start && last < start + height) return { start, end: Math.min(total, start + height) }
  }
  // Keep the selection low in the pane so what follows it (newer) stays visible as well.
  let end = Math.min(total, last + 1 + Math.floor(height / 3))
  let start = Math.max(0, end - height)
  if (first < start) {
    start = first
    end = Math.min(total, start + height)
  }
  return { start, end }
}
