import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import shift from 'postgres-shift'

export const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url))

// Any constant shared by every OComms process; serialises concurrent starts.
const MIGRATION_LOCK = 0x6f636f6d

/**
 * Applies the numbered SQL migrations in `server/migrations` that the database has not seen,
 * in one transaction. Several server processes may start at once: a session advisory lock on
 * a dedicated single connection makes the others wait and then find nothing to do.
 */
export async function migrate(url: string, log?: (message: string) => void): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`
    await shift({
      sql,
      path: migrationsDir,
      before: ({ migration_id, name }: { migration_id: number; name: string }) =>
        log?.(`applying migration ${migration_id} (${name})`),
    })
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await sql.end({ timeout: 5 })
  }
}
