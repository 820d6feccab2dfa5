import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { connectDaemon, homePaths, ocommsHome } from '@ocomms/daemon'
import { OCommsError } from '@ocomms/shared/core'
import { UsageError } from '../context.js'
import { table, when } from '../format.js'
import { openTui } from '../tui.js'
import { action } from './action.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function registerSystem(program: Command): void {
  const server = program.command('server').summary('run, back up or restore an OComms server').description('Run an OComms server, back it up, restore it.')
  server
    .command('start')
    .description(
      'Run the server in the foreground until SIGTERM or Ctrl-C. Without --database-url it runs an embedded ' +
        'PostgreSQL inside the data directory. Prints "listening on http://H:P" on stderr once ready.',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--port <port>', 'port to listen on (default 7080)')
    .option('--data-dir <dir>', 'where the embedded database and files live (default $OCOMMS_HOME/server)')
    .option('--database-url <url>', 'use this PostgreSQL (15 or newer) instead of the embedded one')
    .option('--redis-url <url>', 'Redis for running several server processes together')
    .addHelpText('after', '\nMore settings (mail, public URL, limits) come from the environment: see docs/configuration.md.')
    .action(async (opts: { host?: string; port?: string; dataDir?: string; databaseUrl?: string; redisUrl?: string }) => {
      if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) throw new UsageError(`--port must be a port number, got "${opts.port}".`)
      const env = { ...process.env }
      if (opts.dataDir) env.OCOMMS_DATA_DIR = opts.dataDir
      if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl
      if (opts.redisUrl) env.REDIS_URL = opts.redisUrl
      if (opts.port) env.OCOMMS_PORT = opts.port
      if (opts.host) env.OCOMMS_HOST = opts.host
      // Imported here: the server and its dependencies load only for this command.
      const { loadConfig, startServer } = await import('@ocomms/server')
      let config
      try {
        config = loadConfig(env)
      } catch (err) {
        throw new UsageError((err as Error).message)
      }
      await startServer(config)
      await new Promise(() => {})
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
          const env = { ...process.env }
          if (opts.dataDir) env.OCOMMS_DATA_DIR = opts.dataDir
          if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl
          const { loadConfig, backup, restore, withServerDatabase } = await import('@ocomms/server')
          let config
          try {
            config = loadConfig(env)
          } catch (err) {
            throw new UsageError((err as Error).message)
          }
          const target = resolve(dir)
          const manifest = await withServerDatabase(
            config,
            (databaseUrl) =>
              kind === 'backup' ? backup({ databaseUrl, dataDir: config.dataDir, out: target }) : restore({ databaseUrl, dataDir: config.dataDir, from: target }),
            (m) => cli.say(m),
          )
          const rows = manifest.tables.reduce((n, t) => n + t.rows, 0)
          cli.say(`${kind === 'backup' ? 'backed up' : 'restored'} ${manifest.tables.length} tables (${rows} rows) and ${manifest.files} files ${kind === 'backup' ? 'to' : 'from'} ${target}`)
          cli.out(manifest)
        }),
      )
  }

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
