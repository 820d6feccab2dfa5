import { pino } from 'pino'
import { build } from './app.js'
import type { ServerConfig } from './config.js'
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded.js'
import { assertPatchesApplied } from './patches-check.js'

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
  const log = pino({ level: config.logLevel })
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
  process.stderr.write(`listening on ${url}\n`)

  let stopping: Promise<void> | null = null
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down')
      await app.close()
      await embedded?.stop()
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
