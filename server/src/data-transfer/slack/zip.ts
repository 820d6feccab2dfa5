import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import { OCommsError } from '@ocomms/shared'

/**
 * Reading a ZIP someone handed us, defensively: only its central directory is listed (no entry is
 * read until asked for), a name that climbs out (`../`), starts at the root or holds a backslash
 * or NUL refuses the whole archive, and an entry is read only up to a size limit, counting the
 * bytes actually inflated (so a lying header or a zip bomb stops at the limit too).
 */

export interface ZipLimits {
  /** The largest entry read into memory (a conversation's day, users.json), in bytes. */
  maxEntryBytes: number
  /** The most entries an archive may hold. */
  maxEntries: number
}

export const defaultZipLimits: ZipLimits = { maxEntryBytes: 256 * 1024 * 1024, maxEntries: 2_000_000 }

const bad = (message: string) => new OCommsError('invalid_input', message)

export interface ZipArchive {
  /** Entry names (files only), in archive order. */
  names(): string[]
  has(name: string): boolean
  /** An entry's text (UTF-8). */
  text(name: string): Promise<string>
  close(): void
}

export function unsafeName(name: string): boolean {
  return name.startsWith('/') || /^[a-z]:/i.test(name) || name.includes('\\') || name.includes('\0') || name.split('/').some((part) => part === '..')
}

export async function openZip(path: string, limits: ZipLimits = defaultZipLimits): Promise<ZipArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    // strictFileNames off: our own check below gives the clearer sentence.
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true }, (err, z) =>
      err || !z ? reject(bad(`${path} is not a readable ZIP archive (${err?.message ?? 'unknown error'})`)) : resolve(z),
    ),
  )
  const entries = new Map<string, yauzl.Entry>()
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (unsafeName(entry.fileName)) return reject(bad(`the archive holds an entry named "${entry.fileName}", outside the archive's folder: refused`))
        if (entries.size >= limits.maxEntries) return reject(bad(`the archive holds more than ${limits.maxEntries} entries`))
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry)
        zip.readEntry()
      })
      zip.once('end', () => resolve())
      zip.once('error', (err: Error) => {
        // yauzl refuses such names itself before we see the entry: the same sentence either way.
        const named = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(err.message)
        reject(bad(named ? `the archive holds an entry named "${named[1]}", outside the archive's folder: refused` : `the archive is damaged: ${err.message}`))
      })
      zip.readEntry()
    })
  } catch (err) {
    zip.close()
    throw err
  }
  return {
    names: () => [...entries.keys()],
    has: (name) => entries.has(name),
    async text(name) {
      const entry = entries.get(name)
      if (!entry) throw bad(`the archive has no ${name}`)
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw bad(`${name} is ${entry.uncompressedSize} bytes, more than the ${limits.maxEntryBytes} this import reads from one entry`)
      }
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err || !s ? reject(bad(`cannot read ${name}: ${err?.message ?? 'unknown error'}`)) : resolve(s))),
      )
      const chunks: Buffer[] = []
      let size = 0
      try {
        for await (const chunk of stream) {
          size += (chunk as Buffer).length
          if (size > limits.maxEntryBytes) {
            stream.destroy()
            throw bad(`${name} inflates to more than ${limits.maxEntryBytes} bytes: refused`)
          }
          chunks.push(chunk as Buffer)
        }
      } catch (err) {
        if (err instanceof OCommsError) throw err
        throw bad(`cannot read ${name}: ${(err as Error).message}`)
      }
      return Buffer.concat(chunks).toString('utf8')
    },
    close: () => zip.close(),
  }
}
