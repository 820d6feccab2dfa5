import { useState } from 'react'
import { call } from '../backend/call'
import { refreshSession, signOut, type SessionState } from '../session'
import { ActionForm, AuthCard, Field } from '../ui/form'

/** Signed in but in no workspace yet: create one, or join with an invite code. */
export function Onboarding(props: { session: Extract<SessionState, { status: 'signed-in' }> }) {
  const [name, setName] = useState('')
  const [code, setCode] = useState('')
  return (
    <AuthCard title={`Welcome, ${props.session.user.name}`}>
      <ActionForm label="Create a workspace" submit="Create workspace" action={async () => (await call('workspace.create', { name }), void (await refreshSession()))}>
        <Field label="Workspace name" value={name} onChange={setName} />
      </ActionForm>
      <div className="divider" role="separator">
        or
      </div>
      <ActionForm label="Join with an invite code" submit="Join" action={async () => (await call('invite.accept', { code: code.trim() }), void (await refreshSession()))}>
        <Field label="Invite code" value={code} onChange={setCode} />
      </ActionForm>
      <p className="switch">
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </p>
    </AuthCard>
  )
}
