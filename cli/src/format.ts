import { createRequire } from 'node:module'
import type { Conversation, Member, Message } from '@ocomms/shared'
import { messageLink } from '@ocomms/shared/core'

type TableClass = typeof import('cli-table3')
// Loaded when a table is printed, not on every start.
const require = createRequire(import.meta.url)

/** A plain table: no borders, so it reads well and greps well. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const Table = require('cli-table3') as TableClass
  const t = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  t.push(...rows.map((r) => r.map(String)))
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** Local time: HH:MM today, else the date too. */
export function when(iso: string, now = new Date()): string {
  const d = new Date(iso)
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  if (d.toDateString() === now.toDateString()) return time
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

export function conversationLabel(c: Pick<Conversation, 'kind' | 'name' | 'members'>, me?: string): string {
  if (c.kind === 'public' || c.kind === 'private') return `#${c.name ?? '?'}`
  const others = (c.members ?? []).filter((p) => p.handle !== me).map((p) => `@${p.handle}`)
  return others.length > 0 ? others.join(',') : '(just you)'
}

/**
 * What goes before `/SEQ` in a reference to a message of this conversation (`#dev`, `@ann`,
 * `@ann,@bob`; the conversation id when there is no one else in it).
 */
export function refPrefix(c: Pick<Conversation, 'id' | 'kind' | 'name' | 'members'>, me?: string): string {
  const label = conversationLabel(c, me)
  return label.startsWith('#') || label.startsWith('@') ? label : c.id
}

/** The reference (`#dev/12`) when the conversation is known, else the bare seq, right-aligned. */
function refColumn(m: Message, prefix?: string): string {
  return prefix ? `${prefix}/${m.seq}` : String(m.seq).padStart(4)
}

/** One message per line block: `REF  TIME  @author  text` (REF is `#dev/12`, or the seq), with thread and edit marks. */
export function messageLine(m: Message, prefix?: string): string {
  const marks: string[] = []
  if (m.threadRootId) marks.push(m.alsoInChannel ? '↳ thread reply, also in channel' : '↳ in thread')
  if (m.editedAt) marks.push('edited')
  if (m.replyCount > 0) marks.push(`${m.replyCount} ${m.replyCount === 1 ? 'reply' : 'replies'}`)
  // A message that only carries files shows them, not an empty line.
  const files = m.files.map((f) => `📎 ${f.name} (${bytes(f.size)})`).join('  ')
  const text = m.deleted ? '(deleted)' : m.text === '' ? files : m.text
  const [first, ...rest] = text.split('\n')
  if (m.text !== '' && files && !m.deleted) rest.push(files)
  const head = `${refColumn(m, prefix)}  ${when(m.createdAt)}  @${m.author.handle}: ${first ?? ''}`
  const more = rest.map((l) => `      ${l}`)
  return [head + (marks.length ? `  (${marks.join(', ')})` : ''), ...more].join('\n')
}

/** A message line followed by its `ocomms://` link, which the desktop app opens at that message. */
export function linkedMessageLine(m: Message, prefix?: string): string {
  return `${messageLine(m, prefix)}\n      ${messageLink(m)}`
}

export function conversationDetails(c: Conversation, me?: string): string {
  const lines = [
    `${conversationLabel(c, me)}  (${c.kind.replace('_', ' ')}${c.archived ? ', archived' : ''})`,
    `id:          ${c.id}`,
  ]
  if (c.topic) lines.push(`topic:       ${c.topic}`)
  if (c.description) lines.push(`description: ${c.description}`)
  lines.push(`members:     ${c.memberCount}${c.isMember ? ' (you are in it)' : ''}`)
  if (c.members) lines.push(`people:      ${c.members.map((p) => `@${p.handle}`).join(' ')}`)
  lines.push(`created:     ${when(c.createdAt)}`)
  return lines.join('\n')
}

export function memberDetails(m: Member): string {
  const lines = [
    `@${m.handle}  ${m.name}`,
    `id:       ${m.id}`,
    `role:     ${m.role}${m.state === 'active' ? '' : ` (${m.state})`}`,
    `presence: ${m.presence}${m.dnd ? ', do not disturb' : ''}`,
  ]
  if (m.status) lines.push(`status:   ${m.status.emoji ?? ''} ${m.status.text}`.trimEnd())
  lines.push(`joined:   ${when(m.joinedAt)}`)
  return lines.join('\n')
}

type Shared = typeof import('@ocomms/shared')

/** Bytes for people: 1.2 MB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

/** Styles only on a terminal (and never with NO_COLOR), so piped output stays plain text. */
export const colorLevel = (): 0 | undefined => (process.stdout.isTTY && !process.env.NO_COLOR ? undefined : 0)

/**
 * A message as `read` shows it: the head line, the markdown rendered for the terminal and
 * indented under it, then its files, reactions and whether it is pinned.
 */
export function richMessage(shared: Shared, m: Message, me?: string, prefix?: string): string {
  const marks: string[] = []
  if (m.pinned) marks.push('📌 pinned')
  if (m.threadRootId) marks.push(m.alsoInChannel ? '↳ thread reply, also in channel' : '↳ in thread')
  if (m.editedAt) marks.push('edited')
  if (m.replyCount > 0) marks.push(`${m.replyCount} ${m.replyCount === 1 ? 'reply' : 'replies'}`)
  const indent = '      '
  const width = Math.max(40, (process.stdout.columns ?? 100) - indent.length)
  const body = m.deleted
    ? ['(deleted)']
    : m.text === ''
      ? []
      : shared.renderTerminal(shared.parseRichText(m.text), { width, color: colorLevel(), ...(me ? { me } : {}) }).split('\n')
  const [first, ...rest] = body
  const head = `${refColumn(m, prefix)}  ${when(m.createdAt)}  @${m.author.handle}: ${first ?? ''}` + (marks.length ? `  (${marks.join(', ')})` : '')
  const lines = [head, ...rest.map((l) => (l ? indent + l : l))]
  for (const f of m.files) lines.push(`${indent}📎 ${f.name} (${bytes(f.size)}, ${f.mimeType})  ${f.id}`)
  if (m.reactions.length > 0) lines.push(indent + m.reactions.map((r) => `${r.emoji} ${r.count} (${r.members.map((h) => `@${h}`).join(' ')})`).join('  '))
  return lines.join('\n')
}
