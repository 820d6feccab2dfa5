import { callHttp, inviteCode, OCommsError, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { DEFAULT_PROFILE, type Daemon } from '../daemon.js'
import type { StoredProfile } from '../profiles.js'
import { unreachable, type ProfileSession } from '../session.js'
import type { HandlersFor } from './handler.js'

/** A server address as people type it: `host:port`, `http://host:port/`, ... */
export function normalizeServer(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new OCommsError('invalid_input', `"${raw}" is not a server address: expected e.g. http://chat.example.com:7080.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OCommsError('invalid_input', 'The server address must be http:// or https://.')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

async function publicCall<N extends OperationName>(server: string, name: N, input: CallInput<N>, token?: string): Promise<CallOutput<N>> {
  try {
    return await callHttp(server, name, input, { token: token ?? null })
  } catch (err) {
    if (err instanceof OCommsError) throw err
    throw unreachable(server)
  }
}

/** Signs a profile in with a fresh token: loads the account and picks the current workspace. */
async function adopt(daemon: Daemon, name: string, server: string, token: string, preferWorkspace: string | null): Promise<ProfileSession> {
  const me = await publicCall(server, 'auth.me', {}, token)
  const previous = daemon.store.get(name)
  const keep =
    preferWorkspace ??
    (previous && previous.server === server && previous.user.id === me.user.id ? previous.workspaceId : null)
  const stored: StoredProfile = {
    server,
    token,
    user: me.user,
    workspaceId: me.workspaces.find((w) => w.id === keep)?.id ?? me.workspaces[0]?.id ?? null,
    workspaces: me.workspaces,
  }
  const session = daemon.signIn(name, stored)
  await session.settle()
  return session
}

/** Brings the stored account and workspace list up to date when the server answers. */
export async function refresh(session: ProfileSession): Promise<void> {
  if (session.state === 'signed_out') return
  try {
    const me = await session.call('auth.me', {})
    const p = session.profile
    session.profile = { ...p, user: me.user, workspaces: me.workspaces }
    if (!me.workspaces.some((w) => w.id === p.workspaceId)) session.profile.workspaceId = me.workspaces[0]?.id ?? null
  } catch (err) {
    if (!(err instanceof OCommsError && err.code === 'unavailable')) throw err
  }
}

export const profileHandlers: HandlersFor<'profile.'> = {
  'profile.signup': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    const server = normalizeServer(params.server)
    if (params.createWorkspace && params.invite) throw new OCommsError('invalid_input', 'Either create a workspace or join one with an invite, not both.')
    if (params.createWorkspace !== undefined && params.createWorkspace.trim() === '') {
      throw new OCommsError('invalid_input', 'A workspace needs a name with at least one visible character.')
    }
    // With an invite the server creates the account and joins it in one step: a wrong code leaves no account.
    const signed = await publicCall(server, 'auth.signup', {
      email: params.email,
      password: params.password,
      name: params.name,
      handle: params.handle,
      ...(params.invite ? { invite: inviteCode(params.invite) } : {}),
    })
    let workspaceId: string | null = signed.workspaceId ?? null
    if (params.createWorkspace) workspaceId = (await publicCall(server, 'workspace.create', { name: params.createWorkspace }, signed.token)).id
    return daemon.profileInfo(await adopt(daemon, name, server, signed.token, workspaceId))
  },

  'profile.login': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    const server = normalizeServer(params.server)
    const signed = await publicCall(server, 'auth.login', { email: params.email, password: params.password })
    return daemon.profileInfo(await adopt(daemon, name, server, signed.token, null))
  },

  'profile.magicLink.request': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    const server = normalizeServer(params.server)
    await publicCall(server, 'auth.magicLink.request', { email: params.email })
    daemon.store.setPendingLink(name, server)
    return { ok: true as const }
  },

  'profile.magicLink.consume': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    let server = params.server ? normalizeServer(params.server) : undefined
    let token = params.link.trim()
    if (/^https?:\/\//i.test(token)) {
      const url = new URL(token)
      const found = /(?:^|[#?&])token=([^&#\s]+)/.exec(url.hash || url.search) ?? /(?:^|[#?&])token=([^&#\s]+)/.exec(url.search)
      if (!found) throw new OCommsError('invalid_input', 'That link has no sign-in token in it: paste the whole link from the email.')
      token = decodeURIComponent(found[1]!)
      server ??= `${url.origin}${url.pathname.replace(/\/magic-link\/?$/, '').replace(/\/+$/, '')}`
    }
    server ??= daemon.store.pendingLink(name) ?? daemon.store.get(name)?.server
    if (!server) throw new OCommsError('invalid_input', 'Which server is this link for? Pass the whole link, or --server URL.')
    const signed = await publicCall(server, 'auth.magicLink.consume', { token })
    daemon.store.setPendingLink(name, null)
    return daemon.profileInfo(await adopt(daemon, name, server, signed.token, null))
  },

  'profile.sso': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    const server = normalizeServer(params.server)
    const signed = await publicCall(server, 'sso.exchange', { code: params.code, codeVerifier: params.codeVerifier })
    return daemon.profileInfo(await adopt(daemon, name, server, signed.token, signed.workspaceId))
  },

  'profile.logout': async (params, { daemon }) => {
    const name = params.profile ?? DEFAULT_PROFILE
    const session = daemon.session(name)
    try {
      await session.http('auth.logout', {})
    } catch (err) {
      // Signing out locally still happens; an unreachable server keeps the session until it expires.
      if (!(err instanceof OCommsError && (err.code === 'unavailable' || err.code === 'unauthenticated'))) throw err
      daemon.log.warn({ profile: name, code: err.code }, 'signed out locally only')
    }
    daemon.signOut(name)
    return { ok: true as const }
  },

  'profile.whoami': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    const refreshed = refresh(session).then(() => daemon.store.set(session.name, session.profile))
    if (params.cached && session.profile.user) {
      refreshed.catch((err: unknown) => daemon.log.warn({ profile: session.name, err }, 'profile refresh failed'))
      return daemon.profileInfo(session)
    }
    await refreshed
    return daemon.profileInfo(session)
  },

  'profile.useWorkspace': async (params, { daemon }) => {
    const session = daemon.session(params.profile)
    await refresh(session)
    const wanted = params.workspace.toLowerCase()
    const ws = session.profile.workspaces.find((w) => w.slug === wanted || w.id === wanted)
    if (!ws) {
      const known = session.profile.workspaces.map((w) => w.slug).join(', ') || 'none'
      throw new OCommsError('not_found', `You are not in a workspace "${params.workspace}" (yours: ${known}).`)
    }
    session.profile = { ...session.profile, workspaceId: ws.id }
    daemon.store.set(session.name, session.profile)
    return daemon.profileInfo(session)
  },
}
