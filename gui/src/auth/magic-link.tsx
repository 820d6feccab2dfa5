import { useEffect, useState } from 'react'
import { call, problem } from '../backend/http'
import { navigate } from '../router'
import { refreshSession } from '../session'
import { AuthCard } from '../ui/form'
import { ErrorLine } from '../ui/error-line'

/**
 * Where the link in a sign-in mail lands. Mail scanners prefetch links, so opening this page
 * signs nobody in: the token stays in the fragment (never sent to the server) until the person
 * presses the button, which consumes it; the session then arrives as an HttpOnly cookie.
 */
export function MagicLink(props: { token: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [cli, setCli] = useState('')
  useEffect(() => setCli(`ocomms login --link '${window.location.href}'`), [])

  const signIn = async () => {
    setBusy(true)
    setError(null)
    try {
      await call('auth.magicLink.consume', { token: props.token })
      await refreshSession()
      navigate('/', { replace: true })
    } catch (err) {
      setError(problem(err))
      setBusy(false)
    }
  }

  return (
    <AuthCard title="Sign in to OComms">
      {props.token ? (
        <>
          <p>This link signs you in once, within 15 minutes of being sent.</p>
          <button type="button" className="primary" disabled={busy} onClick={() => void signIn()}>
            Sign in
          </button>
          <ErrorLine error={error} />
          <p className="hint">
            From a terminal instead: <code>{cli}</code>
          </p>
        </>
      ) : (
        <p role="alert">This link has no sign-in token. Ask for a new one on the sign-in page.</p>
      )}
    </AuthCard>
  )
}
