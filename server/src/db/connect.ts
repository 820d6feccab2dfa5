import postgres from 'postgres'

export type Sql = postgres.Sql<Record<string, never>>
export type TxSql = postgres.TransactionSql<Record<string, never>>

export interface ConnectOptions {
  max?: number
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
    connect_timeout: 10,
    onnotice: options.onnotice ?? (() => {}),
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    connection: { application_name: 'ocomms' },
  }) as unknown as Sql
}
