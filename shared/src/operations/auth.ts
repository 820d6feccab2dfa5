import { Type } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Count, DisplayName, Email, Handle, Id, Nullable, Ok, Password, SessionInfo, User, Workspace } from '../schemas.js'

const SignedIn = Type.Object({
  token: Type.String({
    description:
      'Bearer token for the new session. Shown once; the server keeps only its hash. Left out when a browser asks for ' +
      'its session as a cookie (header `x-ocomms-session: cookie`, docs/web.md): it is then in an HttpOnly cookie.',
  }),
  sessionId: Id,
  user: User,
})

export const signup = defineOperation({
  name: 'auth.signup',
  summary:
    'Create an account and sign in. With `invite`, the account joins that workspace too, all or nothing: ' +
    'an unusable code creates no account. The answer then names the workspace joined.',
  http: { method: 'POST', path: '/api/auth/signup' },
  auth: 'public',
  input: Type.Object(
    {
      email: Email,
      password: Password,
      name: DisplayName,
      handle: Handle,
      invite: Type.Optional(Type.String({ minLength: 8, maxLength: 100, description: 'An invite code to accept with the sign-up.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Composite([SignedIn, Type.Object({ workspaceId: Type.Optional(Id) })]),
})

export const login = defineOperation({
  name: 'auth.login',
  summary: 'Sign in with email and password.',
  http: { method: 'POST', path: '/api/auth/login' },
  auth: 'public',
  input: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
  output: SignedIn,
})

export const requestMagicLink = defineOperation({
  name: 'auth.magicLink.request',
  summary: 'Send a single-use sign-in link (valid 15 minutes). The answer is the same whether or not the email is known.',
  http: { method: 'POST', path: '/api/auth/magic-link' },
  auth: 'public',
  input: Type.Object({ email: Email }, { additionalProperties: false }),
  output: Ok,
})

export const consumeMagicLink = defineOperation({
  name: 'auth.magicLink.consume',
  summary: 'Exchange a magic-link token for a session. Each link works once.',
  http: { method: 'POST', path: '/api/auth/magic-link/consume' },
  auth: 'public',
  input: Type.Object({ token: Type.String({ minLength: 20, maxLength: 200 }) }, { additionalProperties: false }),
  output: SignedIn,
})

export const logout = defineOperation({
  name: 'auth.logout',
  summary: 'End the current session and close its sockets.',
  http: { method: 'POST', path: '/api/auth/logout' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Ok,
})

export const me = defineOperation({
  name: 'auth.me',
  summary: 'Who the session belongs to, and their workspaces.',
  http: { method: 'GET', path: '/api/auth/me' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ user: User, sessionId: Id, workspaces: Type.Array(Workspace) }),
})

export const listSessions = defineOperation({
  name: 'auth.sessions.list',
  summary: 'The signed-in sessions of this account, most recently used first, with when each ends if not used.',
  http: { method: 'GET', path: '/api/auth/sessions' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Array(SessionInfo),
})

export const revokeSession = defineOperation({
  name: 'auth.sessions.revoke',
  summary: 'End one of this account\'s sessions and close its sockets.',
  http: { method: 'DELETE', path: '/api/auth/sessions/:sessionId' },
  auth: 'session',
  input: Type.Object({ sessionId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const revokeAllSessions = defineOperation({
  name: 'auth.sessions.revokeAll',
  summary:
    'Sign out everywhere: end every session of this account (but the current one with `keepCurrent`), close their sockets, ' +
    'and void every sign-in link not used yet.',
  http: { method: 'POST', path: '/api/auth/sessions/revoke-all' },
  auth: 'session',
  input: Type.Object({ keepCurrent: Type.Optional(Type.Boolean({ description: 'Keep this session signed in (default false).' })) }, { additionalProperties: false }),
  output: Type.Object({ ok: Type.Literal(true), ended: Count({ description: 'How many sessions ended.' }) }),
})

export const updateProfile = defineOperation({
  name: 'auth.profile.update',
  summary: 'Change your display name.',
  http: { method: 'PATCH', path: '/api/auth/me' },
  auth: 'session',
  input: Type.Object({ name: Type.Optional(DisplayName) }, { additionalProperties: false }),
  output: User,
})

export const changePassword = defineOperation({
  name: 'auth.password.change',
  summary: 'Change your password; every other session is ended, and every sign-in link not used yet is void.',
  http: { method: 'POST', path: '/api/auth/password' },
  auth: 'session',
  input: Type.Object({ current: Nullable(Type.String({ maxLength: 256 })), password: Password }, { additionalProperties: false }),
  output: Ok,
})
