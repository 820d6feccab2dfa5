import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { driverAddress } from './address.js'

export const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url))

// Any constant shared by every OComms process; serialises concurrent starts.
const MIGRATION_LOCK = 0x6f636f6d

export interface Migration {
  id: number
  name: string
  file: string
}

/** The migrations shipped with this server: `NNNNN_name/index.sql`, in number order. */
export function listMigrations(): Migration[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[0-9]{5}_/.test(d.name))
    .map((d) => ({ id: Number(d.name.slice(0, 5)), name: d.name.slice(6), file: join(migrationsDir, d.name, 'index.sql') }))
    .sort((a, b) => a.id - b.id)
}

export interface MigrateOptions {
  log?: (message: string) => void
  /** Stop after this migration (tests start from an older schema). */
  upTo?: number
}

/**
 * Applies, in number order and in one transaction, every migration in `server/migrations` the
 * database has not recorded. Numbers may have gaps: features developed side by side reserve
 * their numbers, and whichever lands later is still applied (by set, not by "highest seen").
 * The `migrations` table is the one earlier versions wrote, so existing databases carry on.
 * Several server processes may start at once: a session advisory lock on a dedicated single
 * connection makes the others wait and then find nothing to do.
 */
export async function migrate(url: string, options: MigrateOptions | ((message: string) => void) = {}): Promise<Migration[]> {
  const { log, upTo } = typeof options === 'function' ? { log: options, upTo: undefined } : options
  const address = driverAddress(url)
  const sql = postgres(address.url, { path: address.path, max: 1, onnotice: () => {} })
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`
    await sql`
      create table if not exists migrations (
        migration_id serial primary key,
        created_at timestamp with time zone not null default now(),
        name text
      )`
    const done = new Set((await sql<{ id: number }[]>`select migration_id as id from migrations`).map((r) => r.id))
    const pending = listMigrations().filter((m) => !done.has(m.id) && (upTo === undefined || m.id <= upTo))
    await sql.begin(async (tx) => {
      for (const m of pending) {
        log?.(`applying migration ${m.id} (${m.name})`)
        await tx.file(m.file)
        await tx`insert into migrations (migration_id, name) values (${m.id}, ${m.name.replace(/[-_]/g, ' ')})`
      }
    })
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`
    return pending
  } finally {
    await sql.end({ timeout: 5 })
  }
}
