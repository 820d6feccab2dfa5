import { OCommsError } from '@ocomms/shared'

/**
 * Where a finished sign-in may send its code: never to an address chosen by whoever crafted the
 * link (an open redirect would hand the code to them). Two kinds are allowed:
 *  - a loopback address on any port, as native apps use (RFC 8252 §7.3): http://127.0.0.1:PORT/...
 *    or http://[::1]:PORT/... — `ocomms login --sso` listens there;
 *  - this server's own public URL (the web app), under its path.
 * The code alone is useless anyway: only the PKCE verifier of the one who started can exchange it.
 */
export function checkReturnTarget(raw: string, publicUrl: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new OCommsError('invalid_input', 'return_to is not a URL.')
  }
  if (url.username || url.password) throw new OCommsError('invalid_input', 'return_to must not carry a user name or password.')
  if (isLoopback(url)) return url
  const own = new URL(publicUrl)
  const base = own.pathname.endsWith('/') ? own.pathname : `${own.pathname}/`
  if (url.origin === own.origin && (url.pathname === own.pathname || url.pathname.startsWith(base))) return url
  throw new OCommsError(
    'invalid_input',
    `return_to must be a loopback address (http://127.0.0.1:PORT/...) or an address on this server (${own.origin}).`,
  )
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]') && url.port !== ''
}

/** The return address with the sign-in's answer added to its query. */
export function withAnswer(target: string, answer: Record<string, string | null | undefined>): string {
  const url = new URL(target)
  for (const [k, v] of Object.entries(answer)) if (v !== null && v !== undefined) url.searchParams.set(k, v)
  return url.toString()
}
