import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { limits } from '@ocomms/shared'
import type { OperationClass } from './admission/classes.js'

/** Everything an operator can set. Documented in docs/configuration.md. */
export interface ServerConfig {
  host: string
  port: number
  /** Where the embedded PostgreSQL (when used) and files live. */
  dataDir: string
  /** An external PostgreSQL >= 15; when absent, an embedded one is started in dataDir. */
  databaseUrl: string | null
  redisUrl: string | null
  /** The address people reach the server at, for links in emails. */
  publicUrl: string
  logLevel: string
  smtpUrl: string | null
  mailFrom: string
  /** Without SMTP: a folder each mail is written to as a file (0600), for development. Off when null. */
  devMailDir: string | null
  /** Browser origins allowed to open sockets, besides publicUrl's own. Non-browser clients send none. */
  allowedOrigins: string[]
  trustProxy: boolean
  /** The built web app (gui/dist) served at `/`; null when there is none to serve. */
  webDir: string | null
  dbPoolSize: number
  /** Memory, in MiB, for the newest page of busy conversations' history; 0 keeps none. */
  historyCacheMb: number
  /** Largest request body, in bytes. */
  bodyLimit: number
  /** Largest uploaded file, in bytes (uploads stream to disk, so this does not cost memory). */
  fileSizeLimit: number
  /** Seconds without reported activity after which a connected person shows as away. */
  presenceIdleSeconds: number
  /** On shutdown, how long requests in flight may finish before their connections are cut. */
  shutdownGraceSeconds: number
  /**
   * With REDIS_URL: how long a process's presence heartbeat lasts. The people of a process
   * that died go offline within this plus a third of it.
   */
  presenceProcessTtlSeconds: number
  /** How often expired custom statuses are cleared and presence (DND schedules) re-evaluated. */
  attentionSweepSeconds: number
  /** How long events are kept for sync; older cursors get `reset` (docs/events.md). */
  eventRetention: {
    /** Events older than this are pruned; 0 keeps them forever. */
    days: number
    /** Keep at most this many (newest) events per stream; 0 means no cap. */
    maxPerStream: number
    /** How often the pruning job runs; 0 turns it off. */
    intervalSeconds: number
  }
  /** PostgreSQL text search configuration (language) of search; changing it rebuilds the index at start. */
  searchConfig: string
  /**
   * Where to serve Prometheus metrics (`HOST:PORT`, GET /metrics), on a listener of its own so it
   * is never exposed with the API by accident. Off (null) by default. See docs/metrics.md.
   */
  metricsListen: string | null
  sessions: {
    /** A session not used for this long ends (0: never). Every use renews it. */
    idleDays: number
    /** A session ends this long after sign-in, however much it is used (0: never). */
    maxDays: number
  }
  /** Fair admission: what one person may make a process do at once (src/admission/admission.ts). */
  admission: {
    /** Operations of one socket running at once; more wait in order. */
    perSocket: number
    /** Operations of one person (all sockets and REST) running at once. */
    perUser: number
    /** Operations of one person that may wait; beyond, rate_limited. */
    queuePerUser: number
    /** Sockets one person may hold open to one process (0: no cap). */
    socketsPerUser: number
    /** Expensive operations (search) running at once in the process, of one person, and waiting in all. */
    expensive: number
    expensivePerUser: number
    expensiveQueue: number
    /** Per class: at most `count` operations per person every `seconds` (0: no limit). */
    rates: Record<OperationClass, { count: number; seconds: number }>
    /** /ready answers 503 when the event loop runs later than this (ms, 0: never) ... */
    readyMaxDelayMs: number
    /** ... or more operations than this wait (0: never). */
    readyMaxWaiting: number
  }
  throttle: {
    /** Failed logins allowed per account, per address, within `windowSeconds`. */
    loginPerAccount: number
    loginPerAddress: number
    /** Sign-ups and magic-link requests allowed per address within `windowSeconds`. */
    signupPerAddress: number
    magicLinkPerAccount: number
    windowSeconds: number
  }
  /** Single sign-on (docs/sso.md). */
  sso: {
    /**
     * The key that encrypts identity-provider client secrets (32 bytes, base64 or hex). When
     * absent, one is made in `<dataDir>/secret.key` (mode 0600) on first use. Several processes
     * on different machines must share it.
     */
    secretKey: string | null
    /** Allow identity providers on plain http:// beyond loopback addresses (never in production). */
    allowInsecureIdp: boolean
    /** Clock difference tolerated with the identity provider when checking validity times, in seconds. */
    clockSkewSeconds: number
  }
}

export type ConfigOverrides = Partial<Omit<ServerConfig, 'throttle' | 'sessions' | 'admission' | 'sso'>> & {
  throttle?: Partial<ServerConfig['throttle']>
  sessions?: Partial<ServerConfig['sessions']>
  admission?: Partial<Omit<ServerConfig['admission'], 'rates'>> & { rates?: Partial<ServerConfig['admission']['rates']> }
  sso?: Partial<ServerConfig['sso']>
}

/** A rate as `COUNT/SECONDS` ("200/10": 200 every 10 seconds); "0" turns the limit off. */
function rate(value: string | undefined, fallback: { count: number; seconds: number }, name: string): { count: number; seconds: number } {
  if (value === undefined || value === '') return fallback
  if (value.trim() === '0') return { count: 0, seconds: 0 }
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  if (!m || Number(m[2]) === 0) throw new Error(`${name} must be COUNT/SECONDS (e.g. 200/10) or 0, got "${value}"`)
  return { count: Number(m[1]), seconds: Number(m[2]) }
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`)
  return n
}

function str(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value
}

export function ocommsHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.OCOMMS_HOME ?? join(homedir(), '.ocomms'))
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): ServerConfig {
  const host = overrides.host ?? env.OCOMMS_HOST ?? '127.0.0.1'
  const port = overrides.port ?? int(env.OCOMMS_PORT, 7080, 'OCOMMS_PORT')
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host
  const base: ServerConfig = {
    host,
    port,
    dataDir: resolve(env.OCOMMS_DATA_DIR ?? join(ocommsHome(env), 'server')),
    databaseUrl: str(env.DATABASE_URL),
    redisUrl: str(env.REDIS_URL),
    publicUrl: (env.OCOMMS_PUBLIC_URL ?? `http://${shownHost}:${port}`).replace(/\/+$/, ''),
    logLevel: env.OCOMMS_LOG_LEVEL ?? 'info',
    smtpUrl: str(env.OCOMMS_SMTP_URL),
    mailFrom: env.OCOMMS_MAIL_FROM ?? 'OComms <no-reply@localhost>',
    devMailDir: env.OCOMMS_DEV_MAIL_DIR ? resolve(env.OCOMMS_DEV_MAIL_DIR) : null,
    allowedOrigins: (env.OCOMMS_ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy: env.OCOMMS_TRUST_PROXY === '1' || env.OCOMMS_TRUST_PROXY === 'true',
    webDir: env.OCOMMS_WEB_DIR === '' ? null : resolve(env.OCOMMS_WEB_DIR ?? fileURLToPath(new URL('../../gui/dist', import.meta.url))),
    dbPoolSize: int(env.OCOMMS_DB_POOL, 20, 'OCOMMS_DB_POOL'),
    historyCacheMb: int(env.OCOMMS_HISTORY_CACHE_MB, 64, 'OCOMMS_HISTORY_CACHE_MB'),
    bodyLimit: int(env.OCOMMS_BODY_LIMIT, 1024 * 1024, 'OCOMMS_BODY_LIMIT'),
    fileSizeLimit: int(env.OCOMMS_FILE_SIZE_LIMIT, limits.fileBytes, 'OCOMMS_FILE_SIZE_LIMIT'),
    presenceIdleSeconds: int(env.OCOMMS_PRESENCE_IDLE, 600, 'OCOMMS_PRESENCE_IDLE'),
    shutdownGraceSeconds: int(env.OCOMMS_SHUTDOWN_GRACE, 10, 'OCOMMS_SHUTDOWN_GRACE'),
    presenceProcessTtlSeconds: Math.max(1, int(env.OCOMMS_PRESENCE_PROCESS_TTL, 15, 'OCOMMS_PRESENCE_PROCESS_TTL')),
    attentionSweepSeconds: int(env.OCOMMS_ATTENTION_SWEEP, 30, 'OCOMMS_ATTENTION_SWEEP'),
    eventRetention: {
      days: int(env.OCOMMS_EVENT_RETENTION_DAYS, 90, 'OCOMMS_EVENT_RETENTION_DAYS'),
      maxPerStream: int(env.OCOMMS_EVENT_RETENTION_MAX_PER_STREAM, 0, 'OCOMMS_EVENT_RETENTION_MAX_PER_STREAM'),
      intervalSeconds: int(env.OCOMMS_EVENT_PRUNE_INTERVAL, 3600, 'OCOMMS_EVENT_PRUNE_INTERVAL'),
    },
    searchConfig: str(env.OCOMMS_SEARCH_CONFIG) ?? 'english',
    metricsListen: str(env.OCOMMS_METRICS_LISTEN),
    sessions: {
      idleDays: int(env.OCOMMS_SESSION_IDLE_DAYS, 30, 'OCOMMS_SESSION_IDLE_DAYS'),
      maxDays: int(env.OCOMMS_SESSION_MAX_DAYS, 365, 'OCOMMS_SESSION_MAX_DAYS'),
    },
    admission: {
      perSocket: Math.max(1, int(env.OCOMMS_INFLIGHT_PER_SOCKET, 8, 'OCOMMS_INFLIGHT_PER_SOCKET')),
      perUser: Math.max(1, int(env.OCOMMS_INFLIGHT_PER_USER, 16, 'OCOMMS_INFLIGHT_PER_USER')),
      queuePerUser: int(env.OCOMMS_QUEUE_PER_USER, 256, 'OCOMMS_QUEUE_PER_USER'),
      socketsPerUser: int(env.OCOMMS_SOCKETS_PER_USER, 32, 'OCOMMS_SOCKETS_PER_USER'),
      expensive: Math.max(1, int(env.OCOMMS_EXPENSIVE_CONCURRENCY, 4, 'OCOMMS_EXPENSIVE_CONCURRENCY')),
      expensivePerUser: Math.max(1, int(env.OCOMMS_EXPENSIVE_PER_USER, 2, 'OCOMMS_EXPENSIVE_PER_USER')),
      expensiveQueue: int(env.OCOMMS_EXPENSIVE_QUEUE, 64, 'OCOMMS_EXPENSIVE_QUEUE'),
      rates: {
        send: rate(env.OCOMMS_RATE_SEND, { count: 200, seconds: 10 }, 'OCOMMS_RATE_SEND'),
        reaction: rate(env.OCOMMS_RATE_REACTION, { count: 100, seconds: 10 }, 'OCOMMS_RATE_REACTION'),
        typing: rate(env.OCOMMS_RATE_TYPING, { count: 60, seconds: 10 }, 'OCOMMS_RATE_TYPING'),
        search: rate(env.OCOMMS_RATE_SEARCH, { count: 30, seconds: 10 }, 'OCOMMS_RATE_SEARCH'),
        other: rate(env.OCOMMS_RATE_OTHER, { count: 600, seconds: 10 }, 'OCOMMS_RATE_OTHER'),
      },
      readyMaxDelayMs: int(env.OCOMMS_READY_MAX_DELAY, 1000, 'OCOMMS_READY_MAX_DELAY'),
      readyMaxWaiting: int(env.OCOMMS_READY_MAX_WAITING, 5000, 'OCOMMS_READY_MAX_WAITING'),
    },
    throttle: {
      loginPerAccount: int(env.OCOMMS_LOGIN_LIMIT_ACCOUNT, 10, 'OCOMMS_LOGIN_LIMIT_ACCOUNT'),
      loginPerAddress: int(env.OCOMMS_LOGIN_LIMIT_ADDRESS, 50, 'OCOMMS_LOGIN_LIMIT_ADDRESS'),
      signupPerAddress: int(env.OCOMMS_SIGNUP_LIMIT_ADDRESS, 30, 'OCOMMS_SIGNUP_LIMIT_ADDRESS'),
      magicLinkPerAccount: int(env.OCOMMS_MAGIC_LINK_LIMIT, 5, 'OCOMMS_MAGIC_LINK_LIMIT'),
      windowSeconds: int(env.OCOMMS_THROTTLE_WINDOW, 900, 'OCOMMS_THROTTLE_WINDOW'),
    },
    sso: {
      secretKey: str(env.OCOMMS_SECRET_KEY),
      allowInsecureIdp: env.OCOMMS_SSO_ALLOW_HTTP === '1' || env.OCOMMS_SSO_ALLOW_HTTP === 'true',
      clockSkewSeconds: Math.min(300, int(env.OCOMMS_SSO_CLOCK_SKEW, 60, 'OCOMMS_SSO_CLOCK_SKEW')),
    },
  }
  const { throttle, sessions, admission, sso, ...rest } = overrides
  const merged = { ...base, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) }
  return {
    ...merged,
    throttle: { ...base.throttle, ...throttle },
    sessions: { ...base.sessions, ...sessions },
    admission: { ...base.admission, ...admission, rates: { ...base.admission.rates, ...admission?.rates } },
    sso: { ...base.sso, ...sso },
  } as ServerConfig
}
