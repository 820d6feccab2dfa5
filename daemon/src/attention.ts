import { knownEvent, notificationBody, notificationHeldBy, notificationTitle, NOTIFICATION_STALE_MS, OCommsError, type DndStatus, type Event, type NotificationData } from '@ocomms/shared'
import type { Logger } from 'pino'
import type { AttentionStore, NotificationEntry } from './attention-store.js'
import { showDesktopNotification } from './desktop-notify.js'


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
    if (!knownEvent(event)) return
    switch (event.type) {
      case 'dnd.updated':
        this.store.setDnd(event.data.dnd)
        break
      case 'notify.updated': {
        const pref = event.data.pref
        this.store.setQuiet(pref.conversationId, pref.muted || pref.effectiveLevel === 'none')
        break
      }
      case 'notification':
        this.notify(event.at, event.data)
        break
    }
  }

  private heldBy(conversationId: string, now: Date): NotificationEntry['heldBy'] {
    // The server already applied the preference when it sent this; one changed since (on another device) still counts.
    return notificationHeldBy(this.store.dnd(), this.store.quietConversations().has(conversationId), now)
  }

  notify(eventAt: string, data: NotificationData): NotificationEntry {
    const now = new Date()
    const heldBy = this.heldBy(data.conversationId, now)
    const title = notificationTitle(data)
    const body = notificationBody(data)
    const fresh = now.getTime() - Date.parse(eventAt) < NOTIFICATION_STALE_MS
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
