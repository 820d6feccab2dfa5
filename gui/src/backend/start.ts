import type { User, Workspace } from '@ocomms/shared'
import type { Backend } from './backend'
import { startBrowserBackend } from './browser-backend'
import { desktopBridge, startDaemonBackend } from './daemon-backend'

/**
 * The one place the app picks who answers its backend interface: inside the desktop app (the
 * shell's bridge is present) the local daemon; in a browser tab the client engine in the page.
 */
export function startBackend(session: { user: User; workspaces: Workspace[] }, workspaceId: string): Promise<Backend> {
  const bridge = desktopBridge()
  return bridge ? startDaemonBackend(bridge, session, workspaceId) : startBrowserBackend(session, workspaceId)
}
