import type { Route } from './router'
import type { SessionState } from './session'

type SignedIn = Extract<SessionState, { status: 'signed-in' }>

/**
 * Which screen the page shows for a route and a session, with what that screen needs. The one
 * place that decides it: the app renders what it says (app.tsx), and the page's start
 * (ask-session.ts) asks it whether the window opens at a workspace, to start that workspace's
 * backend early. Kept apart from app.tsx, which imports every screen, so the start can read it
 * before the rest of the app is evaluated.
 */
export type Screen =
  | { name: 'sso-return'; params: URLSearchParams }
  | { name: 'magic-link'; token: string }
  | { name: 'invite'; code: string }
  | { name: 'loading' }
  /** Signed out in the desktop app: the window's daemon profile signs in. */
  | { name: 'profile-sign-in' }
  | { name: 'sign-up' }
  | { name: 'sign-in'; workspace: string | null }
  /** Signed out elsewhere than the sign-in and sign-up pages: off to sign in, and back after. */
  | { name: 'to-sign-in' }
  /** Signed in, on a sign-in, sign-up or unknown page: off to the workspace. */
  | { name: 'to-home' }
  | { name: 'sessions' }
  | { name: 'attention-settings'; session: SignedIn }
  | { name: 'sso-settings'; session: SignedIn; workspaceId: string | null }
  | { name: 'onboarding'; session: SignedIn }
  | { name: 'workspace'; session: SignedIn }

export function screenFor(route: Route, session: SessionState, inDesktopApp: boolean): Screen {
  // Pages that work without a session.
  if (route.name === 'sso-return') return { name: 'sso-return', params: route.params }
  if (route.name === 'magic-link') return { name: 'magic-link', token: route.token }
  if (route.name === 'invite') return session.status === 'loading' ? { name: 'loading' } : { name: 'invite', code: route.code }
  if (session.status === 'loading') return { name: 'loading' }
  if (session.status === 'signed-out') {
    if (inDesktopApp) return { name: 'profile-sign-in' }
    if (route.name === 'signup') return { name: 'sign-up' }
    return route.name === 'signin' ? { name: 'sign-in', workspace: route.workspace } : { name: 'to-sign-in' }
  }
  if (route.name === 'signin' || route.name === 'signup' || route.name === 'unknown') return { name: 'to-home' }
  if (route.name === 'sessions') return { name: 'sessions' }
  if (route.name === 'attention-settings') return { name: 'attention-settings', session }
  if (route.name === 'sso-settings') return { name: 'sso-settings', session, workspaceId: route.workspaceId }
  if (session.workspaces.length === 0) return { name: 'onboarding', session }
  return { name: 'workspace', session }
}
