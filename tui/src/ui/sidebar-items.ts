import type { Conversation } from '@ocomms/shared'
import { conversationTitle, dmPartner, sidebarConversations } from '../state/names.js'
import { viewNames, viewTitles, type ChatState, type Person, type ViewName } from '../state/types.js'

export type SidebarItem =
  | { kind: 'section'; key: string; label: string }
  | { kind: 'view'; key: string; view: ViewName; label: string; count: number }
  | {
      kind: 'conversation'
      key: string
      conversation: Conversation
      label: string
      unread: number
      mentions: number
      muted: boolean
      /** For one-to-one DMs: the other person's presence. */
      person: Person | null
      draft: boolean
    }

export function sidebarItems(s: ChatState): SidebarItem[] {
  const meId = s.me?.id ?? null
  const { channels, dms } = sidebarConversations(s.conversations, meId)
  const unreadTotal = Object.values(s.counts).reduce((n, c) => n + (c.unread > 0 ? 1 : 0), 0)
  const mentionTotal = Object.values(s.counts).reduce((n, c) => n + c.mentions, 0)
  const items: SidebarItem[] = viewNames.map((view) => ({
    kind: 'view' as const,
    key: `view-${view}`,
    view,
    label: viewTitles[view],
    count: view === 'unreads' ? unreadTotal : view === 'mentions' ? mentionTotal : 0,
  }))
  const conv = (c: Conversation): SidebarItem => {
    const partner = dmPartner(c, meId)
    const counts = s.counts[c.id]
    return {
      kind: 'conversation',
      key: c.id,
      conversation: c,
      label: conversationTitle(c, meId),
      unread: counts?.unread ?? 0,
      mentions: counts?.mentions ?? 0,
      muted: !!s.muted[c.id],
      person: partner ? (s.people[partner.id] ?? { ...partner, presence: 'offline', status: null, dnd: false }) : null,
      draft: !!s.drafts[c.id],
    }
  }
  items.push({ kind: 'section', key: 'sec-channels', label: 'Channels' }, ...channels.map(conv))
  items.push({ kind: 'section', key: 'sec-dms', label: 'Direct messages' }, ...dms.map(conv))
  return items
}

export const selectable = (items: SidebarItem[]) => items.filter((i) => i.kind !== 'section')

/** The sidebar index of what is open. */
export function indexOfLocation(items: SidebarItem[], s: ChatState): number {
  const sel = selectable(items)
  const loc = s.location
  if (!loc) return 0
  const i = sel.findIndex((it) => (loc.kind === 'view' ? it.kind === 'view' && it.view === loc.view : it.kind === 'conversation' && it.conversation.id === loc.conversationId))
  return Math.max(0, i)
}

/** Glyphs that read without colour: online ●, away ◐, busy ⊖, offline ○; DND adds z. */
export function presenceGlyph(p: Person | null): string {
  if (!p) return ' '
  const base = p.presence === 'online' ? '●' : p.presence === 'away' ? '◐' : p.presence === 'busy' ? '⊖' : '○'
  return base
}

export const presenceColor = (p: Person | null) =>
  p?.presence === 'online' ? 'green' : p?.presence === 'away' ? 'yellow' : p?.presence === 'busy' ? 'red' : 'gray'
