import { createHash, timingSafeEqual } from 'node:crypto'
import { OCommsError, type OutputOf, type OperationMap } from '@ocomms/shared'
import { createSession } from '../auth/sessions.js'
import { hashToken, newToken } from '../auth/tokens.js'
import type { Sql } from '../db/connect.js'
import { userOut, type UserRow } from '../serialize.js'
import type { Services } from '../services.js'

/** A sign-in between its start and the identity provider's answer. */
export const FLOW_MINUTES = 10
/** A sign-in code, from the redirect to its exchange. */
export const CODE_SECONDS = 120

export interface FlowRow {
  workspace_id: string
  protocol: 'oidc' | 'saml'
  return_to: string
  code_challenge: string
  client_state: string | null
  oidc_code_verifier: string | null
  oidc_nonce: string | null
  saml_request_id: string | null
  created_at: Date
  fresh: boolean
}

/** RFC 7636 S256: base64url(SHA-256(verifier)), 43 characters. */
export const isCodeChallenge = (v: string) => /^[A-Za-z0-9_-]{43}$/.test(v)

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

export interface NewFlow {
  workspaceId: string
  protocol: 'oidc' | 'saml'
  returnTo: string
  codeChallenge: string
  clientState: string | null
  oidcCodeVerifier?: string
  oidcNonce?: string
  samlRequestId?: string
}

/** Stores a sign-in in progress under a fresh state, and answers the state. Old ones are swept on the way. */
export async function createFlow(sql: Sql, flow: NewFlow, state: string): Promise<void> {
  await sql`delete from sso_flows where expires_at < now()`
  await sql`
    insert into sso_flows (state_hash, workspace_id, protocol, return_to, code_challenge, client_state,
                           oidc_code_verifier, oidc_nonce, saml_request_id, expires_at)
    values (${hashToken(state)}, ${flow.workspaceId}, ${flow.protocol}, ${flow.returnTo}, ${flow.codeChallenge}, ${flow.clientState},
            ${flow.oidcCodeVerifier ?? null}, ${flow.oidcNonce ?? null}, ${flow.samlRequestId ?? null},
            now() + make_interval(mins => ${FLOW_MINUTES}))`
}

/**
 * Takes a sign-in in progress by the state the identity provider sent back: once only (a second
 * answer with the same state finds nothing), for this workspace and protocol only.
 */
export async function takeFlow(sql: Sql, state: string, workspaceId: string, protocol: 'oidc' | 'saml'): Promise<FlowRow | null> {
  if (!state || state.length > 200) return null
  const [row] = await sql<FlowRow[]>`
    delete from sso_flows
     where state_hash = ${hashToken(state)} and workspace_id = ${workspaceId} and protocol = ${protocol}
    returning workspace_id, protocol, return_to, code_challenge, client_state, oidc_code_verifier, oidc_nonce,
              saml_request_id, created_at, expires_at > now() as fresh`
  return row ?? null
}

/** The sign-in's result: a code for the return address, exchangeable once by the starter's PKCE verifier. */
export async function createSignInCode(sql: Sql, userId: string, workspaceId: string, codeChallenge: string): Promise<string> {
  await sql`delete from sso_sign_in_codes where expires_at < now()`
  const code = newToken()
  await sql`
    insert into sso_sign_in_codes (code_hash, user_id, workspace_id, code_challenge, expires_at)
    values (${hashToken(code)}, ${userId}, ${workspaceId}, ${codeChallenge}, now() + make_interval(secs => ${CODE_SECONDS}))`
  return code
}

type Exchanged = OutputOf<OperationMap['sso.exchange']>

/**
 * `sso.exchange`: the code works once (it is deleted whether or not the verifier matches, so it
 * cannot be guessed at), within two minutes, with the verifier whose challenge started the sign-in,
 * and only while the person is still an active member of the workspace.
 */
export async function exchangeCode(
  services: Services,
  input: { code: string; codeVerifier: string },
  meta: { ip: string; userAgent: string | null },
): Promise<Exchanged> {
  const refused = new OCommsError(
    'unauthenticated',
    'This sign-in code is not valid: it was already used, it expired (codes last two minutes), or it belongs to another sign-in. Sign in again.',
  )
  return services.sql.begin(async (tx) => {
    const [row] = await tx<{ user_id: string; workspace_id: string; code_challenge: string; fresh: boolean }[]>`
      delete from sso_sign_in_codes where code_hash = ${hashToken(input.code)}
      returning user_id, workspace_id, code_challenge, expires_at > now() as fresh`
    const a = Buffer.from(s256(input.codeVerifier))
    const b = Buffer.from(row?.code_challenge ?? '')
    if (!row || !row.fresh || a.length !== b.length || !timingSafeEqual(a, b)) return { refused: true as const }
    const [member] = await tx<{ state: string }[]>`
      select state from workspace_members where workspace_id = ${row.workspace_id} and user_id = ${row.user_id}`
    if (member?.state !== 'active') {
      throw new OCommsError('forbidden', 'Your membership of this workspace ended after you signed in; ask one of its admins.')
    }
    const [user] = await tx<UserRow[]>`select id, email, handle, name, created_at from users where id = ${row.user_id}`
    const session = await createSession(tx as never, row.user_id, meta)
    return { ...session, user: userOut(user!), workspaceId: row.workspace_id }
  }).then((out) => {
    // A refused code stays deleted: the transaction commits, then the caller hears no.
    if ('refused' in out) throw refused
    return out as Exchanged
  })
}
