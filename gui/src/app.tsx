import { useEffect } from 'react'
import { Invite } from './auth/invite'
import { MagicLink } from './auth/magic-link'
import { Onboarding } from './auth/onboarding'
import { ProfileSignIn } from './auth/profile-sign-in'
import { desktopBridge } from './backend/bridge'
import { Sessions } from './auth/sessions'
import { SignIn } from './auth/sign-in'
import { SsoReturn } from './auth/sso-sign-in'
import { SignUp } from './auth/sign-up'
import { Workspace } from './chat/workspace'
import { navigate, useRoute } from './router'
import { screenFor } from './screen'
import { rememberReturn, useSession } from './session'
import { lazyComponent } from './ui/lazy'

// The settings screens are loaded when first shown; the sign-in screens are small and stay in,
// so a link to one (a mailed sign-in link, an invite) shows it on the page's first render.
const AttentionSettings = lazyComponent(() => import('./settings/attention').then((m) => m.AttentionSettings), <Loading />)
const WorkspaceSso = lazyComponent(() => import('./settings/workspace-sso').then((m) => m.WorkspaceSso), <Loading />)

export function App() {
  const route = useRoute()
  const session = useSession()
  const bridge = desktopBridge()
  const screen = screenFor(route, session, bridge !== null)
  switch (screen.name) {
    case 'sso-return':
      return <SsoReturn params={screen.params} />
    case 'magic-link':
      return <MagicLink token={screen.token} />
    case 'invite':
      return <Invite code={screen.code} />
    case 'loading':
      return <Loading />
    case 'profile-sign-in':
      // In the desktop app the window's daemon profile signs in (docs/desktop.md).
      return <ProfileSignIn bridge={bridge!} />
    case 'sign-up':
      return <SignUp />
    case 'sign-in':
      return <SignIn workspace={screen.workspace} />
    case 'to-sign-in':
      return <Redirect to="/signin" from={window.location.pathname} />
    case 'to-home':
      return <Redirect to="/" />
    case 'sessions':
      return <Sessions />
    case 'attention-settings':
      return <AttentionSettings workspaces={screen.session.workspaces} />
    case 'sso-settings':
      return <WorkspaceSso session={screen.session} workspaceId={screen.workspaceId} />
    case 'onboarding':
      return <Onboarding session={screen.session} />
    case 'workspace':
      return <Workspace session={screen.session} route={route} />
  }
}

function Loading() {
  return (
    <main className="loading" aria-busy="true">
      <p>Loading OComms…</p>
    </main>
  )
}

function Redirect(props: { to: string; from?: string }) {
  useEffect(() => {
    if (props.from && props.from !== '/' && props.from !== '/signin') rememberReturn(props.from)
    navigate(props.to, { replace: true })
  }, [props.to, props.from])
  return null
}
