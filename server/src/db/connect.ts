import postgres from 'postgres'
import { countStatement, tracingStatements } from '../trace/send-timeline.js'
import { driverAddress } from './address.js'

export type Sql = postgres.Sql<Record<string, never>>
export type TxSql = postgres.TransactionSql<Record<string, never>>

export interface ConnectOptions {
  max?: number
  /** Seconds to wait for a new connection (default 10). */
  connectTimeout?: number
  /** Called for server notices (e.g. "relation already exists, skipping"). */
  onnotice?: (notice: postgres.Notice) => void
}

/**
 * A pooled connection. int8 columns (seqs, counts) come back as numbers: they stay far below 2^53.
 */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  const address = driverAddress(url)
  return postgres(address.url, {
    path: address.path,
    max: options.max ?? 20,
    idle_timeout: 60,
    connect_timeout: options.connectTimeout ?? 10,
    // Seconds before a closed connection tries again. The driver's default grows with every failed
    // attempt across the whole pool (3^n / 100 s, up to 20 s), so a two-second outage under load
    // left the pool waiting 10 to 20 s after PostgreSQL was back. Capped at one second, the
    // server is serving again about a second after the database is (docs/reliability.md).
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    onnotice: options.onnotice ?? (() => {}),
    // OCOMMS_TRACE_SEND counts the statements of a traced send (src/trace/send-timeline.ts).
    ...(tracingStatements && { debug: () => countStatement() }),
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    connection: {
      application_name: 'ocomms',
      // A session left idle inside a transaction (its client wedged, e.g. by a connection lost
      // mid-transaction) is ended by PostgreSQL, so its row locks cannot block a conversation.
      idle_in_transaction_session_timeout: 15_000,
      // Each prepared statement is planned once per connection, not at every execution. The
      // server's statements look rows up by key, often for arrays of keys (`unnest`), where
      // PostgreSQL's default judged a plan for the actual array cheaper and planned again every
      // time: planning then outweighed execution on the send path (docs/performance.md).
      // Search, whose plans depend on its words, asks for its own plans (src/search/settings.ts).
      plan_cache_mode: 'force_generic_plan',
    },
  }) as unknown as Sql
}
