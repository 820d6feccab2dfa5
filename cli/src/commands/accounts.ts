import { Argument, Option, type Command } from 'commander'
import type { ProfileInfo } from '@ocomms/shared'
import { inviteCode } from '@ocomms/shared/core'
import type { Static } from '@sinclair/typebox'
import { handleArg, passwordFromStdin, positiveInt, UsageError, type Cli } from '../context.js'
import { memberDetails, table, when } from '../format.js'
import { action } from './action.js'

type Info = Static<typeof ProfileInfo>

function infoText(info: Info): string {
  const ws = info.workspace
  return [
    `@${info.user.handle}  ${info.user.name}  <${info.user.email}>`,
    `server:     ${info.server}`,
    `workspace:  ${ws ? `${ws.name} (${ws.slug}, ${ws.role})` : 'none yet: ocomms workspace create NAME'}`,
    `connection: ${info.connection}`,
    `profile:    ${info.profile}`,
  ].join('\n')
}

function signedIn(cli: Cli, info: Info, verb: string): void {
  cli.say(`${verb} as @${info.user.handle} on ${info.server}${info.workspace ? `, workspace ${info.workspace.name} (${info.workspace.slug})` : ''}.`)
  cli.out(info)
}

export function registerAccounts(program: Command): void {
  program
    .command('signup')
    .summary('create an account, create or join a workspace, and sign in')
    .description(
      'Create an account on a server and sign this profile in. Either create a new workspace (you become its owner) ' +
        'or join one with an invite code or link from `ocomms invite`.',
    )
    .requiredOption('--server <url>', 'server address, e.g. http://chat.example.com:7080')
    .requiredOption('--email <email>', 'your email address')
    .requiredOption('--name <name>', 'your display name')
    .requiredOption('--handle <handle>', 'your @handle: lowercase letters, digits, ".", "_", "-"')
    .option('--password-stdin', 'read the password (at least 8 characters) from the first line of stdin')
    .option('--create-workspace <name>', 'create a workspace with this name')
    .option('--invite <code>', 'join the workspace of this invite code or link')
    .addHelpText('after', '\nExample:\n  printf %s "$PASSWORD" | ocomms signup --server http://localhost:7080 --email ada@example.com \\\n      --name "Ada Lovelace" --handle ada --password-stdin --create-workspace "Acme"')
    .action(
      action(async (cli, opts: { server: string; email: string; name: string; handle: string; passwordStdin?: boolean; createWorkspace?: string; invite?: string }) => {
        if (!opts.passwordStdin) throw new UsageError('signup needs --password-stdin (pipe the password in, so it stays out of your shell history).')
        if (Boolean(opts.createWorkspace) === Boolean(opts.invite)) throw new UsageError('signup needs exactly one of --create-workspace NAME or --invite CODE.')
        const info = await cli.rpc('profile.signup', {
          server: opts.server,
          email: opts.email,
          name: opts.name,
          handle: handleArg(opts.handle),
          password: passwordFromStdin(),
          ...(opts.createWorkspace ? { createWorkspace: opts.createWorkspace } : {}),
          ...(opts.invite ? { invite: opts.invite } : {}),
        })
        signedIn(cli, info, 'Signed up')
      }),
    )

  program
    .command('login')
    .summary('sign in with a password, a magic link or single sign-on')
    .description(
      'Sign this profile in. With a password: --server, --email and --password-stdin. With a magic link: ' +
        '`--server URL --email E --magic-link` mails you a link, then `ocomms login --link URL_OR_TOKEN` signs in with it. ' +
        'With single sign-on: `--sso --server URL --workspace SLUG` opens your browser at your organisation\'s identity provider ' +
        '(or prints the address to open) and receives the session on a loopback address of this machine.',
    )
    .option('--server <url>', 'server address, e.g. http://chat.example.com:7080')
    .option('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--magic-link', 'email me a sign-in link instead')
    .option('--link <url-or-token>', 'sign in with the link (or its token) from the email')
    .option('--sso', 'sign in through the workspace\'s identity provider (single sign-on) in a browser')
    .option('--workspace <slug>', 'with --sso: the workspace to sign in to')
    .option('--no-browser', 'with --sso: print the address to open instead of opening a browser')
    .option('--timeout <minutes>', 'with --sso: how long to wait for the browser (default 5)', positiveInt('--timeout'))
    .addHelpText('after', '\nExamples:\n  ocomms login --server http://localhost:7080 --email ada@example.com --password-stdin < pw.txt\n  ocomms login --server http://localhost:7080 --email ada@example.com --magic-link\n  ocomms login --link \'http://localhost:7080/magic-link#token=...\'\n  ocomms login --sso --server https://chat.example.com --workspace acme')
    .action(
      action(async (cli, opts: { server?: string; email?: string; passwordStdin?: boolean; magicLink?: boolean; link?: string; sso?: boolean; workspace?: string; browser: boolean; timeout?: number }) => {
        if (opts.sso) {
          if (!opts.server || !opts.workspace) throw new UsageError('login --sso needs --server URL and --workspace SLUG.')
          const { receiveSsoCode } = await import('../sso-login.js')
          const got = await receiveSsoCode({
            server: opts.server,
            workspace: opts.workspace,
            openBrowser: opts.browser,
            timeoutMs: (opts.timeout ?? 5) * 60_000,
            say: (text) => cli.say(text),
          })
          const info = await cli.rpc('profile.sso', got)
          return signedIn(cli, info, 'Signed in')
        }
        if (opts.link) {
          const info = await cli.rpc('profile.magicLink.consume', { link: opts.link, ...(opts.server ? { server: opts.server } : {}) })
          return signedIn(cli, info, 'Signed in')
        }
        if (!opts.server || !opts.email) throw new UsageError('login needs --server URL and --email E (or --link URL_OR_TOKEN).')
        if (opts.magicLink) {
          await cli.rpc('profile.magicLink.request', { server: opts.server, email: opts.email })
          cli.say(`If ${opts.email} has an account there, a sign-in link is on its way. Then run: ocomms login --link 'LINK'`)
          return cli.out({ ok: true })
        }
        if (!opts.passwordStdin) throw new UsageError('login needs --password-stdin (or --magic-link).')
        const info = await cli.rpc('profile.login', { server: opts.server, email: opts.email, password: passwordFromStdin() })
        signedIn(cli, info, 'Signed in')
      }),
    )

  program
    .command('logout')
    .summary('sign this profile out')
    .description('End this profile\'s session on the server and forget its token and cache.')
    .action(
      action(async (cli) => {
        await cli.rpc('profile.logout', {})
        cli.say(`Signed out (profile ${cli.globals.profile}).`)
        cli.out({ ok: true })
      }),
    )

  program
    .command('whoami')
    .summary('who and where you are signed in')
    .description('Who this profile is signed in as, on which server and workspace, and whether it is connected.')
    .action(
      action(async (cli) => {
        const info = await cli.rpc('profile.whoami', {})
        cli.out(info, () => infoText(info))
      }),
    )

  const workspace = program.command('workspace').summary('list, switch or create workspaces').description('The workspaces of this account: list them, switch, create one.')
  workspace
    .command('list')
    .description('Your workspaces; * marks the current one.')
    .action(
      action(async (cli) => {
        const info = await cli.rpc('profile.whoami', {})
        const rows = info.workspaces.map((w) => ({ ...w, current: w.id === info.workspace?.id }))
        cli.out(rows, () =>
          rows.length === 0 ? 'No workspaces yet: ocomms workspace create NAME' : table(['', 'SLUG', 'NAME', 'ROLE'], rows.map((w) => [w.current ? '*' : '', w.slug, w.name, w.role])),
        )
      }),
    )
  workspace
    .command('use')
    .argument('<slug>', 'the workspace slug (see workspace list)')
    .description('Make a workspace the current one: commands act on it.')
    .action(
      action(async (cli, slug: string) => {
        const info = await cli.rpc('profile.useWorkspace', { workspace: slug })
        cli.say(`Now in ${info.workspace!.name} (${info.workspace!.slug}).`)
        cli.out(info.workspace)
      }),
    )
  workspace
    .command('create')
    .argument('<name>', 'the workspace name')
    .option('--slug <slug>', 'its short name in links (default: made from the name)')
    .description('Create a workspace (you become its owner) and switch to it.')
    .action(
      action(async (cli, name: string, opts: { slug?: string }) => {
        const ws = await cli.call('workspace.create', { name, ...(opts.slug ? { slug: opts.slug } : {}) })
        cli.say(`Created ${ws.name} (${ws.slug}); it is now your current workspace.`)
        cli.out(ws, () => ws.slug)
      }),
    )

  program
    .command('invite')
    .summary('create an invite code for the current workspace')
    .description('Create an invite code (and link) for the current workspace. Share it; people join with `ocomms signup --invite CODE` (a new account) or `ocomms join CODE` (an existing one).')
    .option('--email <email>', 'only this person may use it')
    .addOption(new Option('--role <role>', 'the role it grants').choices(['member', 'admin', 'owner']).default('member'))
    .option('--expires-in-hours <hours>', 'how long it stays valid (default 168, a week)', (v) => Number(v))
    .option('--max-uses <n>', 'how many people may use it', (v) => Number(v))
    .action(
      action(async (cli, opts: { email?: string; role: 'member' | 'admin' | 'owner'; expiresInHours?: number; maxUses?: number }) => {
        for (const [flag, v] of [['--expires-in-hours', opts.expiresInHours], ['--max-uses', opts.maxUses]] as const) {
          if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`${flag} must be a whole number above 0.`)
        }
        const invite = await cli.call('invite.create', {
          role: opts.role,
          ...(opts.email ? { email: opts.email } : {}),
          ...(opts.expiresInHours ? { expiresInHours: opts.expiresInHours } : {}),
          ...(opts.maxUses ? { maxUses: opts.maxUses } : {}),
        })
        cli.out(invite, () => `${invite.code}\n${invite.link}\n(${invite.role}, valid until ${when(invite.expiresAt)})`)
      }),
    )

  program
    .command('join')
    .argument('<invite>', 'the invite code, or the whole invite link')
    .summary('join a workspace with an invite, as the account you are signed in with')
    .description(
      'Accept an invite for the account this profile is signed in with: you become a member of its workspace, ' +
        'which becomes your current one. (New accounts join with `ocomms signup --invite CODE`.)',
    )
    .addHelpText('after', '\nExample:\n  ocomms join \'http://chat.example.com:7080/invite#code=...\'')
    .action(
      action(async (cli, invite: string) => {
        const ws = await cli.call('invite.accept', { code: inviteCode(invite) })
        cli.say(`Joined ${ws.name} (${ws.slug}); it is now your current workspace.`)
        cli.out(ws, () => ws.slug)
      }),
    )

  program
    .command('members')
    .summary('the people in the current workspace')
    .description('The people in the current workspace.')
    .option('--all', 'include people who left or were deactivated')
    .action(
      action(async (cli, opts: { all?: boolean }) => {
        const members = await cli.call('member.list', { includeInactive: Boolean(opts.all) })
        cli.out(members, () =>
          table(['HANDLE', 'NAME', 'ROLE', 'PRESENCE', 'STATUS'], members.map((m) => [
            `@${m.handle}`, m.name, m.state === 'active' ? m.role : `${m.role} (${m.state})`, m.presence + (m.dnd ? ' (dnd)' : ''), m.status ? `${m.status.emoji ?? ''} ${m.status.text}`.trim() : '',
          ])),
        )
      }),
    )

  program
    .command('whois')
    .argument('<handle>', '@handle of a member')
    .summary('details about one member')
    .description('Details about one member of the current workspace.')
    .action(
      action(async (cli, handle: string) => {
        const member = await cli.call('member.get', { member: handleArg(handle) })
        cli.out(member, () => memberDetails(member))
      }),
    )

  program
    .command('role')
    .argument('<handle>', '@handle of a member')
    .addArgument(new Argument('<role>', 'the new role').choices(['owner', 'admin', 'member']))
    .summary('change a member\'s role')
    .description('Change a member\'s role (admins manage members and admins; only owners make owners).')
    .action(
      action(async (cli, handle: string, role: 'owner' | 'admin' | 'member') => {
        const userId = await cli.memberId(handleArg(handle))
        const member = await cli.call('member.setRole', { userId, role })
        cli.say(`@${member.handle} is now ${member.role}.`)
        cli.out(member)
      }),
    )

  program
    .command('deactivate')
    .argument('<handle>', '@handle of a member')
    .summary('deactivate a member (admins)')
    .description('Deactivate a member of the current workspace: their access ends at once (admins).')
    .action(
      action(async (cli, handle: string) => {
        const userId = await cli.memberId(handleArg(handle))
        const member = await cli.call('member.deactivate', { userId })
        cli.say(`@${member.handle} is deactivated.`)
        cli.out(member)
      }),
    )
}
