import { chmod, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Makes a folder and everything in it its owner's alone: folders 0700, files 0600. For copies
 * (a backup's file store, a restored one), which keep the modes of what they copied.
 */
export async function ownerOnly(dir: string): Promise<void> {
  await chmod(dir, 0o700)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await ownerOnly(path)
    else if (entry.isFile()) await chmod(path, 0o600)
  }
}
