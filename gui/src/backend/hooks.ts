import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { TypingSignal, Unreads } from '@ocomms/shared'
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

/** Who is typing in a conversation (or thread) now, from the ephemeral typing signals. */
export function useTyping(conversationId: string, threadRootId: string | null): string[] {
  const backend = useBackend()
  const [typing, setTyping] = useState<Record<string, { handle: string; until: number }>>({})
  useEffect(() => {
    setTyping({})
    const off = backend.onEvent((event) => {
      if (event.type !== 'typing') return
      const e = event as unknown as TypingSignal
      if (e.conversationId !== conversationId || (e.threadRootId ?? null) !== threadRootId || e.userId === backend.user.id) return
      setTyping((now) => {
        const next = { ...now }
        // A signal lasts a few seconds unless renewed: an unrenewed one fades by itself.
        if (e.typing) next[e.userId] = { handle: e.handle, until: Date.now() + 6_000 }
        else delete next[e.userId]
        return next
      })
    })
    const sweep = setInterval(() => {
      setTyping((now) => {
        const live = Object.entries(now).filter(([, v]) => v.until > Date.now())
        return live.length === Object.keys(now).length ? now : Object.fromEntries(live)
      })
    }, 1_000)
    return () => {
      off()
      clearInterval(sweep)
    }
  }, [backend, conversationId, threadRootId])
  return Object.values(typing).map((t) => t.handle)
}
