import { useState } from 'react'
import { call } from '../backend/http'
import { navigate } from '../router'
import { refreshSession, takeReturn } from '../session'
import { ActionForm, AuthCard, Field } from '../ui/form'
import { SsoSignIn } from './sso-sign-in'

export function SignIn(props: { workspace?: string | null }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [linkSent, setLinkSent] = useState(false)

  const signIn = async () => {
    await call('auth.login', { email, password })
    await refreshSession()
    navigate(takeReturn(), { replace: true })
  }
  const sendLink = async () => {
    await call('auth.magicLink.request', { email })
    setLinkSent(true)
  }

  return (
    <AuthCard title="Sign in">
      {props.workspace && (
        <>
          {/* A link that names the workspace (/signin?workspace=acme) offers its identity provider first. */}
          <SsoSignIn workspace={props.workspace} />
          <div className="divider" role="separator">
            or
          </div>
        </>
      )}
      <ActionForm label="Sign in with a password" action={signIn} submit="Sign in">
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" autoFocus name="email" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" name="password" />
      </ActionForm>
      <div className="divider" role="separator">
        or
      </div>
      {linkSent ? (
        <p role="status">If {email} has an account, a sign-in link is on its way. It works once, for 15 minutes.</p>
      ) : (
        <ActionForm label="Sign in with a link by email" action={sendLink} submit="Email me a sign-in link">
          <Field label="Email for the link" type="email" value={email} onChange={setEmail} autoComplete="username" />
        </ActionForm>
      )}
      {!props.workspace && (
        <>
          <div className="divider" role="separator">
            or
          </div>
          <SsoSignIn />
        </>
      )}
      <p className="switch">
        New here? <a href="/signup" onClick={(e) => (e.preventDefault(), navigate('/signup'))}>Create an account</a>
      </p>
    </AuthCard>
  )
}
