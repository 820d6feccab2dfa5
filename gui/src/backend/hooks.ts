import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { Unreads } from '@ocomms/shared'
import type { ClientState, OutboxEntry } from '@ocomms/shared/client'
import type { Backend } from './backend'

export const BackendContext = createContext<Backend | null>(null)

export function useBackend(): Backend {
  const backend = useContext(BackendContext)
  if (!backend) throw new Error('useBackend outside a workspace')
  return backend
}

/** The reducer's state, re-rendering on every change. */
export function useClientState(): ClientState {
  const backend = useBackend()
  return useSyncExternalStore(backend.subscribe, backend.state)
}

export function useOutbox(): OutboxEntry[] {
  const backend = useBackend()
  return useSyncExternalStore(backend.subscribe, backend.outbox)
}

export function useConnection(): string {
  const backend = useBackend()
  return useSyncExternalStore(backend.subscribe, () => backend.connection().state)
}

/**
 * Unread and mention counts as the server computes them (the `unreads` operation), asked again
 * shortly after anything arrives: the counts are the server's, never recounted here.
 */
export function useUnreads(workspaceId: string): Unreads | null {
  const backend = useBackend()
  const [unreads, setUnreads] = useState<Unreads | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    let alive = true
    const load = () => {
      backend.call('unreads', { workspaceId }).then(
        (u) => alive && setUnreads(u),
        () => {},
      )
    }
    const soon = () => {
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(load, 150)
    }
    load()
    const off = backend.onEvent((e) => {
      if (e.type !== 'typing' && e.type !== 'presence') soon()
    })
    return () => {
      alive = false
      off()
      if (timer.current) clearTimeout(timer.current)
    }
  }, [backend, workspaceId])
  return unreads
}
