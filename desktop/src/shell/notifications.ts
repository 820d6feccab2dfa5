import type { EventNotificationParams } from '@ocomms/daemon'
import type { OpenRequest } from '../bridge/protocol.js'

/** The native side (Electron's Notification), injected so the logic runs in Node tests. */
export interface NativeNotifier {
  show(notification: { title: string; body: string }, onClick: () => void): void
}

/** How many notification ids are remembered to drop a repeat. */
const REMEMBER = 1_000

/**
 * Turns the daemon's notification verdicts (`daemon.notification` events of a subscription made
 * with `notifications: true`) into native notifications. The daemon decided already — DND,
 * per-conversation preferences, stale replays — and says so in `desktop`; this only shows what
 * it released, each id once, and a click opens the conversation at the message.
 */
export class NotificationAdapter {
  private readonly seen = new Set<string>()

  constructor(
    private readonly native: NativeNotifier,
    private readonly open: (request: OpenRequest) => void,
  ) {}

  /** Feed every event of the shell's subscription; answers whether a notification was shown. */
  handle({ profile, event }: EventNotificationParams): boolean {
    if (event.type !== 'daemon.notification' || !('notification' in event)) return false
    const n = event.notification
    if (!n.desktop || this.seen.has(n.id)) return false
    this.seen.add(n.id)
    if (this.seen.size > REMEMBER) this.seen.delete(this.seen.values().next().value as string)
    this.native.show({ title: n.title, body: n.body }, () =>
      this.open({ profile, conversationId: n.conversationId, messageId: n.messageId, threadRootId: n.threadRootId }),
    )
    return true
  }
}
