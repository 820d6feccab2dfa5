import type { User, Workspace } from '@ocomms/shared'
import type { Backend } from './backend'
import { desktopBridge } from './bridge'
import { startDaemonBackend } from './daemon-backend'

type Session = { user: User; workspaces: Workspace[] }

/**
 * The browser's client (the engine, its socket and IndexedDB code: most of what the backends
 * weigh) is its own chunk, never parsed in the desktop app; a tab starts loading it with the page,
 * so it is there by the time the session is known. The daemon's client is small and stays in.
 */
const browserBackend = desktopBridge() ? null : import('./browser-backend')

/**
 * The one place the app picks who answers its backend interface: inside the desktop app (the
 * shell's bridge is present) the local daemon; in a browser tab the client engine in the page.
 */
function start(session: Session, workspaceId: string): Promise<Backend> {
  const bridge = desktopBridge()
  if (bridge) return startDaemonBackend(bridge, session, workspaceId)
  return (browserBackend ?? import('./browser-backend')).then((m) => m.startBrowserBackend(session, workspaceId))
}

/** A backend started before the app asked for it (`prepareBackend`), until the workspace takes it. */
let prepared: { userId: string; workspaceId: string; backend: Promise<Backend> } | null = null

/**
 * Starts the backend of the workspace the page opens at as soon as the session is known
 * (ask-session.ts), while the app is still being evaluated and drawn: its first reads are then
 * answered by the time the workspace mounts, which takes it with `startBackend`.
 */
export function prepareBackend(session: Session, workspaceId: string): void {
  const backend = start(session, workspaceId)
  backend.catch(() => {})
  prepared = { userId: session.user.id, workspaceId, backend }
}

/** The backend of a workspace for the signed-in user: the one prepared for it, else a new one. */
export function startBackend(session: Session, workspaceId: string): Promise<Backend> {
  const early = prepared
  prepared = null
  if (early?.userId === session.user.id && early.workspaceId === workspaceId) return early.backend
  // Prepared for another workspace (one the person switched to first): not needed any more.
  early?.backend.then((b) => b.stop(), () => {})
  return start(session, workspaceId)
}
