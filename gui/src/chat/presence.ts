import { useEffect, useSyncExternalStore } from 'react'
import { subscribePresence, type PresenceInfo } from '@ocomms/shared'
import { useBackend } from '../backend/hooks'
import type { Backend } from '../backend/backend'

/** As many people as one `presence.subscribe` takes. */
const MOST_WATCHED = subscribePresence.input.properties.userIds.maxItems

/**
 * The live presence, custom status and DND mark of the people the page shows, one store per
 * backend. Each part of the page declares whom it shows (`useWatchPresence`); the store
 * subscribes the socket to all of them at once (`presence.subscribe` replaces the socket's set,
 * so there can be only one caller), keeps the answer and every `presence` signal after it, and
 * subscribes again when the socket comes back (a new socket starts with no subscriptions).
 */
class PresenceStore {
  private infos: Record<string, PresenceInfo> = {}
  private readonly listeners = new Set<() => void>()
  private readonly watchers = new Map<symbol, string[]>()
  /** The set the socket is subscribed to, as a key, to ask again only when it changes. */
  private subscribed: string | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly off: (() => void)[] = []
  private stopped = false

  constructor(private readonly backend: Backend) {
    this.off.push(
      backend.onEvent((event) => {
        if (event.type !== 'presence') return
        const p = event as unknown as PresenceInfo
        this.infos = { ...this.infos, [p.userId]: { userId: p.userId, presence: p.presence, status: p.status, dnd: p.dnd } }
        this.changed()
      }),
    )
    let was = backend.connection().state
    this.off.push(
      backend.subscribe(() => {
        const state = backend.connection().state
        if (state === 'connected' && was !== 'connected') {
          this.subscribed = null
          this.soon()
        }
        was = state
      }),
    )
  }

  snapshot = (): Record<string, PresenceInfo> => this.infos

  listen = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  watch(ids: string[]): () => void {
    const key = Symbol()
    this.watchers.set(key, ids)
    this.soon()
    return () => {
      this.watchers.delete(key)
      this.soon()
    }
  }

  stop(): void {
    this.stopped = true
    this.off.forEach((f) => f())
    if (this.timer) clearTimeout(this.timer)
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }

  /** Watchers come and go together as the page renders: one subscription for all of them. */
  private soon(): void {
    // Watchers let go after the backend stopped (the page unmounting): nothing to ask any more.
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.resubscribe(), 50)
  }

  private async resubscribe(): Promise<void> {
    this.timer = null
    const me = this.backend.user.id
    // Beyond the operation's limit, the rest show the member list's data.
    const ids = [...new Set([...this.watchers.values()].flat())].filter((id) => id !== me).slice(0, MOST_WATCHED)
    const key = [...ids].sort().join(',')
    if (key === this.subscribed || this.backend.connection().state !== 'connected') return
    this.subscribed = key
    try {
      const list = await this.backend.call('presence.subscribe', { userIds: ids })
      // A later subscription was asked meanwhile: its answer is the one to keep.
      if (this.subscribed !== key) return
      // Replaced, not merged: no signal comes any more for someone left out, so what is kept of
      // them would go stale (the member table is their fallback). My own signals always come.
      const mine = this.infos[me]
      this.infos = { ...(mine ? { [me]: mine } : {}), ...Object.fromEntries(list.map((p) => [p.userId, p])) }
      this.changed()
    } catch {
      // Asked again at the next change or reconnect.
      if (this.subscribed === key) this.subscribed = null
    }
  }
}

const stores = new WeakMap<Backend, PresenceStore>()

function storeOf(backend: Backend): PresenceStore {
  let store = stores.get(backend)
  if (!store) stores.set(backend, (store = new PresenceStore(backend)))
  return store
}

/** Stops the backend's presence store (when the backend itself stops). */
export function stopPresence(backend: Backend): void {
  stores.get(backend)?.stop()
  stores.delete(backend)
}

/** Declares that this part of the page shows these people: their presence is kept live while it does. */
export function useWatchPresence(userIds: string[]): void {
  const backend = useBackend()
  const key = [...new Set(userIds)].sort().join(',')
  useEffect(() => (key ? storeOf(backend).watch(key.split(',')) : undefined), [backend, key])
}

/** The latest presence of everyone watched, by user id (re-rendering when any of it changes). */
export function usePresence(): Record<string, PresenceInfo> {
  const store = storeOf(useBackend())
  return useSyncExternalStore(store.listen, store.snapshot)
}

/** One person's latest presence, if watched (re-rendering only when theirs changes). */
export function usePresenceOf(userId: string): PresenceInfo | undefined {
  const store = storeOf(useBackend())
  return useSyncExternalStore(store.listen, () => store.snapshot()[userId])
}
