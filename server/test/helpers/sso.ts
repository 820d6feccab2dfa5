import { callHttp, OCommsError, type Workspace } from '@ocomms/shared'
import { TestBrowser, pkce, type Stop, type WalkOptions } from './browser.js'
import { startOidcIdp, type OidcIdp } from './oidc-idp.js'
import { startSamlIdp, type SamlIdp } from './saml-idp.js'
import type { TestServer, TestUser } from './server.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A workspace "Acme" owned by `owner`, connected to a real OpenID Connect provider. */
export async function oidcWorkspace(t: Teardown, server: TestServer, owner: TestUser, name = 'Acme'): Promise<{ ws: Workspace; idp: OidcIdp }> {
  const ws = await server.workspace(owner, name)
  const sp = (await owner.call('sso.get', { workspaceId: ws.id })).serviceProvider
  const idp = await startOidcIdp(t, [sp.oidcRedirectUrl])
  await owner.call('sso.oidc.connect', { workspaceId: ws.id, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: 'Test OIDC' })
  return { ws, idp }
}

/** A workspace owned by `owner`, connected to a real SAML identity provider (from its metadata). */
export async function samlWorkspace(
  t: Teardown,
  server: TestServer,
  owner: TestUser,
  options: { name?: string; emailsVerified?: boolean } = {},
): Promise<{ ws: Workspace; idp: SamlIdp }> {
  const ws = await server.workspace(owner, options.name ?? 'Acme')
  const idp = await startSamlIdp(t)
  await owner.call('sso.saml.connect', { workspaceId: ws.id, metadataXml: idp.metadata, name: 'Test SAML', emailsVerified: options.emailsVerified ?? false })
  return { ws, idp }
}

export interface SignIn {
  /** Where the sign-in ended: the return address with `code` or `error...`, or an error page. */
  stop: Stop
  params: URLSearchParams
  verifier: string
  /** The session, when the sign-in gave a code and it was exchanged. */
  exchange(): Promise<{ token: string; user: { id: string; handle: string; email: string; name: string }; workspaceId: string }>
}

/**
 * A browser sign-in that returns to the server's own address (as the web app will), driven by an
 * HTTP client through the real identity provider. The code is not exchanged until asked.
 */
export async function browserSignIn(server: TestServer, slug: string, options: WalkOptions & { browser?: TestBrowser } = {}): Promise<SignIn> {
  const { verifier, challenge } = pkce()
  const returnTo = `${server.url}/?after=sso`
  const start = new URL(`${server.url}/sso/start`)
  start.search = new URLSearchParams({ workspace: slug, return_to: returnTo, code_challenge: challenge, code_challenge_method: 'S256', state: 'client-state' }).toString()
  const browser = options.browser ?? new TestBrowser()
  const stop = await browser.walk(start, { ...options, stopAt: (u) => u.href.startsWith(returnTo) || (options.stopAt?.(u) ?? false) })
  const params = stop.url.href.startsWith(returnTo) ? stop.url.searchParams : new URLSearchParams()
  return {
    stop,
    params,
    verifier,
    exchange: () => callHttp(server.url, 'sso.exchange', { code: params.get('code') ?? 'x'.repeat(43), codeVerifier: verifier }),
  }
}

/** The sentence of a refused sign-in: from the return address, or from the error page. */
export function refusal(s: SignIn): { code: string; message: string } {
  if (s.params.get('error')) return { code: s.params.get('error_code') ?? '', message: s.params.get('error_description') ?? '' }
  const m = /<p id="error" data-code="([^"]*)">([\s\S]*?)<\/p>/.exec(s.stop.body)
  return { code: m?.[1] ?? `status ${s.stop.status}`, message: (m?.[2] ?? s.stop.body).replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))) }
}

export async function refusedCode(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    return err instanceof OCommsError ? err.code : `thrown: ${String(err)}`
  }
}
