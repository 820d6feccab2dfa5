import { useCallback, useEffect, useId, useState } from 'react'
import type { CallOutput, Workspace } from '@ocomms/shared'
import { call } from '../backend/call'
import { problem } from '../backend/http'
import { navigate } from '../router'
import type { SessionState } from '../session'
import { ActionForm, Field } from '../ui/form'
import { ErrorLine } from '../ui/error-line'

type SsoConfig = CallOutput<'sso.get'>
type ScimToken = CallOutput<'sso.scimToken.list'>[number]

/**
 * A workspace's single sign-on, for its owners (docs/sso.md): the values to give the identity
 * provider, connecting it over OpenID Connect or SAML 2.0, who may sign in that way and as what,
 * "require SSO", and the SCIM tokens for provisioning. Everything is the `sso.*` operations, the
 * same the CLI's `ocomms sso ...` calls; the server decides who may.
 */
export function WorkspaceSso(props: { session: Extract<SessionState, { status: 'signed-in' }>; workspaceId: string | null }) {
  const owned = props.session.workspaces.filter((w) => w.role === 'owner')
  const workspace = props.session.workspaces.find((w) => w.id === props.workspaceId) ?? owned[0]
  return (
    <main className="page settings" aria-labelledby="sso-title">
      <p>
        <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          ← Back to the workspace
        </a>
      </p>
      <h1 id="sso-title">Single sign-on{workspace ? ` for ${workspace.name}` : ''}</h1>
      {owned.length > 1 && (
        <nav aria-label="Workspaces you own" className="tabs">
          {owned.map((w) => (
            <a key={w.id} href={`/settings/sso/${w.id}`} aria-current={w.id === workspace?.id ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate(`/settings/sso/${w.id}`))}>
              {w.name}
            </a>
          ))}
        </nav>
      )}
      {!workspace ? <p>Only a workspace&apos;s owners set up its single sign-on, and you own none.</p> : <SsoPanel key={workspace.id} workspace={workspace} />}
    </main>
  )
}

function SsoPanel(props: { workspace: Workspace }) {
  const workspaceId = props.workspace.id
  const [config, setConfig] = useState<SsoConfig | null>(null)
  const [tokens, setTokens] = useState<ScimToken[]>([])
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const load = useCallback(() => {
    call('sso.get', { workspaceId }).then(setConfig, (err: unknown) => setError(problem(err)))
    call('sso.scimToken.list', { workspaceId }).then(setTokens, () => {})
  }, [workspaceId])
  useEffect(load, [load])

  if (error && !config) {
    return <ErrorLine error={error} />
  }
  if (!config) return <p>Loading…</p>
  const changed = (next: SsoConfig, message: string) => {
    setConfig(next)
    setNotice(message)
  }
  const sp = config.serviceProvider
  const connection = config.connection

  return (
    <>
      {notice && <p role="status">{notice}</p>}
      <section aria-labelledby="sso-connection">
        <h2 id="sso-connection">Identity provider</h2>
        {connection ? (
          <div className="connected">
            <p>
              Connected to <strong>{connection.name}</strong> over {connection.protocol === 'oidc' ? 'OpenID Connect' : 'SAML 2.0'}
              {connection.oidc ? ` (issuer ${connection.oidc.issuer}, client ${connection.oidc.clientId})` : ''}
              {connection.saml ? ` (entity ${connection.saml.idpEntityId})` : ''}. People sign in with the button &ldquo;Sign in with {connection.name}&rdquo;.
            </p>
            {connection.saml?.certificates.map((c) => (
              <p key={c.sha256}>
                <small>
                  Signing certificate {c.subject}, valid until {new Date(c.notAfter).toLocaleDateString()} · SHA-256 {c.sha256}
                </small>
              </p>
            ))}
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (!window.confirm(`Disconnect ${connection.name}? "Require SSO" turns off with it.`)) return
                call('sso.disconnect', { workspaceId }).then((next) => changed(next, 'Disconnected.'), (err: unknown) => setError(problem(err)))
              }}
            >
              Disconnect
            </button>
          </div>
        ) : (
          <p>Not connected: people sign in with their email.</p>
        )}
        <ForTheIdp sp={sp} />
        <ConnectForms workspaceId={workspaceId} connected={connection?.protocol ?? null} onConnected={(next) => changed(next, `Connected to ${next.connection?.name ?? 'the identity provider'}.`)} />
      </section>
      <RulesForm config={config} onSaved={(next) => changed(next, 'Saved.')} />
      <ScimTokens workspaceId={workspaceId} tokens={tokens} scimUrl={sp.scimUrl} reload={load} />
      <ErrorLine error={error} />
    </>
  )
}

/** The values an administrator pastes into the identity provider; they never change. */
function ForTheIdp(props: { sp: SsoConfig['serviceProvider'] }) {
  const rows: Array<[string, string]> = [
    ['OIDC redirect URI', props.sp.oidcRedirectUrl],
    ['SAML entity id', props.sp.samlEntityId],
    ['SAML ACS URL', props.sp.samlAcsUrl],
    ['SAML metadata', props.sp.samlMetadataUrl],
    ['SCIM base URL', props.sp.scimUrl],
  ]
  return (
    <details className="for-idp" open>
      <summary>Values for the identity provider</summary>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              <code>{value}</code>{' '}
              <button type="button" className="link" aria-label={`Copy ${label}`} onClick={() => void navigator.clipboard?.writeText(value)}>
                Copy
              </button>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  )
}

function ConnectForms(props: { workspaceId: string; connected: 'oidc' | 'saml' | null; onConnected: (next: SsoConfig) => void }) {
  const [protocol, setProtocol] = useState<'oidc' | 'saml'>(props.connected ?? 'oidc')
  const [name, setName] = useState('')
  const [issuer, setIssuer] = useState('')
  const [clientId, setClientId] = useState('')
  const [clientSecret, setClientSecret] = useState('')
  const [metadataUrl, setMetadataUrl] = useState('')
  const [metadataXml, setMetadataXml] = useState('')
  const [emailsVerified, setEmailsVerified] = useState(false)
  const xmlId = useId()

  const connectOidc = async () => {
    const next = await call('sso.oidc.connect', {
      workspaceId: props.workspaceId,
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      ...(clientSecret ? { clientSecret } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
    })
    setClientSecret('') // never kept on the page once the server has it
    props.onConnected(next)
  }
  const connectSaml = async () => {
    if (!metadataUrl.trim() && !metadataXml.trim()) throw new Error('Give the metadata: its URL, or the XML itself.')
    const next = await call('sso.saml.connect', {
      workspaceId: props.workspaceId,
      ...(metadataXml.trim() ? { metadataXml } : { metadataUrl: metadataUrl.trim() }),
      ...(name.trim() ? { name: name.trim() } : {}),
      emailsVerified,
    })
    props.onConnected(next)
  }

  return (
    <div className="connect">
      <h3>{props.connected ? 'Connect again (replaces the connection)' : 'Connect'}</h3>
      <fieldset className="choice">
        <legend>Protocol</legend>
        <label>
          <input type="radio" name="protocol" checked={protocol === 'oidc'} onChange={() => setProtocol('oidc')} /> OpenID Connect
        </label>
        <label>
          <input type="radio" name="protocol" checked={protocol === 'saml'} onChange={() => setProtocol('saml')} /> SAML 2.0
        </label>
      </fieldset>
      {protocol === 'oidc' ? (
        <ActionForm label="Connect over OpenID Connect" action={connectOidc} submit="Connect">
          <Field label="Button name" value={name} onChange={setName} required={false} hint='The button says "Sign in with <name>" (e.g. Okta, Keycloak).' />
          <Field label="Issuer URL" type="url" value={issuer} onChange={setIssuer} hint="e.g. https://keycloak.example.com/realms/acme; the rest is discovered." />
          <Field label="Client ID" value={clientId} onChange={setClientId} />
          <Field label="Client secret" type="password" value={clientSecret} onChange={setClientSecret} required={false} autoComplete="off" hint="Kept encrypted, never shown again. Leave empty for a public client." />
        </ActionForm>
      ) : (
        <ActionForm label="Connect over SAML 2.0" action={connectSaml} submit="Connect">
          <Field label="Button name" value={name} onChange={setName} required={false} hint='The button says "Sign in with <name>".' />
          <Field label="Metadata URL" type="url" value={metadataUrl} onChange={setMetadataUrl} required={false} hint="Read once, now. Or paste the XML below." />
          <div className="field">
            <label htmlFor={xmlId}>Metadata XML</label>
            <textarea id={xmlId} rows={5} value={metadataXml} onChange={(e) => setMetadataXml(e.currentTarget.value)} />
          </div>
          <label className="check">
            <input type="checkbox" checked={emailsVerified} onChange={(e) => setEmailsVerified(e.currentTarget.checked)} /> Every email this identity provider asserts is verified (lets it link existing accounts)
          </label>
        </ActionForm>
      )}
    </div>
  )
}

function RulesForm(props: { config: SsoConfig; onSaved: (next: SsoConfig) => void }) {
  const s = props.config.settings
  const [domains, setDomains] = useState(s.allowedDomains.join(', '))
  const [defaultRole, setDefaultRole] = useState(s.defaultRole)
  const [requireSso, setRequireSso] = useState(s.requireSso)
  const roleId = useId()
  const save = async () => {
    const allowedDomains = [...new Set(domains.split(/[\s,]+/).map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean))]
    props.onSaved(await call('sso.settings.update', { workspaceId: props.config.workspaceId, allowedDomains, defaultRole, requireSso }))
  }
  return (
    <section aria-labelledby="sso-rules">
      <h2 id="sso-rules">Who gets in</h2>
      <ActionForm label="Sign-in rules" action={save} submit="Save">
        <Field label="Allowed email domains" value={domains} onChange={setDomains} required={false} hint="Comma separated, e.g. example.com. Empty: anyone the identity provider signs in." />
        <div className="field">
          <label htmlFor={roleId}>Role of new people</label>
          <select id={roleId} value={defaultRole} onChange={(e) => setDefaultRole(e.currentTarget.value as typeof defaultRole)}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={requireSso} disabled={!props.config.connection} onChange={(e) => setRequireSso(e.currentTarget.checked)} /> Require SSO: members cannot sign in with a password or a mailed link (owners still can)
        </label>
      </ActionForm>
    </section>
  )
}

function ScimTokens(props: { workspaceId: string; tokens: ScimToken[]; scimUrl: string; reload: () => void }) {
  const [name, setName] = useState('')
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const create = async () => {
    const made = await call('sso.scimToken.create', { workspaceId: props.workspaceId, name: name.trim() })
    setCreated({ name: made.name, token: made.token })
    setName('')
    props.reload()
  }
  return (
    <section aria-labelledby="sso-scim">
      <h2 id="sso-scim">Provisioning (SCIM 2.0)</h2>
      <p>
        The identity provider creates and deactivates people at <code>{props.scimUrl}</code> with a bearer token.
      </p>
      {created && (
        <p role="status" className="secret">
          Token for {created.name}, shown once: <code>{created.token}</code>
        </p>
      )}
      {props.tokens.length > 0 && (
        <ul className="sessions" aria-label="SCIM tokens">
          {props.tokens.map((t) => (
            <li key={t.id}>
              <div>
                <strong>{t.name}</strong>
                <br />
                <small>
                  Created {new Date(t.createdAt).toLocaleString()} · last used {t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}
                </small>
              </div>
              <button
                type="button"
                aria-label={`Revoke ${t.name}`}
                onClick={() => call('sso.scimToken.revoke', { workspaceId: props.workspaceId, tokenId: t.id }).then(props.reload, (err: unknown) => setError(problem(err)))}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={error} />
      <ActionForm label="Create a SCIM token" action={create} submit="Create token">
        <Field label="Token name" value={name} onChange={setName} hint='What it is for, e.g. "Okta".' />
      </ActionForm>
    </section>
  )
}
