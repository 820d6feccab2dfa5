import * as client from 'openid-client'
import { OCommsError } from '@ocomms/shared'
import { perServer, type Services } from '../services.js'
import type { SsoRow } from './connection.js'
import { idpUrl } from './idp-url.js'
import { decryptSecret } from './secrets.js'
import type { AssertedIdentity } from './accounts.js'

/**
 * OpenID Connect through `openid-client`: discovery from the issuer, the authorization code flow
 * with PKCE, state and nonce, and the ID token's checks (signature, issuer, audience, expiry,
 * nonce) done by the library.
 */

const SCOPE = 'openid email profile'
/** How long a discovered configuration (and its cached signing keys) is used before discovering again. */
const CONFIG_TTL_MS = 10 * 60_000

function clientAuth(config: client.Configuration, secret: string | null): client.ClientAuth {
  if (!secret) return client.None()
  const methods = config.serverMetadata().token_endpoint_auth_methods_supported
  // The specification's default is client_secret_basic; use POST only where that is all there is.
  return !methods || methods.includes('client_secret_basic') ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret)
}

/** Discovers the provider and makes the client configuration; errors say what went wrong, in words. */
export async function discover(services: Services, issuer: string, clientId: string, secret: string | null): Promise<client.Configuration> {
  const url = idpUrl(services.config, issuer, 'The issuer')
  const options: client.DiscoveryRequestOptions = { timeout: 10, execute: url.protocol === 'http:' ? [client.allowInsecureRequests] : [] }
  const metadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: services.config.sso.clockSkewSeconds }
  let found: client.Configuration
  try {
    found = await client.discovery(url, clientId, metadata, undefined, options)
  } catch (err) {
    throw new OCommsError('invalid_input', `Could not read the OpenID Connect configuration of ${url.href}: ${describe(err)}`)
  }
  // The client authentication method depends on what the provider supports: configure again with it.
  const configured = new client.Configuration(found.serverMetadata(), clientId, metadata, clientAuth(found, secret))
  if (url.protocol === 'http:') client.allowInsecureRequests(configured)
  configured.timeout = 10
  return configured
}

const configurations = perServer(() => new Map<string, { at: number; config: Promise<client.Configuration> }>())

/** The configuration of a workspace's provider, discovered at most every ten minutes per process. */
export function configurationFor(services: Services, row: SsoRow): Promise<client.Configuration> {
  const cache = configurations(services)
  const key = `${row.workspace_id}:${row.updated_at.getTime()}`
  const hit = cache.get(key)
  if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.config
  for (const k of cache.keys()) if (k.startsWith(`${row.workspace_id}:`)) cache.delete(k)
  const config = (async () => {
    const secret = row.oidc_client_secret ? await decryptSecret(services, row.oidc_client_secret, row.workspace_id) : null
    return discover(services, row.oidc_issuer!, row.oidc_client_id!, secret)
  })()
  cache.set(key, { at: Date.now(), config })
  config.catch(() => cache.delete(key))
  return config
}

export interface OidcStart {
  url: string
  codeVerifier: string
  nonce: string
}

export async function authorizationUrl(services: Services, row: SsoRow, redirectUri: string, state: string): Promise<OidcStart> {
  const config = await configurationFor(services, row)
  const codeVerifier = client.randomPKCECodeVerifier()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  })
  return { url: url.href, codeVerifier, nonce }
}

/**
 * The provider's answer at the redirect URI: the code is exchanged at the token endpoint (with
 * the PKCE verifier), and the ID token is checked (issuer, audience, signature, times, nonce).
 */
export async function completeSignIn(
  services: Services,
  row: SsoRow,
  currentUrl: URL,
  checks: { state: string; codeVerifier: string; nonce: string },
): Promise<AssertedIdentity> {
  const config = await configurationFor(services, row)
  let claims: client.IDToken | undefined
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    })
    claims = tokens.claims()
  } catch (err) {
    services.log.warn({ workspaceId: row.workspace_id, reason: describe(err) }, 'OpenID Connect sign-in refused')
    throw new OCommsError('unauthenticated', `The identity provider's answer did not check out: ${describe(err)}`)
  }
  if (!claims) throw new OCommsError('unauthenticated', 'The identity provider sent no ID token.')
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null)
  return {
    issuer: claims.iss,
    subject: claims.sub,
    email: str(claims.email),
    // Only a literal true counts: a missing claim is not a verified address.
    emailVerified: claims.email_verified === true,
    name: str(claims.name) ?? ([str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ') || null),
    username: str(claims.preferred_username),
  }
}

/** A library error as one sentence, without anything from a response body that could carry a token. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; error?: string; error_description?: string; cause?: unknown }
  if (e?.error) return `${e.error}${e.error_description ? ` (${e.error_description})` : ''}`
  // openid-client wraps the precise reason (e.g. 'unexpected ID Token "nonce" claim value') in a general one.
  const inner = e?.cause instanceof Error ? e.cause.message : null
  const message = (inner ?? e?.message ?? String(err)).replace(/\s+/g, ' ').trim()
  return message.endsWith('.') ? message : `${message}.`
}
