#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { loadConfig } from './config.js'
import { backup, restore } from './ops/backup.js'
import { withServerDatabase } from './ops/server-database.js'
import { startServer } from './start.js'
import { withInstalledSettings } from './installed.js'

const usage = `usage: ocomms-server [start] [--host H] [--port P] [--data-dir D] [--database-url U] [--redis-url R]
       ocomms-server backup <directory> [--data-dir D] [--database-url U]
       ocomms-server restore <directory> [--data-dir D] [--database-url U]`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})

// Backups, restored files and everything the server writes: the owner's alone.
process.umask(0o077)

// Under the environment: the settings install.sh recorded (server.env), so a restart finds the same data.
const env = withInstalledSettings({ ...process.env })
if (values['data-dir']) env.OCOMMS_DATA_DIR = values['data-dir']
if (values['database-url']) env.DATABASE_URL = values['database-url']
if (values['redis-url']) env.REDIS_URL = values['redis-url']
if (values.port) env.OCOMMS_PORT = values.port
if (values.host) env.OCOMMS_HOST = values.host

const [command = 'start', dir] = positionals
const say = (m: string) => process.stderr.write(m + '\n')

try {
  if (values.help) {
    say(usage)
  } else if (command === 'start') {
    await startServer(loadConfig(env))
  } else if ((command === 'backup' || command === 'restore') && dir) {
    const config = loadConfig(env)
    const target = resolve(dir)
    const manifest = await withServerDatabase(
      config,
      (databaseUrl) =>
        command === 'backup'
          ? backup({ databaseUrl, dataDir: config.dataDir, out: target })
          : restore({ databaseUrl, dataDir: config.dataDir, from: target }),
      say,
    )
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0)
    say(`${command === 'backup' ? 'backed up' : 'restored'} ${manifest.tables.length} tables (${rows} rows) and ${manifest.files} files ${command === 'backup' ? 'to' : 'from'} ${target}`)
    process.stdout.write(JSON.stringify(manifest) + '\n')
  } else {
    say(usage)
    process.exit(2)
  }
} catch (err) {
  say(`ocomms server: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
