import type { Sql, TxSql } from '../db/connect.js'

/** Longest a search statement may run before it is cut off with a request to narrow it. */
export const STATEMENT_TIMEOUT = '10s'

/**
 * Runs search statements in a transaction of their own settings:
 * - planned for their own words and scope (`force_custom_plan`): a generic plan, which the
 *   server's other statements use (src/db/connect.ts), cannot tell a rare word from a common
 *   one, or a big scope from a small one;
 * - cut off after STATEMENT_TIMEOUT;
 * - the trigram thresholds of name search.
 *
 * The settings go down the connection ahead of `fn`'s first statement without a round trip of
 * their own. They are sent at once (`execute`): the driver sends a query when it is first
 * awaited, and `fn` awaits its first one before Promise.all would await the settings.
 */
export async function searchTransaction<T>(sql: Sql, fn: (tx: TxSql) => Promise<T>): Promise<T> {
  const result = await sql.begin(async (tx) => {
    const settings = tx`select set_config('plan_cache_mode', 'force_custom_plan', true),
                               set_config('statement_timeout', ${STATEMENT_TIMEOUT}, true),
                               set_config('pg_trgm.similarity_threshold', '0.2', true),
                               set_config('pg_trgm.word_similarity_threshold', '0.5', true)`.execute()
    const [, out] = await Promise.all([settings, fn(tx)])
    return out
  })
  return result as T
}
