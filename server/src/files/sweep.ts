import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Services } from '../services.js'
import { filesDir, release } from './store.js'

/** Uploads never attached to a message, and temp files of interrupted uploads, are kept this long. */
export const UNATTACHED_TTL_HOURS = 24

/**
 * Removes unattached uploads older than the TTL (their blobs too, when no other file shares
 * them) and stale temp files. A send attaching a file at the same moment wins: the delete
 * skips a row that the send's update has just given a message.
 */
export async function sweepFiles(services: Services, ttlHours = UNATTACHED_TTL_HOURS): Promise<number> {
  const gone = await services.sql<{ sha256: string }[]>`
    delete from files where message_id is null and created_at < now() - make_interval(hours => ${ttlHours})
    returning sha256`
  for (const sha256 of new Set(gone.map((g) => g.sha256))) await release(services, sha256)
  const tmp = join(filesDir(services), 'tmp')
  const cutoff = Date.now() - ttlHours * 3600_000
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const path = join(tmp, name)
    const s = await stat(path).catch(() => null)
    if (s && s.mtimeMs < cutoff) await rm(path, { force: true })
  }
  return gone.length
}

/** Sweeps shortly after start, then hourly; returns a function that stops it. */
export function startSweeper(services: Services): () => void {
  const run = () => {
    sweepFiles(services).catch((err: unknown) => services.log.warn({ err }, 'file sweep failed'))
  }
  const first = setTimeout(run, 60_000)
  const every = setInterval(run, 3600_000)
  first.unref()
  every.unref()
  return () => {
    clearTimeout(first)
    clearInterval(every)
  }
}
