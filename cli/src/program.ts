import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerAccounts } from './commands/accounts.js'
import { registerAudit, registerRetention } from './commands/audit.js'
import { registerAttention } from './commands/attention.js'
import { registerChannels } from './commands/channels.js'
import { registerFiles } from './commands/files.js'
import { registerItems } from './commands/items.js'
import { registerMessages } from './commands/messages.js'
import { registerSearch } from './commands/search.js'
import { registerSessions } from './commands/sessions.js'
import { registerSso } from './commands/sso.js'
import { registerSystem } from './commands/system.js'
import { registerTail } from './commands/tail.js'

export const cliVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

const conventions = `
Conventions:
  TARGET    #channel, @handle (DM), @a,@b,@c (group DM), or a conversation id.
            Quote #names in the shell ('#general'): an unquoted # starts a comment.
            A bare channel name (general) works too.
  MSG       a message id (printed by --json), or #channel/SEQ (SEQ is the number
            that \`ocomms read\` shows in front of each message).
  TEXT      "-" reads the text from stdin.
  --json    data as JSON on stdout; on failure {"error":{"code","message"}} on stdout.
            Without it, data goes to stdout and messages for people to stderr.

Exit codes:
  0 ok   1 refused or failed (not found, forbidden, invalid input)
  2 bad arguments   3 cannot reach the server or the daemon

Environment:
  OCOMMS_HOME     where the daemon keeps its socket, cache, logs and tokens (default ~/.ocomms)
  OCOMMS_PROFILE  which signed-in account to use (default "default"); same as --profile

Getting started:
  ocomms server start &                       # or use your organisation's server
  printf %s "$PW" | ocomms signup --server http://localhost:7080 --email you@example.com \\
      --name "Your Name" --handle you --password-stdin --create-workspace "My Team"
  ocomms channel list
  ocomms send '#general' "Hello"
  ocomms read '#general'
  ocomms tail
`

/** Every command of `ocomms`, with its help. Also used to generate docs/cli.md. */
export function buildProgram(): Command {
  const program = new Command('ocomms')
  program
    .description('OComms from the terminal: a self-hosted team chat. Run with no command to open the terminal UI (when installed).')
    .version(cliVersion, '-V, --version', 'print the version')
    .option('--json', 'machine-readable output: JSON on stdout')
    .option('--profile <name>', 'which signed-in account to use (default "default", env OCOMMS_PROFILE)')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText('after', conventions)

  program.commandsGroup('Accounts and workspaces:')
  registerAccounts(program)
  registerSessions(program)
  program.commandsGroup('Conversations and messages:')
  registerChannels(program)
  registerMessages(program)
  registerItems(program)
  registerFiles(program)
  registerSearch(program)
  registerTail(program)
  program.commandsGroup('Attention:')
  registerAttention(program)
  program.commandsGroup('Running OComms:')
  registerSystem(program)
  registerSso(program)
  registerAudit(program)
  registerRetention(program)
  program.commandsGroup('Help:')
  program.helpCommand('help [command]', 'show help for a command')
  return program
}
