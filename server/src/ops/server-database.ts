import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServerConfig } from '../config.js'
import { startEmbeddedDatabase } from '../db/embedded.js'
import { alive } from '../net/free-port.js'
import { assertPatchesApplied } from '../patches-check.js'

/** The embedded PostgreSQL a running server started in this data dir, if there is one. */
async function runningEmbedded(dataDir: string): Promise<string | null> {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid')
  const secretFile = join(dataDir, 'postgres.secret')
  if (!existsSync(pidFile) || !existsSync(secretFile)) return null
  // postmaster.pid: pid, data dir, start time, port, ...
  const [pid, , , port] = (await readFile(pidFile, 'utf8')).split('\n')
  if (!alive(Number(pid)) || !port) return null
  const password = (await readFile(secretFile, 'utf8')).trim()
  return `postgres://ocomms:${encodeURIComponent(password)}@127.0.0.1:${Number(port)}/postgres`
}

/**
 * Runs `fn` against the server's database, for tools that run beside (or instead of) the server:
 * DATABASE_URL when set; otherwise the embedded PostgreSQL of the data dir, whether the server
 * is running it right now or it has to be started (and stopped again) just for this.
 */
export async function withServerDatabase<T>(config: ServerConfig, fn: (url: string) => Promise<T>, log: (m: string) => void = () => {}): Promise<T> {
  // Backup and restore stream COPY through the patched driver (patches-check.ts).
  assertPatchesApplied()
  if (config.databaseUrl) return fn(config.databaseUrl)
  const running = await runningEmbedded(config.dataDir)
  if (running) return fn(running)
  const db = await startEmbeddedDatabase(config.dataDir, log)
  try {
    return await fn(db.url)
  } finally {
    await db.stop()
  }
}
