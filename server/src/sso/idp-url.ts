import { OCommsError } from '@ocomms/shared'
import type { ServerConfig } from '../config.js'

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * An address of an identity provider the server is told to read from (OIDC issuer, SAML metadata
 * URL). HTTPS only: over plain HTTP anyone on the path could swap the keys that sign identities.
 * Loopback addresses are allowed (an identity provider on the same host, and the tests), and
 * OCOMMS_SSO_ALLOW_HTTP=1 allows any, for trials only.
 */
export function idpUrl(config: Pick<ServerConfig, 'sso'>, raw: string, what: string): URL {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new OCommsError('invalid_input', `${what} is not a URL: ${raw}`)
  }
  if (url.username || url.password) throw new OCommsError('invalid_input', `${what} must not carry a user name or password.`)
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || config.sso.allowInsecureIdp)) return url
  throw new OCommsError(
    'invalid_input',
    `${what} must be an https:// URL (plain http:// is allowed only on this host's loopback address, or with OCOMMS_SSO_ALLOW_HTTP=1 for trials).`,
  )
}

/** Reads a document from an identity provider: 10 seconds at most, 1 MiB at most. */
export async function fetchIdpDocument(url: URL, what: string): Promise<string> {
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error', headers: { accept: 'application/xml, text/xml, */*' } })
  } catch (err) {
    throw new OCommsError('invalid_input', `Could not read ${what} at ${url.href}: ${(err as Error).message}`)
  }
  if (!res.ok) throw new OCommsError('invalid_input', `Could not read ${what} at ${url.href}: the answer was HTTP ${res.status}.`)
  const text = await res.text()
  if (text.length > 1024 * 1024) throw new OCommsError('invalid_input', `${what} at ${url.href} is larger than 1 MiB.`)
  return text
}
