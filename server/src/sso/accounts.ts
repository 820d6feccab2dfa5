import { displayNameFromProvider, OCommsError, reservedHandles } from '@ocomms/shared'
import { transaction, type Change } from '../events/transaction.js'
import * as load from '../queries.js'
import { joinDefaultChannels } from '../workspaces/membership.js'
import type { Services } from '../services.js'
import { providerName, type ConnectedSso } from './connection.js'

/** Who the identity provider says signed in, after its answer was checked. */
export interface AssertedIdentity {
  /** OIDC `iss`, or the SAML assertion's Issuer. */
  issuer: string
  /** OIDC `sub`, or the SAML NameID: stable per person at that provider. */
  subject: string
  email: string | null
  /** Whether the provider vouches for the address (OIDC `email_verified`; SAML: the connection's setting). */
  emailVerified: boolean
  name: string | null
  /** A preferred user name, for the handle of a new account. */
  username: string | null
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

export const emailDomain = (email: string) => email.slice(email.lastIndexOf('@') + 1)

/** Whether the workspace's allowlist lets this address in (an empty list lets everyone in). */
export function domainAllowed(allowed: string[], email: string): boolean {
  return allowed.length === 0 || allowed.includes(emailDomain(normalizeEmail(email)))
}

export function refuseDomain(sso: Pick<ConnectedSso, 'allowed_domains' | 'workspace_name'>, email: string): OCommsError {
  return new OCommsError(
    'forbidden',
    `${sso.workspace_name} lets in people with an address at ${sso.allowed_domains.join(', ')} only; ${email} is not one of them.`,
  )
}

/**
 * Candidate handles for a new account, from the provider's user name or the email's local part:
 * lowercase letters, digits, ".", "_", "-"; then with -2, -3, ... when taken.
 */
export function handleCandidates(username: string | null, email: string): string[] {
  const base =
    (username ?? email.slice(0, email.lastIndexOf('@')))
      .normalize('NFKD')
      .toLowerCase()
      .replace(/@.*$/, '')
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .replace(/[._-]+$/, '')
      .slice(0, 26) || 'person'
  const first = reservedHandles.includes(base) ? `${base}-1` : base
  return [first, ...Array.from({ length: 30 }, (_, i) => `${base}-${i + 2}`)]
}

/**
 * Creates an account without a password for someone an identity provider vouched for, with a
 * free handle. Answers null when the email already has an account (someone was quicker).
 */
export async function createAccount(
  change: Change,
  workspaceId: string,
  who: { email: string; name: string | null; username: string | null },
): Promise<string | null> {
  const email = who.email.trim()
  const name = displayNameFromProvider(who.name) ?? displayNameFromProvider(email.slice(0, email.lastIndexOf('@'))) ?? email.slice(0, 80)
  for (const handle of handleCandidates(who.username, email)) {
    const [row] = await change.sql<{ id: string }[]>`
      insert into users (email, email_normalized, handle, name)
      values (${email}, ${normalizeEmail(email)}, ${handle}, ${name})
      on conflict do nothing
      returning id`
    if (row) {
      await change.sql`insert into sso_provisioned_users (user_id, workspace_id) values (${row.id}, ${workspaceId})`
      return row.id
    }
    const [taken] = await change.sql`select 1 from users where email_normalized = ${normalizeEmail(email)}`
    if (taken) return null
  }
  throw new OCommsError('conflict', `No free handle could be made for ${email}; ask an owner to create the account.`)
}

/** Makes someone an active member with the given role (new, or back after leaving), with the events. */
export async function addMember(change: Change, workspaceId: string, userId: string, role: 'member' | 'admin'): Promise<void> {
  await change.sql`
    insert into workspace_members (workspace_id, user_id, role) values (${workspaceId}, ${userId}, ${role})
    on conflict (workspace_id, user_id)
    do update set role = excluded.role, state = 'active', joined_at = now(), updated_at = now()`
  const member = await load.member(change.sql, workspaceId, userId)
  await change.emit('workspace', workspaceId, 'member.joined', { member }, { workspaceId })
  await joinDefaultChannels(change, workspaceId, userId)
}

/**
 * The account an identity provider's sign-in stands for, made or linked on first use:
 *  - the person's identity (issuer + subject) seen before: its account;
 *  - else an account with the same email: one this workspace's identity provider made (through
 *    SCIM) is linked; any other only when the provider vouches that the address is verified AND
 *    the account is already an active member of this workspace (so an identity provider of one
 *    workspace cannot take over accounts that never joined it);
 *  - else a new account without a password.
 * Then membership: none yet (or left) → joins with the default role; deactivated → refused.
 * The allowlist of email domains, when set, applies to every sign-in.
 */
export async function accountFor(services: Services, sso: ConnectedSso, who: AssertedIdentity): Promise<string> {
  const provider = providerName(sso)
  if (!who.email || !/^[^@\s]+@[^@\s]+$/.test(who.email)) {
    throw new OCommsError(
      'forbidden',
      `${provider} did not send an email address for you. An administrator of the identity provider must release it (the "email" claim or attribute).`,
    )
  }
  const email = who.email
  if (!domainAllowed(sso.allowed_domains, email)) throw refuseDomain(sso, email)

  return transaction(services, async (change) => {
    const workspaceId = sso.workspace_id
    const [known] = await change.sql<{ user_id: string }[]>`
      update sso_identities set last_sign_in_at = now()
       where workspace_id = ${workspaceId} and issuer = ${who.issuer} and subject = ${who.subject}
      returning user_id`
    let userId = known?.user_id ?? null

    if (!userId) {
      const [existing] = await change.sql<{ id: string; state: string | null; provisioned: boolean }[]>`
        select u.id, wm.state,
               exists (select 1 from sso_provisioned_users p where p.user_id = u.id and p.workspace_id = ${workspaceId}) as provisioned
          from users u left join workspace_members wm on wm.user_id = u.id and wm.workspace_id = ${workspaceId}
         where u.email_normalized = ${normalizeEmail(email)}`
      // An account this workspace's identity provider made (SCIM) is its own to sign in to.
      if (existing && !existing.provisioned) {
        if (!who.emailVerified) {
          throw new OCommsError(
            'forbidden',
            `An account with ${email} already exists, and ${provider} did not say this address is verified, so single sign-on cannot be linked to it. ` +
              'Sign in with that account\'s password, or ask the workspace owner (docs/sso.md, "Existing accounts").',
          )
        }
        if (existing.state !== 'active' && existing.state !== 'deactivated') {
          throw new OCommsError(
            'forbidden',
            `An account with ${email} already exists on this server but is not a member of ${sso.workspace_name}. ` +
              'Sign in to it (password or magic link) and join with an invite first; then single sign-on links to it.',
          )
        }
        userId = existing.id
      } else if (existing) {
        userId = existing.id
      } else {
        userId = await createAccount(change, workspaceId, { email, name: who.name, username: who.username })
        if (!userId) throw new OCommsError('conflict', 'Your account was being created at the same moment; sign in again.')
      }
      await change.sql`
        insert into sso_identities (workspace_id, issuer, subject, user_id)
        values (${workspaceId}, ${who.issuer}, ${who.subject}, ${userId})`
    }

    const [membership] = await change.sql<{ state: string }[]>`
      select state from workspace_members where workspace_id = ${workspaceId} and user_id = ${userId} for update`
    if (membership?.state === 'deactivated') {
      throw new OCommsError('forbidden', `Your account is deactivated in ${sso.workspace_name}; ask one of its admins to reactivate it.`)
    }
    if (membership?.state !== 'active') await addMember(change, workspaceId, userId, sso.default_role)
    return userId
  })
}
