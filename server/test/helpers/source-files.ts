import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Every TypeScript file under `dir`, for the tests that hold a rule to one place in the source. */
export async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)))
    else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out
}
