import { readFileSync } from 'node:fs'
import { Argument, Option, type Command } from 'commander'
import type { SsoConfig } from '@ocomms/shared'
import { passwordFromStdin, UsageError } from '../context.js'
import { table, when } from '../format.js'
import { action } from './action.js'

function configText(c: SsoConfig): string {
  const lines: string[] = []
  const conn = c.connection
  if (!conn) lines.push('Identity provider: none connected (ocomms sso oidc ... or ocomms sso saml ...)')
  else if (conn.oidc) {
    lines.push(`Identity provider: ${conn.name} (OpenID Connect)`)
    lines.push(`  issuer:         ${conn.oidc.issuer}`)
    lines.push(`  client id:      ${conn.oidc.clientId}`)
    lines.push(`  client secret:  ${conn.oidc.clientSecretSet ? 'set (never shown)' : 'none (public client)'}`)
  } else if (conn.saml) {
    lines.push(`Identity provider: ${conn.name} (SAML 2.0)`)
    lines.push(`  entity id:      ${conn.saml.idpEntityId}`)
    lines.push(`  sign-in URL:    ${conn.saml.ssoUrl} (${conn.saml.binding})`)
    for (const cert of conn.saml.certificates) lines.push(`  certificate:    ${cert.sha256} (until ${cert.notAfter.slice(0, 10)})`)
    lines.push(`  emails trusted as verified: ${conn.saml.emailsVerified ? 'yes' : 'no'}`)
  }
  const s = c.settings
  lines.push('', 'Rules:')
  lines.push(`  allowed email domains: ${s.allowedDomains.length > 0 ? s.allowedDomains.join(', ') : 'any'}`)
  lines.push(`  role of new people:    ${s.defaultRole}`)
  lines.push(`  require SSO:           ${s.requireSso ? 'yes (members cannot use passwords or magic links; owners can)' : 'no'}`)
  const sp = c.serviceProvider
  lines.push('', 'For the identity provider:')
  lines.push(`  OIDC redirect URI:     ${sp.oidcRedirectUrl}`)
  lines.push(`  SAML entity id:        ${sp.samlEntityId}`)
  lines.push(`  SAML ACS URL:          ${sp.samlAcsUrl}`)
  lines.push(`  SAML metadata:         ${sp.samlMetadataUrl} (or: ocomms sso metadata)`)
  lines.push(`  SCIM base URL:         ${sp.scimUrl}`)
  lines.push('', `Sign in: ${c.signIn.command}`)
  return lines.join('\n')
}

function shown(cli: { out(data: unknown, human?: () => string): void; say(t: string): void }, config: SsoConfig, said?: string) {
  if (said) cli.say(said)
  cli.out(config, () => configText(config))
}

export function registerSso(program: Command): void {
  const sso = program
    .command('sso')
    .summary('single sign-on: connect an identity provider, SCIM tokens (owners)')
    .description(
      'Single sign-on for the current workspace (owners only): connect it to an OpenID Connect or SAML 2.0 identity provider, ' +
        'show the values to give the identity provider, set who may sign in, and manage SCIM provisioning tokens. See docs/sso.md.',
    )

  sso
    .command('show')
    .description('The connection, the sign-in rules, and the values to paste into the identity provider (redirect URI, entity id, ACS URL).')
    .action(
      action(async (cli) => {
        shown(cli, await cli.call('sso.get', {}))
      }),
    )

  sso
    .command('metadata')
    .description('Print this workspace\'s SAML service provider metadata (XML), to upload to the identity provider.')
    .action(
      action(async (cli) => {
        const config = await cli.call('sso.get', {})
        cli.out({ metadata: config.serviceProvider.samlMetadata, url: config.serviceProvider.samlMetadataUrl }, () => config.serviceProvider.samlMetadata)
      }),
    )

  sso
    .command('oidc')
    .description(
      'Connect the workspace to an OpenID Connect provider. Register the redirect URI from `ocomms sso show` there first; ' +
        'the rest of the provider\'s configuration is discovered from the issuer. Replaces any earlier connection.',
    )
    .requiredOption('--issuer <url>', 'the issuer URL, e.g. https://keycloak.example.com/realms/acme')
    .requiredOption('--client-id <id>', 'the client id registered at the provider')
    .option('--client-secret-stdin', 'read the client secret from the first line of stdin (kept encrypted, never shown again)')
    .option('--name <name>', 'what the sign-in button says: "Sign in with NAME"')
    .addHelpText('after', '\nExample:\n  printf %s "$SECRET" | ocomms sso oidc --issuer https://idp.example.com/realms/acme --client-id ocomms --client-secret-stdin --name Keycloak')
    .action(
      action(async (cli, opts: { issuer: string; clientId: string; clientSecretStdin?: boolean; name?: string }) => {
        const config = await cli.call('sso.oidc.connect', {
          issuer: opts.issuer,
          clientId: opts.clientId,
          ...(opts.clientSecretStdin ? { clientSecret: passwordFromStdin() } : {}),
          ...(opts.name ? { name: opts.name } : {}),
        })
        shown(cli, config, `Connected to ${config.connection?.oidc?.issuer}. Members sign in with: ${config.signIn.command}`)
      }),
    )

  sso
    .command('saml')
    .description(
      'Connect the workspace to a SAML 2.0 identity provider from its metadata. Give the identity provider the entity id, ' +
        'ACS URL or metadata from `ocomms sso show` first. Replaces any earlier connection.',
    )
    .option('--metadata-url <url>', 'where the identity provider publishes its metadata (read once, now)')
    .option('--metadata-file <path>', 'the identity provider\'s metadata XML in a file ("-" reads stdin)')
    .option('--name <name>', 'what the sign-in button says: "Sign in with NAME"')
    .option('--emails-verified', 'trust the email addresses this identity provider asserts as verified: links existing accounts by email')
    .action(
      action(async (cli, opts: { metadataUrl?: string; metadataFile?: string; name?: string; emailsVerified?: boolean }) => {
        if (Boolean(opts.metadataUrl) === Boolean(opts.metadataFile)) throw new UsageError('sso saml needs exactly one of --metadata-url URL or --metadata-file PATH.')
        let xml: string | undefined
        if (opts.metadataFile) {
          try {
            xml = readFileSync(opts.metadataFile === '-' ? 0 : opts.metadataFile, 'utf8')
          } catch (err) {
            throw new UsageError(`Cannot read ${opts.metadataFile}: ${(err as Error).message}`)
          }
        }
        const config = await cli.call('sso.saml.connect', {
          ...(xml !== undefined ? { metadataXml: xml } : { metadataUrl: opts.metadataUrl! }),
          ...(opts.name ? { name: opts.name } : {}),
          emailsVerified: Boolean(opts.emailsVerified),
        })
        shown(cli, config, `Connected to ${config.connection?.saml?.idpEntityId}. Members sign in with: ${config.signIn.command}`)
      }),
    )

  sso
    .command('settings')
    .description('Change who may sign in through the identity provider, the role new people get, and whether members must use it.')
    .option('--allowed-domains <list>', 'comma-separated email domains allowed in (e.g. example.com,example.org); "any" lets everyone in')
    .addOption(new Option('--default-role <role>', 'the role people get when their first sign-in makes them members').choices(['member', 'admin']))
    .option('--require-sso', 'members must sign in through the identity provider (passwords and magic links off; owners keep them)')
    .option('--no-require-sso', 'members may use passwords and magic links again')
    .action(
      action(async (cli, opts: { allowedDomains?: string; defaultRole?: 'member' | 'admin'; requireSso?: boolean }) => {
        const domains =
          opts.allowedDomains === undefined
            ? undefined
            : opts.allowedDomains.trim().toLowerCase() === 'any'
              ? []
              : [...new Set(opts.allowedDomains.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean))]
        if (domains === undefined && opts.defaultRole === undefined && opts.requireSso === undefined) {
          throw new UsageError('Nothing to change: give --allowed-domains, --default-role, --require-sso or --no-require-sso.')
        }
        const config = await cli.call('sso.settings.update', {
          ...(domains ? { allowedDomains: domains } : {}),
          ...(opts.defaultRole ? { defaultRole: opts.defaultRole } : {}),
          ...(opts.requireSso !== undefined ? { requireSso: opts.requireSso } : {}),
        })
        shown(cli, config, 'Saved.')
      }),
    )

  sso
    .command('disconnect')
    .description('Disconnect the identity provider. "Require SSO" turns off with it; accounts and memberships stay.')
    .action(
      action(async (cli) => {
        shown(cli, await cli.call('sso.disconnect', {}), 'Disconnected.')
      }),
    )

  const scim = sso.command('scim-token').summary('SCIM provisioning tokens').description('Bearer tokens for an identity provider\'s SCIM 2.0 provisioning of this workspace.')
  scim
    .command('create')
    .argument('<name>', 'what the token is for, e.g. Okta')
    .description('Create a token. It is printed once: paste it with the SCIM base URL into the identity provider.')
    .action(
      action(async (cli, name: string) => {
        const t = await cli.call('sso.scimToken.create', { name })
        cli.say(`SCIM base URL: ${t.scimUrl}\nThe token below is shown once; the server keeps only its hash.`)
        cli.out(t, () => t.token)
      }),
    )
  scim
    .command('list')
    .description('The tokens still valid (names and use, never the tokens).')
    .action(
      action(async (cli) => {
        const list = await cli.call('sso.scimToken.list', {})
        cli.out(list, () =>
          list.length === 0 ? 'No SCIM tokens.' : table(['ID', 'NAME', 'CREATED', 'LAST USED'], list.map((t) => [t.id, t.name, when(t.createdAt), t.lastUsedAt ? when(t.lastUsedAt) : 'never'])),
        )
      }),
    )
  scim
    .command('revoke')
    .addArgument(new Argument('<id>', 'the token id (see scim-token list)'))
    .description('Revoke a token: the identity provider using it is refused from now on.')
    .action(
      action(async (cli, id: string) => {
        const out = await cli.call('sso.scimToken.revoke', { tokenId: id })
        cli.say('Revoked.')
        cli.out(out)
      }),
    )
}
