import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

/** The PostgreSQL that `npm test` started (or DATABASE_URL); each test file gets its own database on it. */
export function adminUrl(): string {
  const url = process.env.OCOMMS_TEST_DATABASE_URL ?? process.env.DATABASE_URL
  if (!url) throw new Error('Run the tests with `npm test`: it starts PostgreSQL and sets OCOMMS_TEST_DATABASE_URL.')
  return url
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Creates an empty database and returns its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ocomms_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database ${name}`)
  } finally {
    await admin.end()
  }
  return {
    url: withDatabase(adminUrl(), name),
    async drop() {
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`)
      } finally {
        await a.end()
      }
    },
  }
}

/** Every public table's rows as text, sorted: two databases hold the same data when these are equal. */
export async function dumpTables(url: string): Promise<Record<string, string[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const tables = await sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' order by 1`
    const out: Record<string, string[]> = {}
    for (const { tablename } of tables) {
      if (tablename === 'migrations') continue
      const rows = await sql.unsafe(`select t::text as r from "${tablename}" t order by 1`)
      out[tablename] = rows.map((r) => r.r as string)
    }
    return out
  } finally {
    await sql.end()
  }
}
