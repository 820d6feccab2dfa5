import { useState } from 'react'
import { call } from '../backend/http'
import { navigate } from '../router'
import { rememberReturn, refreshSession } from '../session'
import { ActionForm, AuthCard, Field } from '../ui/form'

/** A handle from a name: what the server accepts (lowercase letters, digits, '-', '_', '.'). */
function suggestHandle(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '')
    .slice(0, 32)
}

/**
 * Create an account, then a workspace, or join one with an invite code (an invite link opened
 * while signed out lands here with the code filled in).
 */
export function SignUp(props: { inviteCode?: string }) {
  const [name, setName] = useState('')
  const [handle, setHandle] = useState('')
  const [handleTouched, setHandleTouched] = useState(false)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [workspace, setWorkspace] = useState('')
  const [invite, setInvite] = useState(props.inviteCode ?? '')
  const joining = !!props.inviteCode

  const signUp = async () => {
    await call('auth.signup', { name, handle: handle || suggestHandle(name), email, password })
    if (invite.trim()) await call('invite.accept', { code: invite.trim() })
    else if (workspace.trim()) await call('workspace.create', { name: workspace.trim() })
    await refreshSession()
    navigate('/', { replace: true })
  }

  return (
    <AuthCard title={joining ? 'Join your team on OComms' : 'Create your account'}>
      <ActionForm label="Create an account" action={signUp} submit={joining ? 'Create account and join' : 'Create account'}>
        <Field label="Full name" value={name} onChange={(v) => (setName(v), handleTouched || setHandle(suggestHandle(v)))} autoComplete="name" autoFocus />
        <Field label="Handle" value={handle} onChange={(v) => (setHandle(v), setHandleTouched(true))} hint="How people @mention you." autoComplete="nickname" />
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="new-password" hint="At least 8 characters; a few unusual words work well." />
        {joining ? (
          <Field label="Invite code" value={invite} onChange={setInvite} />
        ) : (
          <>
            <Field label="New workspace name" value={workspace} onChange={setWorkspace} required={false} hint="Or leave empty and join with an invite code below." />
            <Field label="Invite code" value={invite} onChange={setInvite} required={false} />
          </>
        )}
      </ActionForm>
      <p className="switch">
        Have an account?{' '}
        <a
          href="/signin"
          onClick={(e) => {
            e.preventDefault()
            if (invite) rememberReturn(`/invite/${encodeURIComponent(invite)}`)
            navigate('/signin')
          }}
        >
          Sign in
        </a>
      </p>
    </AuthCard>
  )
}
