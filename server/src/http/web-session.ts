import { fastifyCookie } from '@fastify/cookie'
import { OCommsError, safeHttpMethods, webSession } from '@ocomms/shared'
import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { bearerToken } from '../auth/sessions.js'
import { newToken } from '../auth/tokens.js'
import type { ServerConfig } from '../config.js'

/**
 * Browser sessions (docs/web.md): the token in an HttpOnly cookie, CSRF checked by a
 * double-submit cookie plus the request's origin. Bearer tokens take precedence and need neither:
 * a browser never attaches an Authorization header on its own.
 */

/** Browsers keep a cookie at most 400 days; a session without a lifetime limit gets that. */
const LONGEST_COOKIE_DAYS = 400

export function registerCookies(app: FastifyInstance): Promise<void> {
  return app.register(fastifyCookie) as unknown as Promise<void>
}

/** The session token a request presents, and whether it came in the browser's cookie. */
export function requestToken(req: FastifyRequest): { token: string | null; byCookie: boolean } {
  const bearer = bearerToken(req.headers.authorization)
  if (bearer) return { token: bearer, byCookie: false }
  const cookie = req.cookies[webSession.cookie]
  return cookie ? { token: cookie, byCookie: true } : { token: null, byCookie: false }
}

/** The session token in a raw Cookie header (the socket handshake), or null. */
export function cookieToken(header: string | undefined): string | null {
  if (!header) return null
  return fastifyCookie.parse(header)[webSession.cookie] || null
}

/** A browser sign-in that wants its session as a cookie. */
export function wantsCookie(req: FastifyRequest): boolean {
  return req.headers[webSession.modeHeader] === webSession.modeCookie
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header
  return value?.split(',')[0]?.trim() || undefined
}

/**
 * The origin a request was addressed to: its scheme and Host (as forwarded by a trusted proxy).
 * A page of another site cannot make a browser send our Host with its own Origin.
 */
export function ownOrigin(headers: IncomingHttpHeaders, encrypted: boolean, trustProxy: boolean): string | null {
  const proto = (trustProxy && firstValue(headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http')
  const host = (trustProxy && firstValue(headers['x-forwarded-host'])) || headers.host
  return host ? `${proto}://${host}` : null
}

/** Whether a browser origin may use this server: its own, the public URL's, or one allowed in the configuration. */
export function originAllowed(origin: string, own: string | null, config: Pick<ServerConfig, 'publicUrl' | 'allowedOrigins'>): boolean {
  return origin === own || origin === new URL(config.publicUrl).origin || config.allowedOrigins.includes(origin)
}

/** The Origin of a request, or the origin of its Referer when a browser left Origin out. */
function requestOrigin(req: FastifyRequest): string | null {
  const origin = firstValue(req.headers.origin)
  if (origin) return origin
  const referer = firstValue(req.headers.referer)
  if (!referer) return null
  try {
    return new URL(referer).origin
  } catch {
    return null
  }
}

/** Refuses a request from a browser page of another origin (or one that does not say where it comes from). */
export function checkOrigin(req: FastifyRequest, config: ServerConfig): void {
  const origin = requestOrigin(req)
  const own = ownOrigin(req.headers, req.protocol === 'https', config.trustProxy)
  if (!origin || !originAllowed(origin, own, config)) {
    throw new OCommsError('forbidden', 'This request did not come from a page of this server.')
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * A request that authenticates by the session cookie and may change something must come from
 * our origin and repeat the CSRF cookie in the CSRF header (a page of another site can make the
 * browser send the cookie, but can neither read it nor set the header without our consent).
 */
export function checkCsrf(req: FastifyRequest, config: ServerConfig): void {
  if (safeHttpMethods.includes(req.method)) return
  checkOrigin(req, config)
  const header = firstValue(req.headers[webSession.csrfHeader])
  const cookie = req.cookies[webSession.csrfCookie]
  if (!header || !cookie || !sameText(header, cookie)) {
    throw new OCommsError('forbidden', 'The request lacks the CSRF token of this session; reload the page.')
  }
}

function cookieOptions(req: FastifyRequest, config: ServerConfig) {
  const days = config.sessions.maxDays > 0 ? Math.min(config.sessions.maxDays, LONGEST_COOKIE_DAYS) : LONGEST_COOKIE_DAYS
  return { path: '/', sameSite: 'lax' as const, secure: req.protocol === 'https', maxAge: days * 86_400 }
}

/** Hands a new session to the browser: the token script-proof, and a fresh CSRF token the page can read. */
export function setSessionCookies(reply: FastifyReply, req: FastifyRequest, config: ServerConfig, token: string): void {
  const options = cookieOptions(req, config)
  reply.setCookie(webSession.cookie, token, { ...options, httpOnly: true })
  reply.setCookie(webSession.csrfCookie, newToken(), { ...options, httpOnly: false })
}

export function clearSessionCookies(reply: FastifyReply, req: FastifyRequest, config: ServerConfig): void {
  const { maxAge: _maxAge, ...options } = cookieOptions(req, config)
  reply.clearCookie(webSession.cookie, { ...options, httpOnly: true })
  reply.clearCookie(webSession.csrfCookie, options)
}
