import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from './app.js'
import type { ServerConfig } from './config.js'
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded.js'
import { assertPatchesApplied } from './patches-check.js'
import { createLogger } from './logger.js'

/**
 * The data dir and the file store are the server user's alone (0700). Installs made before
 * that was so get their folders tightened here; a file inside a 0700 folder is out of reach of
 * other users whatever its own mode. (With embedded PostgreSQL as root, embedded.ts opens the
 * data dir to the `postgres` group for passing through, 0710.)
 */
async function ownerOnlyDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await chmod(dataDir, 0o700)
  await chmod(join(dataDir, 'files'), 0o700).catch(() => {})
}

/** Where a running server keeps its process id, for `ocomms server stop|status|restart`. */
export function serverPidFile(dataDir: string): string {
  return join(dataDir, 'server.pid')
}

export interface RunningServer {
  url: string
  stop(): Promise<void>
}

/**
 * Starts everything `ocomms server start` runs: the embedded PostgreSQL when no database
 * URL is configured, the app, and the listener. SIGTERM and SIGINT shut down in order.
 */
export async function startServer(config: ServerConfig, { handleSignals = true } = {}): Promise<RunningServer> {
  assertPatchesApplied()
  // Whatever this process creates (uploads, backups, mails, PostgreSQL's files) is its owner's alone.
  process.umask(0o077)
  const log = createLogger(config.logLevel)
  await ownerOnlyDataDir(config.dataDir)
  let embedded: EmbeddedDatabase | null = null
  let databaseUrl = config.databaseUrl
  if (!databaseUrl) {
    // Several processes share one database; an embedded one belongs to this process alone.
    if (config.redisUrl) log.warn('REDIS_URL is set but DATABASE_URL is not: other server processes cannot share this embedded PostgreSQL')
    embedded = await startEmbeddedDatabase(config.dataDir, (m) => log.info(m))
    databaseUrl = embedded.localUrl
  }
  const { app } = await build({ config, databaseUrl, logger: log })
  await app.listen({ host: config.host, port: config.port })
  const { port } = app.server.address() as { port: number }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  await writeFile(serverPidFile(config.dataDir), `${process.pid}\n`, { mode: 0o600 })
  process.stderr.write(`listening on ${url}\n`)

  let stopping: Promise<void> | null = null
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down')
      await app.close()
      await embedded?.stop()
      await rm(serverPidFile(config.dataDir), { force: true })
    })())

  if (handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        const force = setTimeout(() => process.exit(1), 15_000)
        force.unref()
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'shutdown failed')
            process.exit(1)
          },
        )
      })
    }
  }
  return { url, stop }
}
