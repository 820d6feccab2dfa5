import { useEffect, useState } from 'react'
import type { Conversation, PresenceInfo } from '@ocomms/shared'
import { useBackend } from '../backend/hooks'

/**
 * Presence of the people I have direct messages with: subscribed over the socket (the server
 * sends `presence` signals for exactly these people), answered now and kept as signals come.
 */
export function useDmPresence(conversations: Conversation[]): Record<string, PresenceInfo> {
  const backend = useBackend()
  const [presence, setPresence] = useState<Record<string, PresenceInfo>>({})
  const ids = [...new Set(conversations.filter((c) => c.kind === 'dm' || c.kind === 'group_dm').flatMap((c) => (c.members ?? []).map((m) => m.id)))]
    .filter((id) => id !== backend.user.id)
    .sort()
  const key = ids.join(',')
  useEffect(() => {
    let alive = true
    const subscribe = () =>
      backend.call('presence.subscribe', { userIds: key ? key.split(',') : [] }).then(
        (list) => alive && setPresence(Object.fromEntries(list.map((p) => [p.userId, p]))),
        () => {},
      )
    void subscribe()
    const off = backend.onEvent((event) => {
      if (event.type !== 'presence') return
      const p = event as unknown as PresenceInfo
      setPresence((now) => ({ ...now, [p.userId]: p }))
    })
    // A new socket after a drop starts with no subscriptions: subscribe again when connected.
    let was = backend.connection().state
    const offConn = backend.subscribe(() => {
      const state = backend.connection().state
      if (state === 'connected' && was !== 'connected') void subscribe()
      was = state
    })
    return () => {
      alive = false
      off()
      offConn()
    }
  }, [backend, key])
  return presence
}
