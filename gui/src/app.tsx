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
import { rememberReturn, useSession } from './session'
import { lazyComponent } from './ui/lazy'

// The settings screens are loaded when first shown; the sign-in screens are small and stay in,
// so a link to one (a mailed sign-in link, an invite) shows it on the page's first render.
const AttentionSettings = lazyComponent(() => import('./settings/attention').then((m) => m.AttentionSettings), <Loading />)
const WorkspaceSso = lazyComponent(() => import('./settings/workspace-sso').then((m) => m.WorkspaceSso), <Loading />)

export function App() {
  const route = useRoute()
  const session = useSession()

  // Pages that work without a session.
  if (route.name === 'sso-return') return <SsoReturn params={route.params} />
  if (route.name === 'magic-link') return <MagicLink token={route.token} />
  if (route.name === 'invite') return session.status === 'loading' ? <Loading /> : <Invite code={route.code} />
  if (session.status === 'loading') return <Loading />
  if (session.status === 'signed-out') {
    // In the desktop app the window's daemon profile signs in (docs/desktop.md).
    const bridge = desktopBridge()
    if (bridge) return <ProfileSignIn bridge={bridge} />
    if (route.name === 'signup') return <SignUp />
    if (route.name !== 'signin') return <Redirect to="/signin" from={window.location.pathname} />
    return <SignIn workspace={route.workspace} />
  }
  if (route.name === 'signin' || route.name === 'signup' || route.name === 'unknown') return <Redirect to="/" />
  if (route.name === 'sessions') return <Sessions />
  if (route.name === 'attention-settings') return <AttentionSettings workspaces={session.workspaces} />
  if (route.name === 'sso-settings') return <WorkspaceSso session={session} workspaceId={route.workspaceId} />
  if (session.workspaces.length === 0) return <Onboarding session={session} />
  return <Workspace session={session} route={route} />
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
