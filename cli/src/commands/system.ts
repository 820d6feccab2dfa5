import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { connectDaemon, homePaths, ocommsHome } from '@ocomms/daemon'
import { OCommsError } from '@ocomms/shared/core'
import { UsageError, type Cli } from '../context.js'
import { table, when } from '../format.js'
import { terminalProgress } from '../progress.js'
import { openTui } from '../tui.js'
import { action } from './action.js'
import { serverArgs, serverConfig, serverStatus, startInBackground, stopServer, type ServerOptions } from './server-control.js'

/** "12 messages, 3 reactions, ..." (kinds with none left out). */
function counted(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`)
  return parts.length > 0 ? parts.join(', ') : 'nothing'
}

/** The server's configuration from --data-dir / --database-url, and its tools (loaded only for these commands). */
async function serverTools(opts: { dataDir?: string; databaseUrl?: string }) {
  const env = { ...process.env }
  if (opts.dataDir) env.OCOMMS_DATA_DIR = opts.dataDir
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl
  const server = await import('@ocomms/server')
  try {
    return { config: server.loadConfig(env), server }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

async function importSlack(cli: Cli, dir: string | undefined, opts: { workspace?: string; slack?: string; slackFiles?: string; dataDir?: string; databaseUrl?: string }) {
  if (dir) throw new UsageError('Give either an export directory or --slack FILE.zip, not both.')
  if (!opts.workspace) throw new UsageError('--slack needs --workspace SLUG: the workspace to import into (created when it does not exist).')
  const zip = resolve(opts.slack!)
  if (!existsSync(zip)) throw new UsageError(`${zip} does not exist.`)
  const { config, server: srv } = await serverTools(opts)
  const bar = terminalProgress(cli.globals.json)
  const summary = await srv
    .withServerDatabase(
      config,
      (databaseUrl) =>
        srv.importSlack({
          databaseUrl,
          dataDir: config.dataDir,
          zip,
          workspace: opts.workspace!,
          ...(opts.slackFiles ? { filesDir: resolve(opts.slackFiles) } : {}),
          progress: bar.update,
        }),
      (m) => cli.say(m),
    )
    .finally(() => bar.end())
  cli.say(`imported from Slack into ${summary.workspace.slug}: ${counted(summary.added)}; ${summary.matchedPeople} people already had an account here`)
  const skipped = Object.entries(summary.skipped)
  cli.say(skipped.length === 0 ? 'nothing skipped' : ['skipped:', ...skipped.map(([why, n]) => `  ${n} ${why}`)].join('\n'))
  cli.out(summary)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function registerSystem(program: Command): void {
  const server = program.command('server').summary('run, back up, restore, export or import an OComms server').description('Run an OComms server, back it up, restore it, export or import a workspace.')
  server
    .command('start')
    .description(
      'Run the server until SIGTERM or Ctrl-C: in the foreground, or with --background as a process of its own ' +
        '(its log in DATA_DIR/server.log). Without --database-url it runs an embedded PostgreSQL inside the data ' +
        'directory. Settings not given here come from the environment, then from the server.env that install.sh ' +
        'wrote, so the installed server starts with the same data directory and port every time. ' +
        'Prints "listening on http://H:P" on stderr once ready.',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--port <port>', 'port to listen on (default 7080)')
    .option('--data-dir <dir>', 'where the embedded database and files live (default: install.sh\'s choice, else $OCOMMS_HOME/server)')
    .option('--database-url <url>', 'use this PostgreSQL (15 or newer) instead of the embedded one')
    .option('--redis-url <url>', 'Redis for running several server processes together')
    .option('--background', 'start it as a background process and return once it answers')
    .addHelpText('after', '\nMore settings (mail, public URL, limits) come from the environment: see docs/configuration.md.\nSee also: ocomms server stop | restart | status.')
    .action(async function (this: Command, opts: ServerOptions & { background?: boolean }) {
      const { config } = await serverConfig(opts)
      if (opts.background) {
        const started = await startInBackground(config, this.optsWithGlobals<{ json?: boolean }>().json === true, serverArgs(opts))
        process.exitCode = started
        return
      }
      const { startServer } = await import('@ocomms/server')
      await startServer(config)
      await new Promise(() => {})
    })

  server
    .command('stop')
    .description('Stop the server of this data directory (SIGTERM, then wait for it to finish), however it was started.')
    .option('--data-dir <dir>', 'the server\'s data directory (default: install.sh\'s choice, else $OCOMMS_HOME/server)')
    .action(async function (this: Command, opts: ServerOptions) {
      const { config } = await serverConfig(opts)
      process.exitCode = await stopServer(config, this.optsWithGlobals<{ json?: boolean }>().json === true)
    })

  server
    .command('restart')
    .description('Stop the server of this data directory when it runs, then start it again in the background with the same settings.')
    .option('--host <host>', 'address to listen on')
    .option('--port <port>', 'port to listen on')
    .option('--data-dir <dir>', 'the server\'s data directory (default: install.sh\'s choice, else $OCOMMS_HOME/server)')
    .option('--database-url <url>', 'use this PostgreSQL instead of the embedded one')
    .option('--redis-url <url>', 'Redis for running several server processes together')
    .action(async function (this: Command, opts: ServerOptions) {
      const json = this.optsWithGlobals<{ json?: boolean }>().json === true
      const { config } = await serverConfig(opts)
      const stopped = await stopServer(config, json, { quiet: true })
      if (stopped !== 0) {
        process.exitCode = stopped
        return
      }
      process.exitCode = await startInBackground(config, json, serverArgs(opts))
    })

  server
    .command('status')
    .description('Whether the server of this data directory runs and answers: its address, process id, data directory and log. Exits 3 when it is not running.')
    .option('--port <port>', 'port it listens on')
    .option('--host <host>', 'address it listens on')
    .option('--data-dir <dir>', 'the server\'s data directory (default: install.sh\'s choice, else $OCOMMS_HOME/server)')
    .action(async function (this: Command, opts: ServerOptions) {
      const { config } = await serverConfig(opts)
      process.exitCode = await serverStatus(config, this.optsWithGlobals<{ json?: boolean }>().json === true)
    })

  for (const kind of ['backup', 'restore'] as const) {
    server
      .command(kind)
      .argument('<dir>', kind === 'backup' ? 'directory to write the backup to (must not exist, or be empty)' : 'directory holding a backup made by `ocomms server backup`')
      .description(
        kind === 'backup'
          ? 'Copy the database (one consistent snapshot) and the file store into a directory. The server may keep running. ' +
              'Without --database-url it uses the embedded PostgreSQL of the data directory (the running one, or starts it just for this).'
          : 'Load a backup into an EMPTY database and file store (a new data directory, or a fresh --database-url), ' +
              'then bring its schema up to date. Stop the server first; start it again afterwards.',
      )
      .option('--data-dir <dir>', 'the server\'s data directory (default $OCOMMS_HOME/server)')
      .option('--database-url <url>', 'the server\'s PostgreSQL, when it does not use the embedded one')
      .addHelpText('after', `\nExample:\n  ocomms server ${kind} ${kind === 'backup' ? '/var/backups/ocomms-$(date +%F)' : '/var/backups/ocomms-2026-01-31'} --data-dir /srv/ocomms`)
      .action(
        action(async (cli, dir: string, opts: { dataDir?: string; databaseUrl?: string }) => {
          const { config } = await serverConfig(opts)
          const { backup, restore, withServerDatabase } = await import('@ocomms/server')
          const target = resolve(dir)
          const bar = terminalProgress(cli.globals.json)
          const manifest = await withServerDatabase(
            config,
            (databaseUrl) =>
              kind === 'backup'
                ? backup({ databaseUrl, dataDir: config.dataDir, out: target, progress: bar.update })
                : restore({ databaseUrl, dataDir: config.dataDir, from: target, progress: bar.update }),
            (m) => cli.say(m),
          ).finally(() => bar.end())
          const rows = manifest.tables.reduce((n, t) => n + t.rows, 0)
          cli.say(`${kind === 'backup' ? 'backed up' : 'restored'} ${manifest.tables.length} tables (${rows} rows) and ${manifest.files} files ${kind === 'backup' ? 'to' : 'from'} ${target}`)
          cli.out(manifest)
        }),
      )
  }

  server
    .command('export')
    .argument('<dir|file.tar.gz>', 'directory to write the export to (must not exist, or be empty), or a .tar.gz file to create')
    .requiredOption('--workspace <slug>', 'the workspace to export')
    .description(
      'Export one workspace (members, channels, DMs, messages with threads, reactions, pins, files, and each person\'s saved items, ' +
        'drafts and notification settings) in the documented format of docs/export-format.md. The server may keep running. ' +
        'Without --database-url it uses the embedded PostgreSQL of the data directory (the running one, or starts it just for this).',
    )
    .option('--data-dir <dir>', 'the server\'s data directory (default $OCOMMS_HOME/server)')
    .option('--database-url <url>', 'the server\'s PostgreSQL, when it does not use the embedded one')
    .addHelpText('after', '\nExample:\n  ocomms server export --workspace acme /var/exports/acme-$(date +%F) --data-dir /srv/ocomms')
    .action(
      action(async (cli, dir: string, opts: { workspace: string; dataDir?: string; databaseUrl?: string }) => {
        const { config, server: srv } = await serverTools(opts)
        const bar = terminalProgress(cli.globals.json)
        const target = resolve(dir)
        const manifest = await srv
          .withServerDatabase(
            config,
            (databaseUrl) =>
              target.endsWith('.tar.gz') || target.endsWith('.tgz')
                ? srv.exportToArchive({ databaseUrl, dataDir: config.dataDir, workspace: opts.workspace, file: target, progress: bar.update })
                : srv.exportWorkspace({ databaseUrl, dataDir: config.dataDir, workspace: opts.workspace, out: target, progress: bar.update }),
            (m) => cli.say(m),
          )
          .finally(() => bar.end())
        cli.say(`exported ${opts.workspace}: ${counted(manifest.counts)} and ${manifest.blobs} file bodies to ${target}`)
        cli.out(manifest)
      }),
    )

  server
    .command('import')
    .argument('[export]', 'a directory or .tar.gz written by `ocomms server export` (or use --slack)')
    .option('--workspace <slug>', 'import under this slug (default: the exported workspace\'s own; required with --slack)')
    .option('--slack <zip>', 'import a Slack export ZIP instead, into the workspace --workspace (created, or added to)')
    .option('--slack-files <dir>', 'with --slack: a folder of file bodies (<dir>/<file id>/<name>); without it files are kept as links')
    .description(
      'Import a workspace export into this server: a fresh one (--data-dir EMPTY_DIR sets it up) or one with other workspaces. ' +
        'People are matched by email; others get an account without a password (they sign in with a magic link). ' +
        'All or nothing; importing the same export again adds nothing. Stop the server first when it uses the embedded database, or not: both work.',
    )
    .option('--data-dir <dir>', 'the server\'s data directory (default $OCOMMS_HOME/server)')
    .option('--database-url <url>', 'the server\'s PostgreSQL, when it does not use the embedded one')
    .addHelpText('after', '\nExample:\n  ocomms server import /var/exports/acme-2026-01-31 --data-dir /srv/ocomms')
    .action(
      action(async (cli, dir: string | undefined, opts: { workspace?: string; slack?: string; slackFiles?: string; dataDir?: string; databaseUrl?: string }) => {
        if (opts.slack) return importSlack(cli, dir, opts)
        if (!dir) throw new UsageError('Name the export directory to import (or a Slack export with --slack FILE.zip).')
        const { config, server: srv } = await serverTools(opts)
        const bar = terminalProgress(cli.globals.json)
        const from = resolve(dir)
        if (!existsSync(from)) throw new UsageError(`${from} does not exist.`)
        const summary = await srv
          .withServerDatabase(
            config,
            (databaseUrl) =>
              srv.importWorkspace({ databaseUrl, dataDir: config.dataDir, from, ...(opts.workspace ? { workspace: opts.workspace } : {}), progress: bar.update }),
            (m) => cli.say(m),
          )
          .finally(() => bar.end())
        const total = Object.values(summary.added).reduce((a, b) => a + b, 0)
        cli.say(
          total === 0
            ? `nothing to add: ${summary.workspace.slug} already holds everything in this export`
            : `imported ${summary.workspace.slug}: ${counted(summary.added)}; ${summary.matchedPeople} people already had an account here`,
        )
        cli.out(summary)
      }),
    )

  program
    .command('tui')
    .summary('open the terminal UI (the same as ocomms with no command)')
    .description('Open the full-screen terminal UI for the chosen profile. Press ? inside it for the keys.')
    .action(
      action(async (cli) => {
        if (!(await openTui(cli.globals.profile))) throw new Error('the terminal UI (@ocomms/tui) is not installed with this ocomms')
      }),
    )

  const daemon = program
    .command('daemon')
    .summary('start, stop or inspect your background daemon')
    .description('The per-user background process every command talks to. Commands start it on demand; these control it.')
  daemon
    .command('start')
    .description('Start the daemon (if it is not running) and show its status.')
    .action(
      action(async (cli) => {
        const status = await cli.rpc('daemon.status', {})
        cli.say(`daemon running (pid ${status.pid}, home ${status.home})`)
        cli.out(status)
      }),
    )
  daemon
    .command('stop')
    .description('Stop the daemon. Messages waiting in its outbox are kept and sent after the next start.')
    .action(
      action(async (cli) => {
        const home = ocommsHome()
        let client
        try {
          client = await connectDaemon({ home, start: false })
        } catch {
          cli.say('daemon is not running')
          return cli.out({ ok: true, running: false })
        }
        try {
          await client.request('daemon.stop', {})
        } finally {
          client.close()
        }
        const { socket } = homePaths(home)
        for (let i = 0; i < 100 && existsSync(socket); i++) await sleep(50)
        cli.say('daemon stopped')
        cli.out({ ok: true, running: false })
      }),
    )
  daemon
    .command('status')
    .description('Whether the daemon runs, its version, and each profile\'s connection (and why it is not connected), outbox and sends set aside because the server refused them. Exit code 3 when it is not running.')
    .action(
      action(async (cli) => {
        let client
        try {
          client = await connectDaemon({ start: false })
        } catch {
          throw new OCommsError('unavailable', 'The daemon is not running (any command starts it; or: ocomms daemon start).')
        }
        try {
          const s = await client.request('daemon.status', {})
          cli.out(s, () =>
            [
              `daemon running: pid ${s.pid}, version ${s.version} (API ${s.apiVersion}), since ${when(s.startedAt)}, home ${s.home}`,
              s.profiles.length === 0
                ? 'no profile signed in'
                : table(
                    ['PROFILE', 'HANDLE', 'SERVER', 'CONNECTION', 'OUTBOX', 'FAILED'],
                    s.profiles.map((p) => [p.profile, `@${p.handle}`, p.server, p.connection, p.outbox, p.failed]),
                  ),
              // Why a profile is not connected, and when it tries again.
              ...s.profiles
                .filter((p) => p.reason)
                .map((p) => `${p.profile}: ${p.reason}${p.retryAt ? ` (retrying ${when(p.retryAt)})` : ''}`),
            ].join('\n'),
          )
        } finally {
          client.close()
        }
      }),
    )
}
