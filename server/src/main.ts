#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfig } from './config.js'
import { startServer } from './start.js'

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
  },
})

const env = { ...process.env }
if (values['data-dir']) env.OCOMMS_DATA_DIR = values['data-dir']
if (values['database-url']) env.DATABASE_URL = values['database-url']
if (values['redis-url']) env.REDIS_URL = values['redis-url']
if (values.port) env.OCOMMS_PORT = values.port
if (values.host) env.OCOMMS_HOST = values.host

try {
  await startServer(loadConfig(env))
} catch (err) {
  process.stderr.write(`ocomms server: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}
