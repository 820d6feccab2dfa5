import postgres from 'postgres'

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
  return postgres(url, {
    max: options.max ?? 20,
    idle_timeout: 60,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: options.onnotice ?? (() => {}),
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    // A session left idle inside a transaction (its client wedged, e.g. by a connection lost
    // mid-transaction) is ended by PostgreSQL, so its row locks cannot block a conversation.
    connection: { application_name: 'ocomms', idle_in_transaction_session_timeout: 15_000 },
  }) as unknown as Sql
}
