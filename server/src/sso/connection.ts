import { generateServiceProviderMetadata } from '@node-saml/node-saml'
import type { Role, SsoConfig } from '@ocomms/shared'
import type { Sql, TxSql } from '../db/connect.js'
import type { ServerConfig } from '../config.js'
import { describeCert } from './idp-metadata.js'

type AnySql = Sql | TxSql

/** A workspace's single sign-on row (server/migrations/00010_sso). */
export interface SsoRow {
  workspace_id: string
  protocol: 'oidc' | 'saml' | null
  display_name: string
  oidc_issuer: string | null
  oidc_client_id: string | null
  oidc_client_secret: Buffer | null
  saml_idp_entity_id: string | null
  saml_sso_url: string | null
  saml_sso_binding: 'redirect' | 'post' | null
  saml_idp_certs: string[] | null
  saml_metadata_url: string | null
  saml_emails_verified: boolean
  allowed_domains: string[]
  default_role: Exclude<Role, 'owner'>
  require_sso: boolean
  updated_at: Date
}

/** A workspace that signs in through an identity provider, with its slug and name. */
export type ConnectedSso = SsoRow & { protocol: 'oidc' | 'saml'; slug: string; workspace_name: string }

export async function loadSso(sql: AnySql, workspaceId: string): Promise<SsoRow | null> {
  const [row] = await sql<SsoRow[]>`select * from workspace_sso where workspace_id = ${workspaceId}`
  return row ?? null
}

/** The connected identity provider of a workspace, by id or slug; null when it has none. */
export async function connectedSso(sql: AnySql, by: { id: string } | { slug: string }): Promise<ConnectedSso | null> {
  const where = 'id' in by ? sql`w.id = ${by.id}` : sql`w.slug = ${by.slug}`
  const [row] = await sql<ConnectedSso[]>`
    select s.*, w.slug, w.name as workspace_name
      from workspaces w join workspace_sso s on s.workspace_id = w.id
     where ${where} and s.protocol is not null`
  return row ?? null
}

/** The name on the sign-in button. */
export function providerName(row: Pick<SsoRow, 'display_name' | 'protocol'>): string {
  return row.display_name || (row.protocol === 'saml' ? 'SAML single sign-on' : 'OpenID Connect')
}

/** This server's addresses for one workspace, as identity providers must know them. They never change. */
export function serviceProvider(config: Pick<ServerConfig, 'publicUrl'>, workspaceId: string) {
  const base = config.publicUrl
  return {
    oidcRedirectUrl: `${base}/sso/oidc/${workspaceId}/callback`,
    samlEntityId: `${base}/sso/saml/${workspaceId}`,
    samlAcsUrl: `${base}/sso/saml/${workspaceId}/acs`,
    samlMetadataUrl: `${base}/sso/saml/${workspaceId}/metadata`,
    scimUrl: `${base}/scim/v2`,
  }
}

/** The SAML service provider metadata of a workspace (unsigned; requests are not signed either). */
export function spMetadata(config: Pick<ServerConfig, 'publicUrl'>, workspaceId: string): string {
  const sp = serviceProvider(config, workspaceId)
  return generateServiceProviderMetadata({
    issuer: sp.samlEntityId,
    callbackUrl: sp.samlAcsUrl,
    identifierFormat: null,
    wantAssertionsSigned: true,
    // The same document every time (it is pasted into identity providers and compared).
    generateUniqueId: () => `_${workspaceId}`,
  })
}

export function startUrl(config: Pick<ServerConfig, 'publicUrl'>, slug: string): string {
  return `${config.publicUrl}/sso/start?workspace=${encodeURIComponent(slug)}`
}

/** What sso.get and every change answer. Secrets are never part of it. */
export function ssoView(config: ServerConfig, workspaceId: string, slug: string, row: SsoRow | null): SsoConfig {
  const sp = serviceProvider(config, workspaceId)
  const connection: SsoConfig['connection'] =
    row?.protocol
      ? {
          protocol: row.protocol,
          name: providerName(row),
          oidc:
            row.protocol === 'oidc'
              ? { issuer: row.oidc_issuer!, clientId: row.oidc_client_id!, clientSecretSet: row.oidc_client_secret !== null }
              : null,
          saml:
            row.protocol === 'saml'
              ? {
                  idpEntityId: row.saml_idp_entity_id!,
                  ssoUrl: row.saml_sso_url!,
                  binding: row.saml_sso_binding ?? 'redirect',
                  metadataUrl: row.saml_metadata_url,
                  certificates: (row.saml_idp_certs ?? []).map(describeCert),
                  emailsVerified: row.saml_emails_verified,
                }
              : null,
          updatedAt: row.updated_at.toISOString(),
        }
      : null
  return {
    workspaceId,
    connection,
    settings: {
      allowedDomains: row?.allowed_domains ?? [],
      defaultRole: row?.default_role ?? 'member',
      requireSso: row?.require_sso ?? false,
    },
    serviceProvider: {
      oidcRedirectUrl: sp.oidcRedirectUrl,
      samlEntityId: sp.samlEntityId,
      samlAcsUrl: sp.samlAcsUrl,
      samlMetadataUrl: sp.samlMetadataUrl,
      samlMetadata: spMetadata(config, workspaceId),
      scimUrl: sp.scimUrl,
    },
    signIn: {
      url: startUrl(config, slug),
      command: `ocomms login --sso --server ${config.publicUrl} --workspace ${slug}`,
    },
  }
}
