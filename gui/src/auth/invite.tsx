import { useState } from 'react'
import { call } from '../backend/call'
import { problem } from '../backend/http'
import { navigate } from '../router'
import { refreshSession, useSession } from '../session'
import { AuthCard } from '../ui/form'
import { SignUp } from './sign-up'
import { ErrorLine } from '../ui/error-line'

/** An invite link: signed in, one press joins; signed out, sign up (or sign in) with the code kept. */
export function Invite(props: { code: string }) {
  const session = useSession()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (session.status !== 'signed-in') return <SignUp inviteCode={props.code} />

  const join = async () => {
    setBusy(true)
    setError(null)
    try {
      const ws = await call('invite.accept', { code: props.code })
      await refreshSession()
      localStorage.setItem('ocomms.workspace', ws.id)
      navigate('/', { replace: true })
    } catch (err) {
      setError(problem(err))
      setBusy(false)
    }
  }
  return (
    <AuthCard title="You are invited">
      <p>
        Signed in as <strong>@{session.user.handle}</strong>. Join the workspace this invite is for?
      </p>
      <button type="button" className="primary" disabled={busy || !props.code} onClick={() => void join()}>
        Join workspace
      </button>
      <ErrorLine error={error} />
    </AuthCard>
  )
}
