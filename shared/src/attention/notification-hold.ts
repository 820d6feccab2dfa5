import { dndState } from './dnd-state.js'
import type { DndStatus, NotificationData } from './schemas.js'

/**
 * What a client does with a `notification` the server sent (the server already routed it by the
 * recipient's preferences): one rule for the daemon's desktop notifications and the web app's
 * browser notifications.
 */

/** Notifications older than this when they arrive (replayed by sync after a long absence) are recorded, not popped up. */
export const NOTIFICATION_STALE_MS = 10 * 60_000

export type NotificationHeldBy = 'dnd' | 'preference' | null

/**
 * Why a notification is held back now, or null to show it: DND (snooze or schedule, in the
 * person's time zone) first, then a conversation made quiet since the server sent it.
 */
export function notificationHeldBy(dnd: DndStatus | null | undefined, quiet: boolean, now: Date): NotificationHeldBy {
  if (dnd && dndState(now, dnd.snoozeUntil, dnd.schedule, dnd.timeZone, dnd.scheduleOffUntil).active) return 'dnd'
  if (quiet) return 'preference'
  return null
}

/** The title of a notification: who, and where. */
export function notificationTitle(data: NotificationData): string {
  const { conversation, message } = data
  const who = `@${message.author.handle}`
  if (conversation.kind === 'public' || conversation.kind === 'private') return `${who} in #${conversation.name ?? '?'}`
  return conversation.kind === 'dm' ? who : `${who} (group)`
}

/** The body: the message's text, cut to 200 characters. */
export function notificationBody(data: NotificationData): string {
  const text = data.message.text
  return text.length > 200 ? text.slice(0, 199) + '…' : text
}
