import { useState } from 'react'
import type { RendererBridge } from '@ocomms/shared'
import { bridgeProfile, daemonCall } from '../backend/bridge'
import { navigate } from '../router'
import { refreshSession } from '../session'
import { ActionForm, AuthCard, Field } from '../ui/form'

/**
 * Signing in inside the desktop app: the window's daemon profile signs in (as `ocomms login
 * --profile NAME` does), so the daemon holds the token and the CLI and the terminal UI share
 * the account. Each profile is its own window (`--profile`), so several accounts run side by side.
 */
export function ProfileSignIn(props: { bridge: RendererBridge }) {
  const profile = bridgeProfile(props.bridge)
  const [server, setServer] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')

  const signIn = async () => {
    await daemonCall(props.bridge)('profile.login', { profile, server: server.trim(), email, password })
    await refreshSession()
    navigate('/', { replace: true })
  }

  return (
    <AuthCard title="Sign in">
      <p>
        Profile <strong>{profile}</strong> is not signed in. Accounts signed in with <code>ocomms login</code> open here by
        themselves.
      </p>
      <ActionForm label="Sign in this profile" action={signIn} submit="Sign in">
        <Field label="Server" type="url" value={server} onChange={setServer} autoComplete="url" autoFocus name="server" hint="The address of your OComms server, e.g. https://chat.example.com" />
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" name="email" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" name="password" />
      </ActionForm>
    </AuthCard>
  )
}
