import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { limits, OCommsError } from '@ocomms/shared'
import type { TxSql } from '../db/connect.js'
import type { Services } from '../services.js'

/**
 * File bytes on disk, content-addressed: `<dataDir>/files/<sha256[0:2]>/<sha256>`. Folders are
 * 0700 and files 0600, whatever the umask: attachments of private channels and DMs are readable
 * by the server's user alone. An upload
 * is streamed into a temp file on the same filesystem while it is hashed and counted, then
 * renamed into place, so identical content is stored once and no reader ever sees half a blob.
 *
 * A blob and the rows that reference it change together under a PostgreSQL advisory lock
 * keyed on the hash: placing a blob happens inside the transaction that inserts its row, and
 * removing a blob happens only after checking, under the same lock, that no row refers to it.
 */

export interface Received {
  tempPath: string
  sha256: string
  size: number
  /** The whole content when it is small enough to keep as text for search; otherwise null. */
  small: Buffer | null
}

export const filesDir = (services: Services) => join(services.config.dataDir, 'files')
const tempDir = (services: Services) => join(filesDir(services), 'tmp')
export const blobPath = (services: Services, sha256: string) => join(filesDir(services), sha256.slice(0, 2), sha256)

export const tooLarge = (limit: number) =>
  new OCommsError('payload_too_large', `Files can be at most ${formatBytes(limit)} on this server.`, { limit })

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`
  return `${n} bytes`
}

/** Streams `source` into a temp file, hashing and counting; refuses beyond `limit` and leaves nothing behind then. */
export async function receive(services: Services, source: Readable, limit: number): Promise<Received> {
  await mkdir(tempDir(services), { recursive: true, mode: 0o700 })
  const tempPath = join(tempDir(services), randomUUID())
  const hash = createHash('sha256')
  let size = 0
  let head: Buffer[] | null = []
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      if (size > limit) return done(tooLarge(limit))
      hash.update(chunk)
      if (head && size <= limits.fileTextContent) head.push(chunk)
      else head = null
      done(null, chunk)
    },
  })
  const out = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 })
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (err: unknown) => {
        if (settled) return
        settled = true
        // Stop reading without destroying the request, so the client still gets the answer.
        source.unpipe(meter)
        meter.destroy()
        out.destroy()
        reject(err)
      }
      source.once('error', fail)
      source.once('close', () => {
        if (!source.readableEnded) fail(new OCommsError('invalid_input', 'The upload was interrupted.'))
      })
      meter.once('error', fail)
      out.once('error', fail)
      out.once('close', () => {
        if (!settled) {
          settled = true
          resolve()
        }
      })
      source.pipe(meter).pipe(out)
    })
  } catch (err) {
    // A refusal in the first chunk can come before the temp file is even opened; the destroyed
    // stream still opens (creating it) and then closes. Removed before that, it would appear after.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()))
    await rm(tempPath, { force: true })
    throw err
  }
  return { tempPath, sha256: hash.digest('hex'), size, small: head ? Buffer.concat(head) : null }
}

const lockHash = (sql: TxSql, sha256: string) => sql`select pg_advisory_xact_lock(hashtextextended(${'file:' + sha256}, 0))`

/**
 * Inside the transaction that will insert the file's row: puts the received bytes in place
 * (or drops them when identical content is already stored).
 */
export async function place(sql: TxSql, services: Services, received: Received): Promise<void> {
  await lockHash(sql, received.sha256)
  const target = blobPath(services, received.sha256)
  const existing = await stat(target).catch(() => null)
  if (existing && existing.size === received.size) {
    await rm(received.tempPath, { force: true })
    return
  }
  await mkdir(join(filesDir(services), received.sha256.slice(0, 2)), { recursive: true, mode: 0o700 })
  await rename(received.tempPath, target)
}

/** Removes a blob no row refers to any more (after a rolled-back upload, or a sweep). */
export async function release(services: Services, sha256: string): Promise<void> {
  await services.sql.begin(async (tx) => {
    const sql = tx as unknown as TxSql
    await lockHash(sql, sha256)
    const [used] = await sql`select 1 from files where sha256 = ${sha256} limit 1`
    if (!used) await rm(blobPath(services, sha256), { force: true })
  })
}

export function openBlob(services: Services, sha256: string): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(blobPath(services, sha256))
    stream.once('open', () => resolve(stream))
    stream.once('error', reject)
  })
}
