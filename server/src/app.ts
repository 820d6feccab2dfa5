import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Server } from 'socket.io'
import type { Logger } from 'pino'
import { createMailer, type Mailer } from './auth/mailer.js'
import { endExpiredSessions } from './auth/sessions.js'
import { Throttle } from './auth/throttle.js'
import { Admission } from './admission/admission.js'
import type { ServerConfig } from './config.js'
import { connect } from './db/connect.js'
import { migrate } from './db/migrate.js'
import { OCommsError } from '@ocomms/shared'
import { errorBody, toError } from './errors.js'
import { createLogger } from './logger.js'
import { startPruner } from './events/retention.js'
import { startSweeper } from './files/sweep.js'
import { startRetentionSweeper } from './retention/sweep.js'
import { metricsOf } from './metrics/metrics.js'
import { mountOperations } from './http/mount-operations.js'
import { mountTransfers } from './http/mount-transfers.js'
import { isAppRoute, mountWebApp } from './http/web-app.js'
import { registerCookies } from './http/web-session.js'
import { mountSsoRoutes } from './sso/http.js'
import { mountScim } from './sso/scim.js'
import { Realtime } from './realtime/realtime.js'
import { AttentionRuntime } from './attention/runtime.js'
import { MemoryPresenceRegistry } from './attention/memory-presence-registry.js'
import { ensureTextSearchConfig } from './search/text-config.js'
import type { RedisClients } from './redis/connect.js'
import { attachSocketServer } from './realtime/socket-server.js'
import type { Services } from './services.js'

/** How often expired sessions are deleted and their sockets closed. */
const SESSION_SWEEP_MS = 5 * 60_000

export interface BuildOptions {
  config: ServerConfig
  /** The database to use; main.ts resolves the embedded one before calling build(). */
  databaseUrl: string
  logger?: Logger
  mailer?: Mailer
}

export interface App {
  app: FastifyInstance
  io: Server
  services: Services
}

/** The whole server, ready to listen; tests call this and talk to it over real sockets. */
export async function build(options: BuildOptions): Promise<App> {
  const { config, databaseUrl } = options
  const log = options.logger ?? createLogger(config.logLevel)
  await migrate(databaseUrl, (m) => log.info(m))

  // pino's Logger and Fastify's logger types disagree on generics only; the instance is the same.
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // One log line per request is noise at chat volumes; debug level turns it back on.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    // Malformed or over-long URLs are refused by the router itself; they answer in our error shape too.
    frameworkErrors: (err, _req, reply) => {
      const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A value in the address is too long.' : 'The address is not valid.'
      return (reply as unknown as FastifyReply).status(400).send(errorBody(new OCommsError('invalid_input', message)))
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, verbose: true } },
  }) as unknown as FastifyInstance
  // Several processes share rooms and login counters through Redis; one process needs none.
  // Loaded only then, so a single process carries none of it.
  const redis: RedisClients | null = config.redisUrl
    ? await (await import('./redis/connect.js')).connectRedis(config.redisUrl, log)
    : null
  const sql = connect(databaseUrl, { max: config.dbPoolSize })
  try {
    config.searchConfig = await ensureTextSearchConfig(sql, config.searchConfig, log)
  } catch (err) {
    await sql.end({ timeout: 5 })
    throw err
  }
  const services = {
    config,
    sql,
    log,
    mailer: options.mailer ?? createMailer(config, log),
    throttle: new Throttle(config.throttle, redis?.limiter ?? null),
    realtime: new Realtime(),
    admission: new Admission(config.admission),
  } as Services
  // Presence is shared through Redis when several processes serve; otherwise kept in memory.
  const registry = redis
    ? new (await import('./attention/redis-presence-registry.js')).RedisPresenceRegistry(redis.presence, {
        processTtlMs: config.presenceProcessTtlSeconds * 1000,
        log,
      })
    : new MemoryPresenceRegistry()
  services.attention = new AttentionRuntime(services, registry)

  app.setErrorHandler((err, req, reply) => {
    const e = toError(err, log)
    if (e.code === 'rate_limited' && typeof e.details?.retryAfter === 'number') reply.header('retry-after', e.details.retryAfter)
    // Refused before its body was read (an upload over the limit, or not allowed): the client
    // may still be sending. Close the connection after the answer instead of leaving it open
    // and half-read, where it would hold a keep-alive slot and delay a graceful shutdown.
    if (!req.raw.complete) reply.header('connection', 'close')
    return reply.status(e.status).send(errorBody(e))
  })
  await registerCookies(app)
  // Page addresses answer with the web app (its router shows them); anything else unknown is a JSON 404.
  const sendApp = await mountWebApp(app, config)
  app.setNotFoundHandler((req, reply) =>
    sendApp && isAppRoute(req) ? sendApp(req, reply) : reply.status(404).send(errorBody(toError({ statusCode: 404, message: '' }, log))),
  )

  await app.register(swagger, {
    openapi: {
      info: { title: 'OComms API', version: '1', description: 'Every operation is also a Socket.IO event with an acknowledgement.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })

  // Health has its own connection: a pool saturated by a burst is busy, not down, and a load
  // balancer should hear "unavailable" only when the database really is (within 3 seconds).
  const healthSql = connect(databaseUrl, { max: 1, connectTimeout: 3 })
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        healthSql`select 1`,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 3000))),
      ])
      return { status: 'ok', load: services.admission.stats() }
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: 'unreachable', load: services.admission.stats() })
    } finally {
      clearTimeout(timer)
    }
  })
  // For a load balancer choosing where to send new work: 503 while this process is saturated
  // (its event loop late, many operations waiting, the expensive lane full), though alive.
  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    const busy = services.admission.busy()
    const load = services.admission.stats()
    return busy ? reply.status(503).send({ status: 'busy', reason: busy, load }) : { status: 'ready', load }
  })

  mountOperations(app, services)
  mountTransfers(app, services)
  mountSsoRoutes(app, services)
  mountScim(app, services)
  const io = attachSocketServer(app, services)
  if (redis) (await import('./realtime/redis-adapter.js')).useRedisAdapter(io, redis)
  services.realtime.attach(io)
  const metrics = metricsOf(services)
  metrics.attach(io, redis ? { status: () => ({ pub: redis.pub.status, sub: redis.sub.status, limiter: redis.limiter.status, presence: redis.presence.status }) } : null)
  services.realtime.observer = (event) => metrics.published(event)
  if (config.metricsListen) {
    const at = await metrics.listen(config.metricsListen)
    log.info({ metrics: `http://${at.address}:${at.port}/metrics` }, 'serving metrics')
  }
  await services.attention.start()

  const pruner = startPruner(services)

  // Sockets go first so the HTTP server can close; the pool last, after in-flight requests.
  app.addHook('preClose', async () => {
    // Before the sockets go: with Redis this withdraws them in one step and tells the other processes.
    await services.attention.stop()
    io.local.disconnectSockets(true)
    io.engine.close()
  })
  const stopSweeper = startSweeper(services)
  const stopRetention = startRetentionSweeper(services)
  // Sessions past their idle timeout or lifetime are refused at once by every lookup; this
  // deletes them and closes sockets opened before they expired.
  const sessionSweep = setInterval(() => {
    endExpiredSessions(services).catch((err: unknown) => log.warn({ err }, 'expired sessions could not be ended'))
  }, SESSION_SWEEP_MS)
  sessionSweep.unref()
  // Closing waits for requests in flight; a client that stopped reading a download would hold
  // a shutdown for minutes. After a grace period the remaining connections are cut (a cut
  // download is retried by the client; a request in flight is never acknowledged half-done).
  let cutLingering: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    cutLingering = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceSeconds * 1000)
    cutLingering.unref()
  })
  app.addHook('onClose', async () => {
    clearTimeout(cutLingering)
    clearInterval(sessionSweep)
    services.admission.stop()
    stopSweeper()
    stopRetention()
    await metrics.close()
    await pruner.stop()
    await Promise.all([sql.end({ timeout: 5 }), healthSql.end({ timeout: 1 })])
    await redis?.close()
  })
  return { app, io, services }
}
