import { Type, type Static } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Nullable, Ok, Timestamp, User } from '../schemas.js'

/**
 * Single sign-on: a workspace's connection to its identity provider (OpenID Connect or SAML 2.0),
 * its sign-in rules and its SCIM provisioning tokens. Only the workspace's owners read or change
 * any of it. The browser legs of a sign-in (to the identity provider and back) are plain HTTP
 * routes under /sso/ (server/src/sso/http.ts); every sign-in ends with a short-lived, single-use
 * sign-in code that `sso.exchange` turns into a session. See docs/sso.md.
 */

const WorkspaceScoped = { workspaceId: Id }

export const SsoProtocol = Type.Union([Type.Literal('oidc'), Type.Literal('saml')])

/** A role people get when their first single sign-on makes them members. Owners are only made by owners. */
export const SsoDefaultRole = Type.Union([Type.Literal('member'), Type.Literal('admin')])

const ProviderName = Type.String({
  minLength: 1,
  maxLength: 60,
  description: 'What the sign-in button says: "Sign in with <name>" (e.g. Okta, Keycloak).',
})

/** An email domain people may come from: lowercase, no @ (example.com, eu.example.com). */
export const EmailDomain = Type.String({
  pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
  description: 'An email domain such as example.com (lowercase, without @).',
})

export const SsoCertificate = Type.Object({
  sha256: Type.String({ description: 'SHA-256 fingerprint of the certificate, hex pairs separated by colons.' }),
  subject: Type.String(),
  notAfter: Timestamp,
})

export const SsoConnection = Type.Object({
  protocol: SsoProtocol,
  name: Type.String(),
  oidc: Nullable(
    Type.Object({
      issuer: Type.String(),
      clientId: Type.String(),
      clientSecretSet: Type.Boolean({ description: 'Whether a client secret is stored. The secret itself is never shown again.' }),
    }),
  ),
  saml: Nullable(
    Type.Object({
      idpEntityId: Type.String(),
      ssoUrl: Type.String({ description: 'Where sign-in requests go (the identity provider\'s single sign-on service).' }),
      binding: Type.Union([Type.Literal('redirect'), Type.Literal('post')]),
      metadataUrl: Nullable(Type.String()),
      certificates: Type.Array(SsoCertificate),
      emailsVerified: Type.Boolean({
        description: 'The owner vouches that this identity provider only asserts email addresses it has verified, so existing accounts may be linked by email.',
      }),
    }),
  ),
  updatedAt: Timestamp,
})

export const SsoSettings = Type.Object({
  allowedDomains: Type.Array(EmailDomain, {
    description: 'When not empty, only people whose email is in one of these domains may sign in through the identity provider.',
  }),
  defaultRole: SsoDefaultRole,
  requireSso: Type.Boolean({
    description: 'Members (not owners) must sign in through the identity provider: password and magic-link sign-in are off for them.',
  }),
})

export const SsoConfig = Type.Object({
  workspaceId: Id,
  connection: Nullable(SsoConnection),
  settings: SsoSettings,
  serviceProvider: Type.Object(
    {
      oidcRedirectUrl: Type.String({ description: 'The redirect URI to register at an OpenID Connect provider.' }),
      samlEntityId: Type.String({ description: 'The SAML service provider entity id (audience).' }),
      samlAcsUrl: Type.String({ description: 'The SAML assertion consumer service URL (HTTP-POST).' }),
      samlMetadataUrl: Type.String({ description: 'Where the identity provider can read this service provider\'s metadata.' }),
      samlMetadata: Type.String({ description: 'The SAML service provider metadata document (XML).' }),
      scimUrl: Type.String({ description: 'The SCIM 2.0 base URL for provisioning (bearer token from sso.scimToken.create).' }),
    },
    { description: 'The values to paste into the identity provider. They do not change.' },
  ),
  signIn: Type.Object({
    url: Type.String({ description: 'A browser sign-in starts here (the web app adds its return address and PKCE challenge).' }),
    command: Type.String({ description: 'The terminal sign-in command for this workspace.' }),
  }),
})
export type SsoConfig = Static<typeof SsoConfig>

export const ScimToken = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: Timestamp,
  createdBy: Nullable(Id),
  lastUsedAt: Nullable(Timestamp),
})

export const getSso = defineOperation({
  name: 'sso.get',
  summary: 'The workspace\'s single sign-on: the connection, the sign-in rules, and the values to give the identity provider (owners).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/sso' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: SsoConfig,
})

export const connectOidc = defineOperation({
  name: 'sso.oidc.connect',
  summary:
    'Connect the workspace to an OpenID Connect provider (issuer URL, client id and secret; the rest is discovered). ' +
    'Replaces any earlier connection. Owners only.',
  http: { method: 'PUT', path: '/api/workspaces/:workspaceId/sso/oidc' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      issuer: Type.String({ minLength: 8, maxLength: 500, description: 'The issuer URL, e.g. https://idp.example.com/realms/acme.' }),
      clientId: Type.String({ minLength: 1, maxLength: 300 }),
      clientSecret: Type.Optional(
        Type.String({ minLength: 1, maxLength: 1000, description: 'Kept encrypted; never shown again. Leave out for a public client.' }),
      ),
      name: Type.Optional(ProviderName),
    },
    { additionalProperties: false },
  ),
  output: SsoConfig,
})

export const connectSaml = defineOperation({
  name: 'sso.saml.connect',
  summary:
    'Connect the workspace to a SAML 2.0 identity provider from its metadata (the XML, or a URL to read it from). ' +
    'Replaces any earlier connection. Owners only.',
  http: { method: 'PUT', path: '/api/workspaces/:workspaceId/sso/saml' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      metadataXml: Type.Optional(Type.String({ minLength: 1, maxLength: 500_000 })),
      metadataUrl: Type.Optional(Type.String({ minLength: 8, maxLength: 1000 })),
      name: Type.Optional(ProviderName),
      emailsVerified: Type.Optional(
        Type.Boolean({ description: 'Trust the email addresses this identity provider asserts as verified (links existing accounts). Default false.' }),
      ),
    },
    { additionalProperties: false },
  ),
  output: SsoConfig,
})

export const updateSsoSettings = defineOperation({
  name: 'sso.settings.update',
  summary: 'Change who may sign in through the identity provider, the role new people get, and whether members must. Owners only.',
  http: { method: 'PATCH', path: '/api/workspaces/:workspaceId/sso/settings' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      allowedDomains: Type.Optional(Type.Array(EmailDomain, { maxItems: 50, uniqueItems: true })),
      defaultRole: Type.Optional(SsoDefaultRole),
      requireSso: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: SsoConfig,
})

export const disconnectSso = defineOperation({
  name: 'sso.disconnect',
  summary: 'Disconnect the identity provider; "require SSO" turns off with it. Accounts and memberships stay. Owners only.',
  http: { method: 'DELETE', path: '/api/workspaces/:workspaceId/sso' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: SsoConfig,
})

export const createScimToken = defineOperation({
  name: 'sso.scimToken.create',
  summary: 'Create a SCIM 2.0 bearer token for the identity provider to provision people. Shown once. Owners only.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/sso/scim-tokens' },
  auth: 'session',
  input: Type.Object(
    { ...WorkspaceScoped, name: Type.String({ minLength: 1, maxLength: 80, description: 'What the token is for, e.g. "Okta".' }) },
    { additionalProperties: false },
  ),
  output: Type.Object({
    ...ScimToken.properties,
    token: Type.String({ description: 'The bearer token. Shown once; the server keeps only its hash.' }),
    scimUrl: Type.String(),
  }),
})

export const listScimTokens = defineOperation({
  name: 'sso.scimToken.list',
  summary: 'The workspace\'s SCIM tokens that are still valid (without the tokens themselves). Owners only.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/sso/scim-tokens' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: Type.Array(ScimToken),
})

export const revokeScimToken = defineOperation({
  name: 'sso.scimToken.revoke',
  summary: 'Revoke a SCIM token: the identity provider using it is refused from now on. Owners only.',
  http: { method: 'DELETE', path: '/api/workspaces/:workspaceId/sso/scim-tokens/:tokenId' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, tokenId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const discoverSso = defineOperation({
  name: 'sso.discover',
  summary:
    'Whether a workspace (by its slug) signs in through an identity provider, and which: for a "Sign in with ..." button. ' +
    'A workspace that does not exist answers like one without single sign-on.',
  http: { method: 'GET', path: '/api/sso/discover' },
  auth: 'public',
  input: Type.Object({ workspace: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
  output: Type.Object({
    sso: Type.Boolean(),
    protocol: Nullable(SsoProtocol),
    name: Nullable(Type.String()),
    startUrl: Nullable(Type.String({ description: 'Where a browser sign-in starts (add return_to, code_challenge, code_challenge_method=S256, state).' })),
  }),
})

export const exchangeSsoCode = defineOperation({
  name: 'sso.exchange',
  summary:
    'Exchange the sign-in code that a single sign-on redirect delivered, with the PKCE code verifier of the one who started it, ' +
    'for a session. Each code works once, within two minutes.',
  http: { method: 'POST', path: '/api/sso/exchange' },
  auth: 'public',
  input: Type.Object(
    {
      code: Type.String({ minLength: 20, maxLength: 200 }),
      codeVerifier: Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9._~-]+$', description: 'RFC 7636 code verifier.' }),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    token: Type.String({ description: 'Bearer token for the new session. Shown once; the server keeps only its hash.' }),
    sessionId: Id,
    user: User,
    workspaceId: Id,
  }),
})
