import { useEffect, useRef, useState } from 'react'
import { call, problem } from '../backend/http'
import { navigate } from '../router'
import { refreshSession, takeReturn } from '../session'
import { ActionForm, AuthCard, Field } from '../ui/form'
import { ErrorLine } from '../ui/error-line'

/**
 * "Sign in with <provider>": the browser leg of single sign-on (docs/sso.md, "How a sign-in
 * works"). The page starts the sign-in at the server with a PKCE challenge and comes back to
 * /signin/sso with a one-time code, which it exchanges with the verifier it kept in this tab.
 * The session arrives as the HttpOnly cookie, like any other sign-in of the page.
 */

/** Where the server sends the browser back; under the server's own address, as it requires. */
export const ssoReturnPath = '/signin/sso'
/** The verifier and state of the sign-in this tab started; kept for this tab only. */
const PENDING = 'ocomms.sso-pending'

function base64url(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Sends the browser to the identity provider, through the server's start address. */
export async function startSsoSignIn(startUrl: string): Promise<void> {
  if (!crypto.subtle) {
    // Web Crypto only exists on secure pages: HTTPS, or the machine's own loopback address.
    throw new Error('Single sign-on needs this page to be opened over HTTPS.')
  }
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)))
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)))
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }))
  const url = new URL(startUrl, window.location.origin)
  url.searchParams.set('return_to', `${window.location.origin}${ssoReturnPath}`)
  url.searchParams.set('code_challenge', challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  url.searchParams.set('state', state)
  window.location.assign(url.toString())
}

interface Discovered {
  slug: string
  name: string
  startUrl: string
}

/** On the sign-in page: a workspace's address (slug) finds its identity provider and offers its button. */
export function SsoSignIn(props: { workspace?: string }) {
  const [slug, setSlug] = useState(props.workspace ?? '')
  const [found, setFound] = useState<Discovered | null>(null)
  const [none, setNone] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const discover = async (workspace: string) => {
    setNone(null)
    const answer = await call('sso.discover', { workspace })
    if (answer.sso && answer.startUrl) setFound({ slug: workspace, name: answer.name ?? 'single sign-on', startUrl: answer.startUrl })
    else setNone(workspace)
  }
  // An invite or a link that names the workspace asks at once.
  useEffect(() => {
    if (props.workspace) discover(props.workspace).catch(() => {})
  }, [props.workspace])

  if (found) {
    return (
      <div className="sso">
        <button type="button" className="primary" onClick={() => startSsoSignIn(found.startUrl).catch((err: unknown) => setError(problem(err)))}>
          Sign in with {found.name}
        </button>
        <ErrorLine error={error} />
      </div>
    )
  }
  return (
    <ActionForm label="Sign in with single sign-on" action={() => discover(slug.trim().toLowerCase())} submit="Continue with single sign-on">
      <Field label="Workspace" value={slug} onChange={setSlug} hint="Its short name, as in ocomms login --workspace" name="workspace" />
      {none && <p role="status">{none} does not sign in through an identity provider: use your email above.</p>}
    </ActionForm>
  )
}

/** /signin/sso: where the identity provider's answer lands (with ?code=&state= or ?error=). */
export function SsoReturn(props: { params: URLSearchParams }) {
  const [error, setError] = useState<string | null>(null)
  const ran = useRef(false)
  useEffect(() => {
    // One exchange per code, even when React runs effects twice in development.
    if (ran.current) return
    ran.current = true
    const { params } = props
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null
    sessionStorage.removeItem(PENDING)
    const code = params.get('code')
    window.history.replaceState(null, '', ssoReturnPath) // the code leaves the address bar and history
    if (params.get('error')) return setError(params.get('error_description') ?? 'The identity provider did not sign you in.')
    if (!pending || !code || params.get('state') !== pending.state) {
      return setError('This sign-in was not started in this tab, or it was already used. Start again from the sign-in page.')
    }
    call('sso.exchange', { code, codeVerifier: pending.verifier })
      .then(() => refreshSession())
      .then(() => navigate(takeReturn(), { replace: true }))
      .catch((err: unknown) => setError(problem(err)))
  }, [props])

  return (
    <AuthCard title="Single sign-on">
      {error ? (
        <>
          <ErrorLine error={error} />
          <p>
            <a href="/signin" onClick={(e) => (e.preventDefault(), navigate('/signin', { replace: true }))}>
              Back to sign in
            </a>
          </p>
        </>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </AuthCard>
  )
}
