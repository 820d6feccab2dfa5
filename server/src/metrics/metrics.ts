import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Event } from '@ocomms/shared'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Server as SocketServer } from 'socket.io'
import { perServer, type Services } from '../services.js'

/**
 * The server's Prometheus metrics (docs/metrics.md). One registry per running server, so several
 * servers in one process (tests) keep their own figures. Counting costs a few increments per
 * operation and per event; the figures that need a look around (sockets, database, Redis) are
 * read when scraped.
 */
export class Metrics {
  readonly registry = new Registry()

  /** Every event published to clients, by type (message.created is a message sent). */
  readonly events = new Counter({ name: 'ocomms_events_total', help: 'Events published to clients, by type.', labelNames: ['type'] as const, registers: [this.registry] })

  /** From an event's commit to its hand-over to the sockets (the fan-out delay). */
  readonly fanOut = new Histogram({
    name: 'ocomms_fanout_delay_seconds',
    help: 'From an event\'s commit to its emission to the rooms that receive it.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })

  /** Operations by name and outcome: message.send is send-to-ack; sync counts catch-ups. */
  readonly operations = new Histogram({
    name: 'ocomms_operation_duration_seconds',
    help: 'Time from an operation\'s arrival to its answer (for message.send: send to acknowledgement), by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })

  /** Items per batch of the server's batchers (group commit of sends, presence). */
  readonly batchSize = new Histogram({
    name: 'ocomms_batch_size',
    help: 'Items per batch, by batcher (group commit).',
    labelNames: ['batcher'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  })

  private server: HttpServer | null = null

  constructor(services: Services) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ocomms_' })
    new Gauge({ name: 'ocomms_db_pool_size', help: 'Connections the database pool may open.', registers: [this.registry] }).set(services.config.dbPoolSize)
    const sql = services.sql
    new Gauge({
      name: 'ocomms_db_ping_seconds',
      help: 'A trivial query\'s round trip through the pool, measured at scrape time (pool waits included).',
      registers: [this.registry],
      async collect() {
        const start = process.hrtime.bigint()
        try {
          await sql`select 1`
          this.set(Number(process.hrtime.bigint() - start) / 1e9)
        } catch {
          this.set(-1)
        }
      },
    })
  }

  /** Gauges that read the socket server and the Redis connections. */
  attach(io: SocketServer, redis: { status: () => Record<string, string> } | null): void {
    new Gauge({
      name: 'ocomms_connected_sockets',
      help: 'Sockets connected to this process.',
      registers: [this.registry],
      collect() {
        this.set(io.of('/').sockets.size)
      },
    })
    new Gauge({
      name: 'ocomms_redis_connected',
      help: 'Each Redis connection of this process: 1 when ready, 0 otherwise (absent without Redis).',
      labelNames: ['connection'] as const,
      registers: [this.registry],
      collect() {
        if (!redis) return
        for (const [name, status] of Object.entries(redis.status())) this.set({ connection: name }, status === 'ready' ? 1 : 0)
      },
    })
  }

  published(event: Event): void {
    this.events.inc({ type: event.type })
    const at = Date.parse(event.at)
    if (Number.isFinite(at)) this.fanOut.observe(Math.max(0, Date.now() - at) / 1000)
  }

  /** Serves GET /metrics on its own listener (HOST:PORT); answers the address it listens on. */
  async listen(address: string): Promise<AddressInfo> {
    const m = /^(.*):(\d{1,5})$/.exec(address)
    if (!m) throw new Error(`OCOMMS_METRICS_LISTEN must be HOST:PORT, got "${address}"`)
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1')
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n')
        return
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
      )
    })
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject)
      this.server!.listen(Number(m[2]), host, () => resolve())
    })
    return this.server.address() as AddressInfo
  }

  address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null
  }

  async close(): Promise<void> {
    const server = this.server
    this.server = null
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export const metricsOf = perServer((services) => new Metrics(services))
