/**
 * How a browser holds its session (docs/web.md). The token lives in an HttpOnly cookie that
 * page scripts cannot read; requests that change something and authenticate by that cookie
 * repeat a second, readable cookie in a header (double-submit) and must come from our origin.
 * Bearer tokens (CLI, daemon, bots) are unaffected: they are never sent by a browser on its own.
 */
export const webSession = {
  /** HttpOnly, SameSite=Lax cookie holding the session token. */
  cookie: 'ocomms_session',
  /** Readable cookie holding the CSRF token the page echoes in `csrfHeader`. */
  csrfCookie: 'ocomms_csrf',
  csrfHeader: 'x-ocomms-csrf',
  /**
   * Sent with a sign-in (value `cookie`) by a browser that wants its session as a cookie:
   * the answer then sets the cookies and leaves the token out of its body.
   */
  modeHeader: 'x-ocomms-session',
  modeCookie: 'cookie',
} as const

/** Operations that start a session (their answer carries a token); a browser may ask for it as a cookie. */
export const signInOperations: readonly string[] = ['auth.signup', 'auth.login', 'auth.magicLink.consume', 'sso.exchange']

/** Methods that never change anything, so need no CSRF token. */
export const safeHttpMethods: readonly string[] = ['GET', 'HEAD', 'OPTIONS']
