import type { Conversation, User } from '@ocomms/shared'

/** How a conversation is named in lists and headers: #name, or the other people of a DM. */
export function conversationTitle(c: Conversation, me: User): string {
  if (c.kind === 'public' || c.kind === 'private') return c.name ?? 'channel'
  const others = (c.members ?? []).filter((m) => m.id !== me.id)
  if (others.length === 0) return `${me.name} (you)`
  return others.map((m) => m.name).join(', ')
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/)
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase()
}

/** A stable colour per person, for their avatar. */
export function avatarHue(id: string): number {
  let h = 0
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360
  return h
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' })
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })

export function dayLabel(iso: string): string {
  const d = new Date(iso)
  const today = new Date()
  const yesterday = new Date(Date.now() - 86_400_000)
  if (d.toDateString() === today.toDateString()) return 'Today'
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday'
  return dayFormat.format(d)
}

export const timeLabel = (iso: string) => timeFormat.format(new Date(iso))
export const sameDay = (a: string, b: string) => new Date(a).toDateString() === new Date(b).toDateString()
