import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate, startEmbeddedDatabase } from '@ocomms/server'
import postgres from 'postgres'

export interface BenchDatabase {
  url: string
  /** What the server connects with: for the embedded cluster its Unix socket, as in the product. */
  serverUrl: string
  where: string
  /** CPU seconds PostgreSQL used so far (embedded only: a shared server's CPU is not ours). */
  cpu(): Promise<number | null>
  stop(): Promise<void>
}

/**
 * A database of its own for the run: a fresh one on the server in DATABASE_URL (dropped at
 * the end), or, as the product does by default, an embedded PostgreSQL in a temporary folder.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  const admin = process.env.DATABASE_URL
  let url: string
  let serverUrl: string
  let where: string
  let stop: () => Promise<void>
  let cpu: () => Promise<number | null> = async () => null
  if (admin) {
    const name = `ocomms_bench_${randomBytes(5).toString('hex')}`
    const sql = postgres(admin, { max: 1, onnotice: () => {} })
    await sql.unsafe(`create database ${name}`)
    await sql.end()
    const u = new URL(admin)
    u.pathname = `/${name}`
    url = serverUrl = u.toString()
    where = `DATABASE_URL (${u.host}), database ${name}`
    stop = async () => {
      const a = postgres(admin, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    }
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'ocomms-bench-pg-'))
    const db = await startEmbeddedDatabase(dir)
    url = db.url
    serverUrl = db.localUrl
    where = `embedded PostgreSQL (the default deployment${db.localUrl === db.url ? '' : ', over its Unix socket'})`
    cpu = () => treeCpu(join(dir, 'postgres', 'postmaster.pid'))
    stop = async () => {
      await db.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  await migrate(url)
  return { url, serverUrl, where, cpu, stop }
}

const ticks = (fields: string[], from: number, count: number) =>
  fields.slice(from, from + count).reduce((s, v) => s + Number(v), 0) / 100

/** The postmaster's CPU, its finished children's, and its live children's (the backends). */
async function treeCpu(pidFile: string): Promise<number | null> {
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0])
  let total = 0
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null)
    if (!stat) continue
    // Fields after the command name: state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14].
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
    if (Number(entry) === pid) total += ticks(fields, 11, 4)
    else if (Number(fields[1]) === pid) total += ticks(fields, 11, 2)
  }
  return total
}

/** What PostgreSQL counted so far: commits, WAL, checkpoints and autovacuum runs (see dbCounters). */
export interface DbCounters {
  commits: number
  walRecords: number
  walBytes: number
  checkpoints: number
  autovacuums: number
}

/**
 * PostgreSQL's own counters, read between two points of a scenario: transactions and WAL per
 * message do not depend on how loaded the machine is, and checkpoints or autovacuum runs during
 * a step say what else the disk and the database did meanwhile. Backends report their counts
 * to the statistics within a second of being idle, so read them after a pause.
 */
export async function dbCounters(url: string): Promise<DbCounters> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [db] = await sql<{ commits: number }[]>`select xact_commit::float8 as commits from pg_stat_database where datname = current_database()`
    const [wal] = await sql<{ records: number; bytes: number }[]>`select wal_records::float8 as records, wal_bytes::float8 as bytes from pg_stat_wal`
    // PostgreSQL 17 moved the checkpoint counts to their own view.
    const [{ v } = { v: null }] = await sql<{ v: string | null }[]>`select to_regclass('pg_catalog.pg_stat_checkpointer')::text as v`
    const [cp] = v
      ? await sql<{ n: number }[]>`select (num_timed + num_requested)::float8 as n from pg_stat_checkpointer`
      : await sql<{ n: number }[]>`select (checkpoints_timed + checkpoints_req)::float8 as n from pg_stat_bgwriter`
    const [av] = await sql<{ n: number }[]>`select coalesce(sum(autovacuum_count + autoanalyze_count), 0)::float8 as n from pg_stat_user_tables`
    return { commits: db!.commits, walRecords: wal!.records, walBytes: wal!.bytes, checkpoints: cp!.n, autovacuums: av!.n }
  } finally {
    await sql.end()
  }
}
