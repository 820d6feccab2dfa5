import { useSyncExternalStore } from 'react'
import type { User, Workspace } from '@ocomms/shared'
import type { RendererBridge } from '@ocomms/shared'
import { bridgeProfile, daemonCall, desktopBridge } from './backend/bridge'
import { call } from './backend/http'

/** Who is signed in in this browser, as the server says (the session itself is an HttpOnly cookie). */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User; sessionId: string; workspaces: Workspace[] }

let state: SessionState = { status: 'loading' }
const listeners = new Set<() => void>()

function set(next: SessionState): void {
  state = next
  for (const l of listeners) l()
}

/** Who was signed in last, so the page can open offline with what it kept (cleared at sign-out). */
const LAST = 'ocomms.last-session'

/**
 * Inside the desktop app the session is the daemon profile's: who it is signed in as (the
 * daemon holds the token; this page never sees one). Signed out means the profile is.
 */
async function refreshDaemonSession(bridge: RendererBridge, cached: boolean, show: (next: SessionState) => void): Promise<SessionState> {
  try {
    const me = await daemonCall(bridge)('profile.whoami', { profile: bridgeProfile(bridge), cached })
    show({ status: 'signed-in', user: me.user, sessionId: `profile:${me.profile}`, workspaces: me.workspaces })
  } catch (err) {
    if ((err as { code?: string }).code !== 'unauthenticated') throw err
    show({ status: 'signed-out' })
  }
  return state
}

/**
 * Who is signed in, asked again. `cached` (the window opening) lets the desktop app answer from
 * the daemon's copy of the profile, without waiting for the server (offline too); after a change
 * (a sign-in, a workspace created or joined) the answer must be the server's.
 */
export async function refreshSession(options: { cached?: boolean; beforeShown?: (next: SessionState) => void } = {}): Promise<SessionState> {
  // `beforeShown` runs on the answer before the app is told: the app renders on it at once (a
  // store's change is drawn in the same turn), so what it should find started is started first.
  const show = (next: SessionState) => {
    try {
      options.beforeShown?.(next)
    } finally {
      set(next)
    }
  }
  const bridge = desktopBridge()
  if (bridge) return refreshDaemonSession(bridge, options.cached ?? false, show)
  try {
    const me = await call('auth.me', {})
    const next = { status: 'signed-in' as const, user: me.user, sessionId: me.sessionId, workspaces: me.workspaces }
    localStorage.setItem(LAST, JSON.stringify(next))
    show(next)
  } catch (err) {
    if ((err as { code?: string }).code === 'unauthenticated') {
      localStorage.removeItem(LAST)
      show({ status: 'signed-out' })
    } else {
      // The server cannot be reached: open as the person last signed in here, from what this
      // browser kept; the engine connects (and the server checks the cookie) once it is back.
      const last = localStorage.getItem(LAST)
      if (!last) throw err
      show(JSON.parse(last) as SessionState)
    }
  }
  return state
}

export async function signOut(): Promise<void> {
  const userId = state.status === 'signed-in' ? state.user.id : null
  const bridge = desktopBridge()
  if (bridge) {
    // The daemon ends the session on the server and forgets the profile's token and cache.
    await bridge.call('profile.logout', { profile: bridgeProfile(bridge) }).catch(() => {})
    set({ status: 'signed-out' })
    return
  }
  await call('auth.logout', {}).catch(() => {})
  localStorage.removeItem(LAST)
  set({ status: 'signed-out' })
  // What this browser kept of the account goes with the session.
  if (userId) await import('./backend/idb-store').then(({ IdbStore }) => IdbStore.forget(userId)).catch(() => {})
}

export function useSession(): SessionState {
  return useSyncExternalStore((l) => (listeners.add(l), () => listeners.delete(l)), () => state)
}

/** Where to go after signing in (an invite link opened while signed out); kept for this tab only. */
const AFTER = 'ocomms.after-sign-in'
export function rememberReturn(path: string): void {
  sessionStorage.setItem(AFTER, path)
}
export function takeReturn(): string {
  const path = sessionStorage.getItem(AFTER)
  sessionStorage.removeItem(AFTER)
  return path && path.startsWith('/') && !path.startsWith('//') ? path : '/'
}
