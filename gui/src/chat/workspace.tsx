import type { Route } from '../router'
import type { SessionState } from '../session'
import { navigate } from '../router'
import { signOut } from '../session'

export function Workspace(props: { session: Extract<SessionState, { status: 'signed-in' }>; route: Route }) {
  const ws = props.session.workspaces[0]!
  return (
    <div className="workspace">
      <header className="topbar">
        <strong>{ws.name}</strong>
        <nav aria-label="Account">
          <a href="/settings/sessions" onClick={(e) => (e.preventDefault(), navigate('/settings/sessions'))}>
            Sessions
          </a>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        <h1>Signed in as @{props.session.user.handle}</h1>
      </main>
    </div>
  )
}
