import { dndState, OCommsError, type DndStatus, type Event, type NotificationData, type NotifyPref } from '@ocomms/shared'
import type { Logger } from 'pino'
import type { AttentionStore, NotificationEntry } from './attention-store.js'
import { showDesktopNotification } from './desktop-notify.js'

/** Notifications older than this when they arrive (replayed by sync after a long absence) are recorded, not popped up. */
const STALE_MS = 10 * 60_000

export interface AttentionHooks {
  log: Logger
  profile: string
  /** Calls a server operation; rejects when unreachable. */
  getDnd(): Promise<DndStatus>
  setDraft(d: { conversationId: string; threadRootId: string | null; text: string }): Promise<unknown>
  /** A frontend (the desktop app) shows notifications itself: the daemon pops none of its own. */
  delegated(): boolean
  /** Tells such frontends the verdict on each notification. */
  decided(entry: NotificationEntry): void
}

function conversationTitle(data: NotificationData): string {
  const { conversation, message } = data
  const who = `@${message.author.handle}`
  if (conversation.kind === 'public' || conversation.kind === 'private') return `${who} in #${conversation.name ?? '?'}`
  return conversation.kind === 'dm' ? who : `${who} (group)`
}

/**
 * What the daemon does with the attention events of one profile: judges DND locally (from the
 * settings it keeps current from `dnd.updated`, so it works offline too), shows or holds each
 * `notification`, records it, and writes drafts kept while offline through on reconnect.
 */
export class Attention {
  constructor(
    readonly store: AttentionStore,
    private readonly hooks: AttentionHooks,
  ) {}

  /** An event applied to the cache (in order, once). */
  onEvent(event: Event): void {
    const data = event.data
    switch (event.type) {
      case 'dnd.updated':
        if (data.dnd) this.store.setDnd(data.dnd as DndStatus)
        break
      case 'notify.updated': {
        const pref = data.pref as NotifyPref | undefined
        if (pref) this.store.setQuiet(pref.conversationId, pref.muted || pref.effectiveLevel === 'none')
        break
      }
      case 'notification':
        this.notify(event.at, data as unknown as NotificationData)
        break
    }
  }

  private heldBy(conversationId: string, now: Date): NotificationEntry['heldBy'] {
    const dnd = this.store.dnd()
    if (dnd && dndState(now, dnd.snoozeUntil, dnd.schedule, dnd.timeZone, dnd.scheduleOffUntil).active) return 'dnd'
    // The server already applied the preference when it sent this; one changed since (on another device) still counts.
    if (this.store.quietConversations().has(conversationId)) return 'preference'
    return null
  }

  notify(eventAt: string, data: NotificationData): NotificationEntry {
    const now = new Date()
    const heldBy = this.heldBy(data.conversationId, now)
    const title = conversationTitle(data)
    const body = data.message.text.length > 200 ? data.message.text.slice(0, 199) + '…' : data.message.text
    const fresh = now.getTime() - Date.parse(eventAt) < STALE_MS
    // With the desktop app open, `desktop` means "the app is told to show it"; it shows what the daemon released.
    const release = heldBy === null && fresh
    const desktop = release && (this.hooks.delegated() || showDesktopNotification(title, body, this.hooks.log))
    const entry = this.store.addNotification({
      at: now.toISOString(),
      conversationId: data.conversationId,
      messageId: data.messageId,
      threadRootId: data.threadRootId,
      reason: data.reason,
      title,
      body,
      shown: heldBy === null,
      heldBy,
      desktop,
    })
    this.hooks.decided(entry)
    return entry
  }

  /** After each catch-up with the server: current DND settings, then drafts kept while offline. */
  async afterSync(): Promise<void> {
    try {
      this.store.setDnd(await this.hooks.getDnd())
    } catch (err) {
      this.hooks.log.warn({ profile: this.hooks.profile, err }, 'could not load DND settings')
    }
    for (const d of this.store.pendingDrafts()) {
      try {
        await this.hooks.setDraft(d)
      } catch (err) {
        // Unreachable again: the next reconnect retries. Refused (no access any more): drop it.
        if (err instanceof OCommsError && err.code === 'unavailable') return
        this.hooks.log.warn({ profile: this.hooks.profile, err }, 'pending draft refused')
      }
      this.store.removePendingDraft(d)
    }
  }
}
