import { httpRequestFor, OCommsError, signInOperations, webSession, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'

/**
 * Calls an operation of the server over REST from the page, with the browser's session: the
 * HttpOnly session cookie goes along by itself; the CSRF cookie is echoed in its header (the
 * server refuses a change by cookie without it); a sign-in asks for its session as a cookie,
 * so no token ever reaches this page's scripts or storage.
 */
export function csrfToken(): string {
  const prefix = `${webSession.csrfCookie}=`
  const found = document.cookie.split('; ').find((c) => c.startsWith(prefix))
  return found ? decodeURIComponent(found.slice(prefix.length)) : ''
}

export async function call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const { method, path, body } = httpRequestFor(name, input)
  const headers: Record<string, string> = signInOperations.includes(name) ? { [webSession.modeHeader]: webSession.modeCookie } : {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  const csrf = csrfToken()
  if (csrf) headers[webSession.csrfHeader] = csrf
  let res: Response
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new OCommsError('unavailable', 'The server cannot be reached; check the connection.')
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    throw new OCommsError('unavailable', `The server answered ${res.status} without a readable body.`)
  }
  if (!res.ok) throw OCommsError.from((json as { error?: unknown } | undefined)?.error)
  return json as CallOutput<N>
}

/** The sentence to show for a failed call. */
export function problem(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
