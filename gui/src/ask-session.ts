import { prepareBackend } from './backend/start'
import { openingWorkspace } from './chat/last-open'
import { parseRoute } from './router'
import { refreshSession } from './session'

/**
 * Imported first by main.tsx, so that who is signed in is asked while the rest of the app is
 * still being evaluated and first drawn, not after its first frame: the answer waits in
 * session.ts's state, which the app reads when it renders. When the page opens at the
 * workspace, its backend starts right then too (backend/start.ts).
 */
// From the daemon's copy of the profile in the desktop app: the window opens without waiting for
// the server (offline too).
refreshSession({ cached: true })
  .then((session) => {
    const route = parseRoute(window.location)
    const showsWorkspace = route.name === 'home' || route.name === 'conversation' || route.name === 'view'
    if (session.status === 'signed-in' && session.workspaces.length > 0 && showsWorkspace) prepareBackend(session, openingWorkspace(session.workspaces))
  })
  .catch(() => {})
