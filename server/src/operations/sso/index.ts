import { OCommsError } from '@ocomms/shared'
import { workspaceRole } from '../../access.js'
import { recordAudit } from '../../audit/record.js'
import { hashToken, newToken } from '../../auth/tokens.js'
import type { Sql } from '../../db/connect.js'
import type { AuthedContext } from '../../services.js'
import { connectedSso, loadSso, providerName, serviceProvider, ssoView, startUrl } from '../../sso/connection.js'
import { exchangeCode } from '../../sso/flows.js'
import { parseIdpMetadata } from '../../sso/idp-metadata.js'
import { fetchIdpDocument, idpUrl } from '../../sso/idp-url.js'
import { discover } from '../../sso/oidc.js'
import { encryptSecret } from '../../sso/secrets.js'
import type { HandlersFor } from '../handler.js'

/** SCIM tokens start with this, so secret scanners and people recognise them. */
const SCIM_TOKEN_PREFIX = 'ocscim_'

/** Single sign-on is the owners' business: members and admins are refused, non-members do not see the workspace. */
async function asOwner(ctx: AuthedContext, workspaceId: string): Promise<string> {
  const role = await workspaceRole(ctx.services.sql, workspaceId, ctx.caller.userId)
  if (role !== 'owner') throw new OCommsError('forbidden', 'Only the workspace\'s owners can see or change its single sign-on.')
  const [ws] = await ctx.services.sql<{ slug: string }[]>`select slug from workspaces where id = ${workspaceId}`
  return ws!.slug
}

async function view(ctx: AuthedContext, workspaceId: string, slug: string) {
  return ssoView(ctx.services.config, workspaceId, slug, await loadSso(ctx.services.sql, workspaceId))
}

/**
 * Every change to a workspace's single sign-on passes here, after it is stored. It is written to the
 * server log and the workspace's audit log (never with a secret).
 */
async function changed(ctx: AuthedContext, workspaceId: string, what: string): Promise<void> {
  ctx.services.log.info({ workspaceId, by: ctx.caller.userId, change: what }, `single sign-on: ${what}`)
  await recordAudit(ctx.services.sql, { workspaceId, actorId: ctx.caller.userId, action: 'sso.changed', target: { type: 'workspace', id: workspaceId }, details: { change: what } })
}

/** Makes sure a workspace has a row to keep its sign-in rules in. */
async function ensureRow(sql: Sql, workspaceId: string): Promise<void> {
  await sql`insert into workspace_sso (workspace_id) values (${workspaceId}) on conflict do nothing`
}

export const ssoHandlers: HandlersFor<'sso'> = {
  'sso.get': async (ctx, input) => view(ctx, input.workspaceId, await asOwner(ctx, input.workspaceId)),

  'sso.oidc.connect': async (ctx, input) => {
    const slug = await asOwner(ctx, input.workspaceId)
    const { services } = ctx
    const found = await discover(services, input.issuer, input.clientId, input.clientSecret ?? null)
    const issuer = found.serverMetadata().issuer
    const secret = input.clientSecret ? await encryptSecret(services, input.clientSecret, input.workspaceId) : null
    await ensureRow(services.sql, input.workspaceId)
    await services.sql`
      update workspace_sso
         set protocol = 'oidc', display_name = ${input.name ?? ''},
             oidc_issuer = ${issuer}, oidc_client_id = ${input.clientId}, oidc_client_secret = ${secret},
             saml_idp_entity_id = null, saml_sso_url = null, saml_sso_binding = null, saml_idp_certs = null,
             saml_metadata_url = null, saml_emails_verified = false,
             updated_at = clock_timestamp(), updated_by = ${ctx.caller.userId}
       where workspace_id = ${input.workspaceId}`
    await changed(ctx, input.workspaceId, `connected to the OpenID Connect provider ${issuer} (client ${input.clientId})`)
    return view(ctx, input.workspaceId, slug)
  },

  'sso.saml.connect': async (ctx, input) => {
    const slug = await asOwner(ctx, input.workspaceId)
    const { services } = ctx
    if (Boolean(input.metadataXml) === Boolean(input.metadataUrl)) {
      throw new OCommsError('invalid_input', 'Give the identity provider\'s metadata either as XML (metadataXml) or as a URL (metadataUrl), one of them.')
    }
    const url = input.metadataUrl ? idpUrl(services.config, input.metadataUrl, 'The metadata URL') : null
    const xml = url ? await fetchIdpDocument(url, 'the identity provider\'s metadata') : input.metadataXml!
    const idp = parseIdpMetadata(xml)
    await ensureRow(services.sql, input.workspaceId)
    await services.sql`
      update workspace_sso
         set protocol = 'saml', display_name = ${input.name ?? ''},
             saml_idp_entity_id = ${idp.entityId}, saml_sso_url = ${idp.ssoUrl}, saml_sso_binding = ${idp.binding},
             saml_idp_certs = ${idp.certs}, saml_metadata_url = ${url?.href ?? null}, saml_emails_verified = ${input.emailsVerified ?? false},
             oidc_issuer = null, oidc_client_id = null, oidc_client_secret = null,
             updated_at = clock_timestamp(), updated_by = ${ctx.caller.userId}
       where workspace_id = ${input.workspaceId}`
    await changed(ctx, input.workspaceId, `connected to the SAML identity provider ${idp.entityId}${input.emailsVerified ? ' (its emails trusted as verified)' : ''}`)
    return view(ctx, input.workspaceId, slug)
  },

  'sso.settings.update': async (ctx, input) => {
    const slug = await asOwner(ctx, input.workspaceId)
    const { sql } = ctx.services
    await ensureRow(sql, input.workspaceId)
    const row = await loadSso(sql, input.workspaceId)
    if (input.requireSso && !row?.protocol) {
      throw new OCommsError('conflict', 'Connect an identity provider first: "require SSO" without one would leave only the owners able to sign in.')
    }
    await sql`
      update workspace_sso
         set allowed_domains = ${input.allowedDomains ?? row!.allowed_domains},
             default_role = ${input.defaultRole ?? row!.default_role},
             require_sso = ${input.requireSso ?? row!.require_sso},
             updated_at = clock_timestamp(), updated_by = ${ctx.caller.userId}
       where workspace_id = ${input.workspaceId}`
    const what = Object.entries({ allowedDomains: input.allowedDomains, defaultRole: input.defaultRole, requireSso: input.requireSso })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')
    await changed(ctx, input.workspaceId, `settings ${what || 'unchanged'}`)
    return view(ctx, input.workspaceId, slug)
  },

  'sso.disconnect': async (ctx, input) => {
    const slug = await asOwner(ctx, input.workspaceId)
    const rows = await ctx.services.sql`
      update workspace_sso
         set protocol = null, display_name = '', require_sso = false,
             oidc_issuer = null, oidc_client_id = null, oidc_client_secret = null,
             saml_idp_entity_id = null, saml_sso_url = null, saml_sso_binding = null, saml_idp_certs = null,
             saml_metadata_url = null, saml_emails_verified = false,
             updated_at = clock_timestamp(), updated_by = ${ctx.caller.userId}
       where workspace_id = ${input.workspaceId} and protocol is not null
      returning 1`
    if (rows.length > 0) await changed(ctx, input.workspaceId, 'disconnected the identity provider')
    return view(ctx, input.workspaceId, slug)
  },

  'sso.scimToken.create': async (ctx, input) => {
    await asOwner(ctx, input.workspaceId)
    const name = input.name.trim()
    if (!name) throw new OCommsError('invalid_input', 'Give the token a name that says what it is for, e.g. "Okta".')
    const token = SCIM_TOKEN_PREFIX + newToken()
    const [row] = await ctx.services.sql<{ id: string; created_at: Date }[]>`
      insert into scim_tokens (workspace_id, name, token_hash, created_by)
      values (${input.workspaceId}, ${name}, ${hashToken(token)}, ${ctx.caller.userId})
      returning id, created_at`
    await changed(ctx, input.workspaceId, `created the SCIM token "${name}" (${row!.id})`)
    return {
      id: row!.id,
      name,
      createdAt: row!.created_at.toISOString(),
      createdBy: ctx.caller.userId,
      lastUsedAt: null,
      token,
      scimUrl: serviceProvider(ctx.services.config, input.workspaceId).scimUrl,
    }
  },

  'sso.scimToken.list': async (ctx, input) => {
    await asOwner(ctx, input.workspaceId)
    const rows = await ctx.services.sql<{ id: string; name: string; created_at: Date; created_by: string | null; last_used_at: Date | null }[]>`
      select id, name, created_at, created_by, last_used_at from scim_tokens
       where workspace_id = ${input.workspaceId} and revoked_at is null order by created_at`
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at.toISOString(),
      createdBy: r.created_by,
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
    }))
  },

  'sso.scimToken.revoke': async (ctx, input) => {
    await asOwner(ctx, input.workspaceId)
    const rows = await ctx.services.sql`
      update scim_tokens set revoked_at = now()
       where id = ${input.tokenId} and workspace_id = ${input.workspaceId} and revoked_at is null
      returning id`
    if (rows.length === 0) throw new OCommsError('not_found', 'No such SCIM token (or it was already revoked).')
    await changed(ctx, input.workspaceId, `revoked the SCIM token ${input.tokenId}`)
    return { ok: true as const }
  },

  'sso.discover': async (ctx, input) => {
    const sso = /^[a-z0-9][a-z0-9-]{0,39}$/.test(input.workspace.toLowerCase())
      ? await connectedSso(ctx.services.sql, { slug: input.workspace.toLowerCase() })
      : null
    if (!sso) return { sso: false, protocol: null, name: null, startUrl: null }
    return { sso: true, protocol: sso.protocol, name: providerName(sso), startUrl: startUrl(ctx.services.config, sso.slug) }
  },

  'sso.exchange': async (ctx, input) => exchangeCode(ctx.services, input, { ip: ctx.ip, userAgent: ctx.userAgent }),
}
