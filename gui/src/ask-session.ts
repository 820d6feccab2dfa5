import { desktopBridge } from './backend/bridge'
import { prepareBackend } from './backend/start'
import { openingWorkspace } from './chat/last-open'
import { parseRoute } from './router'
import { screenFor } from './screen'
import { refreshSession } from './session'

/**
 * Imported first by main.tsx, so that who is signed in is asked while the rest of the app is
 * still being evaluated and first drawn, not after its first frame: the answer waits in
 * session.ts's state, which the app reads when it renders. In the desktop app, when the page
 * opens at the workspace, its backend starts right then too (backend/start.ts), so the daemon's
 * answers to its first reads are there when the workspace mounts. A tab's engine is left to the
 * workspace: started this early it only competed with the first render (no faster, measured).
 * In the desktop app the answer comes from the daemon's copy of the profile (`cached`): the window
 * opens without waiting for the server (offline too).
 */
refreshSession({
  cached: true,
  // Before the app is told: told first, it could mount the workspace and start a second backend.
  beforeShown: (session) => {
    const screen = desktopBridge() ? screenFor(parseRoute(window.location), session, true) : null
    if (screen?.name === 'workspace') prepareBackend(screen.session, openingWorkspace(screen.session.workspaces))
  },
}).catch(() => {})
