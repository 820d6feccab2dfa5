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
