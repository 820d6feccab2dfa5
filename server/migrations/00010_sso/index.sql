-- Version 10: single sign-on (OpenID Connect, SAML 2.0) and SCIM 2.0 provisioning. See docs/sso.md.
-- It may be applied again over a database that has it (a number recorded late is applied, not
-- skipped), so every statement is `if not exists`.

-- A workspace's identity provider and its sign-in rules. A row without a protocol holds the rules
-- only (an owner may set them before connecting).
create table if not exists workspace_sso (
  workspace_id uuid primary key references workspaces (id) on delete cascade,
  protocol text check (protocol in ('oidc', 'saml')),
  display_name text not null default '',
  oidc_issuer text,
  oidc_client_id text,
  -- AES-256-GCM under the server's secret key (server/src/sso/secrets.ts); never returned
  oidc_client_secret bytea,
  saml_idp_entity_id text,
  saml_sso_url text,
  saml_sso_binding text check (saml_sso_binding in ('redirect', 'post')),
  -- the identity provider's signing certificates, base64 DER
  saml_idp_certs text[],
  saml_metadata_url text,
  saml_emails_verified boolean not null default false,
  allowed_domains text[] not null default '{}',
  default_role text not null default 'member' check (default_role in ('member', 'admin')),
  require_sso boolean not null default false,
  updated_at timestamptz not null default now(),
  updated_by uuid references users (id) on delete set null,
  check (protocol is not null or not require_sso),
  check (protocol is distinct from 'oidc' or (oidc_issuer is not null and oidc_client_id is not null)),
  check (protocol is distinct from 'saml' or (saml_idp_entity_id is not null and saml_sso_url is not null and saml_idp_certs is not null))
);

-- Who a person is at a workspace's identity provider (OIDC iss + sub, SAML issuer + NameID).
create table if not exists sso_identities (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  issuer text not null,
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_sign_in_at timestamptz not null default now(),
  primary key (workspace_id, issuer, subject)
);
create index if not exists sso_identities_user on sso_identities (user_id);

-- Accounts that a workspace's identity provider created (just in time or through SCIM): that
-- workspace's SCIM may rename them, and deprovisioning there ends all their sessions.
create table if not exists sso_provisioned_users (
  user_id uuid primary key references users (id) on delete cascade,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  created_at timestamptz not null default now()
);

-- A sign-in in progress, between the start and the identity provider's answer. Single use.
create table if not exists sso_flows (
  -- SHA-256 of the state (OIDC) or RelayState (SAML) sent to the identity provider
  state_hash bytea primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  protocol text not null check (protocol in ('oidc', 'saml')),
  -- where the sign-in code goes: a loopback address (ocomms login --sso) or this server's own URL
  return_to text not null,
  -- the starter's PKCE challenge (S256): only they can exchange the sign-in code
  code_challenge text not null,
  client_state text,
  oidc_code_verifier text,
  oidc_nonce text,
  saml_request_id text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index if not exists sso_flows_expiry on sso_flows (expires_at);

-- The result of a sign-in, delivered to the return address; exchanged once for a session.
create table if not exists sso_sign_in_codes (
  code_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  code_challenge text not null,
  expires_at timestamptz not null
);
create index if not exists sso_sign_in_codes_expiry on sso_sign_in_codes (expires_at);

-- SAML assertions already used, kept until they expire, so a replayed one is refused.
create table if not exists sso_saml_assertions (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  assertion_id text not null,
  expires_at timestamptz not null,
  primary key (workspace_id, assertion_id)
);
create index if not exists sso_saml_assertions_expiry on sso_saml_assertions (expires_at);

-- SCIM bearer tokens (SHA-256 only; the token is shown once).
create table if not exists scim_tokens (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  token_hash bytea not null unique,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index if not exists scim_tokens_workspace on scim_tokens (workspace_id) where revoked_at is null;

-- What the identity provider calls a member through SCIM.
create table if not exists scim_users (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  user_name text not null,
  external_id text,
  given_name text,
  family_name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create unique index if not exists scim_users_user_name on scim_users (workspace_id, lower(user_name));
create index if not exists scim_users_external_id on scim_users (workspace_id, external_id) where external_id is not null;
