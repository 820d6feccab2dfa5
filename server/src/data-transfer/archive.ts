import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { create, extract } from 'tar'
import { OCommsError } from '@ocomms/shared'
import { exportWorkspace, type ExportOptions } from './export.js'
import type { ExportManifest } from './format.js'

/**
 * An export as one .tar.gz file instead of a directory: written beside the target in a private
 * temporary folder, then packed; read by unpacking into one. tar refuses entries that climb out
 * (`..`, absolute paths) and links are not followed out of the folder.
 */

export const isArchive = (path: string) => path.endsWith('.tar.gz') || path.endsWith('.tgz')

export async function exportToArchive(options: Omit<ExportOptions, 'out'> & { file: string }): Promise<ExportManifest> {
  if (existsSync(options.file)) throw new Error(`${options.file} exists; choose a new file for the export`)
  const work = await mkdtemp(join(dirname(options.file), '.ocomms-export-'))
  try {
    const manifest = await exportWorkspace({ ...options, out: join(work, 'export') })
    await create({ gzip: true, cwd: join(work, 'export'), file: options.file, portable: true }, ['.'])
    // It holds private channels, DMs and email addresses: its owner's alone.
    await chmod(options.file, 0o600)
    return manifest
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Unpacks an export archive into a private temporary folder, runs `fn` on it, removes it. */
export async function withUnpackedArchive<T>(file: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(dirname(file), '.ocomms-import-'))
  try {
    try {
      await extract({ file, cwd: work, strict: true, preservePaths: false })
    } catch (err) {
      throw new OCommsError('invalid_input', `${file} is not a readable export archive (${(err as Error).message})`)
    }
    return await fn(work)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
