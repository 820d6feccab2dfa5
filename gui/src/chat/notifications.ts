import { useEffect } from 'react'
import type { NotificationData } from '@ocomms/shared'
import { ACCOUNT_KEY } from '@ocomms/shared/client'
import type { Backend } from '../backend/backend'
import { navigate } from '../router'

/**
 * Browser notifications for the `notification` events the server routes to me, held back by
 * DND and quiet conversations by the same rule as the daemon's desktop notifications
 * (shared notificationHeldBy), and not shown for the conversation I am looking at.
 */
export function useBrowserNotifications(backend: Backend, openConversationId: string | null): void {
  useEffect(() => {
    if (!('Notification' in window)) return
    return backend.onEvent((event) => {
      if (event.type !== 'notification' || !('stream' in event) || event.stream !== 'user') return
      const data = event.data as unknown as NotificationData
      const now = new Date()
      if (data.conversationId === openConversationId && document.visibilityState === 'visible') return
      const state = backend.state()
      const pref = state.notifyPrefs[data.conversationId]
      const quiet = !!pref && (pref.muted || pref.effectiveLevel === 'none')
      const dnd = state.account[ACCOUNT_KEY]?.dnd
      void import('./notification-hold').then((rule) => {
        if (now.getTime() - Date.parse(event.at) > rule.NOTIFICATION_STALE_MS) return
        if (rule.notificationHeldBy(dnd, quiet, now) !== null) return
        if (Notification.permission !== 'granted') return
        const shown = new Notification(rule.notificationTitle(data), { body: rule.notificationBody(data), tag: data.messageId })
        shown.onclick = () => {
          window.focus()
          navigate(data.threadRootId ? `/c/${data.conversationId}/t/${data.threadRootId}` : `/c/${data.conversationId}`)
        }
      }).catch(() => {}) // its chunk could not be loaded (a new version deployed meanwhile): no pop-up
    })
  }, [backend, openConversationId])
}

/** Asks for permission once, from a click (browsers ignore the question otherwise). */
export function askForNotifications(): void {
  if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission()
}
