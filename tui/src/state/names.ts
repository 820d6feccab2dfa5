import type { Conversation, Message } from '@ocomms/shared'

/** How a conversation is called on screen: `general` for channels, the other people's handles for DMs. */
export function conversationTitle(c: Conversation, meId: string | null): string {
  if (c.kind === 'public' || c.kind === 'private') return c.name ?? c.id
  const others = (c.members ?? []).filter((m) => m.id !== meId)
  if (others.length === 0) return c.members?.[0]?.handle ?? c.name ?? 'me'
  return others.map((m) => m.handle).join(', ')
}

export const isChannel = (c: Conversation) => c.kind === 'public' || c.kind === 'private'

/** The other person of a one-to-one DM. */
export function dmPartner(c: Conversation, meId: string | null) {
  if (c.kind !== 'dm') return null
  return (c.members ?? []).find((m) => m.id !== meId) ?? c.members?.[0] ?? null
}

/**
 * Orders names by code point. Channel names and handles are lowercase ASCII (shared limits), so
 * this is alphabetical; localeCompare would cost the first paint some 10 ms to set up collation.
 */
export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Sidebar order: channels by name, then DMs by who they are with. Only conversations I am in. */
export function sidebarConversations(conversations: Conversation[], meId: string | null) {
  const mine = conversations.filter((c) => c.isMember && !c.archived)
  const byTitle = (a: Conversation, b: Conversation) => byName(conversationTitle(a, meId), conversationTitle(b, meId))
  return {
    channels: mine.filter(isChannel).sort(byTitle),
    dms: mine.filter((c) => !isChannel(c)).sort(byTitle),
  }
}

/** The reference people paste: `#channel/SEQ` for channel messages, else the message id. */
export function messageRef(message: Message, conversation: Conversation | undefined): string {
  if (conversation && isChannel(conversation) && conversation.name) return `#${conversation.name}/${message.seq}`
  return message.id
}
