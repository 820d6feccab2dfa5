import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The server depends on fixes to three of its dependencies (patches/, applied by npm's postinstall
 * through patch-package; why each exists is in docs/patches.md). An install that skipped them
 * (`npm ci --ignore-scripts`, a copied node_modules) still starts, and then fails under load or
 * on a database restart: a lost transaction, a hung backup, a crashed process. So the server
 * checks before it starts that every fix is in the copy of the package it actually loads.
 *
 * Each fix carries a marker comment, `ocomms-patch: <id>`, in the file it changes; this lists
 * them. A test keeps this list and the markers in patches/*.patch the same.
 */
export interface PatchedPackage {
  name: string
  /** Where the package is loaded from: the server itself, or the package that requires it. */
  loadedBy: string[]
  /** Files of the package (from its folder) and the fixes each must carry. */
  files: Record<string, string[]>
}

export const PATCHED: PatchedPackage[] = [
  {
    name: 'postgres',
    loadedBy: ['@ocomms/server'],
    // The ES module build, which is the one `import postgres from 'postgres'` loads.
    files: {
      'src/connection.js': ['begin-reserves', 'closed-write', 'drain-reserved', 'copy-resume', 'unsent-dropped', 'reserve-requeued'],
      'src/index.js': ['lost-transaction', 'reserve-requeued', 'reserve-lost'],
      'src/queue.js': ['reserve-requeued'],
    },
  },
  {
    name: 'engine.io',
    loadedBy: ['socket.io'],
    files: { 'build/socket.js': ['flush-per-tick'], 'build/transports/websocket.js': ['cork-queued'] },
  },
  {
    name: 'socket.io-adapter',
    loadedBy: ['socket.io', '@socket.io/redis-adapter'],
    files: { 'dist/in-memory-adapter.js': ['big-broadcast-writes-now'] },
  },
]

const here = fileURLToPath(import.meta.url)

/** The folder of the copy of `name` that code in `fromFile` gets from require(). */
function packageFolder(name: string, fromFile: string): string {
  let dir = dirname(createRequire(fromFile).resolve(name))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`cannot find the folder of ${name} (resolved from ${fromFile})`)
    dir = up
  }
}

/** The copies of the patched packages this server loads, found the way Node finds them. */
export function installedCopies(patched: PatchedPackage[] = PATCHED): Array<{ pkg: PatchedPackage; folder: string }> {
  const copies = new Map<string, PatchedPackage>()
  for (const pkg of patched) {
    for (const by of pkg.loadedBy) {
      const from = by === '@ocomms/server' ? here : createRequire(here).resolve(by)
      copies.set(packageFolder(pkg.name, from), pkg)
    }
  }
  return [...copies].map(([folder, pkg]) => ({ pkg, folder }))
}

/** What is missing, one line per file (none when every fix is in place). */
export function missingPatches(copies = installedCopies()): string[] {
  const missing: string[] = []
  for (const { pkg, folder } of copies) {
    for (const [file, fixes] of Object.entries(pkg.files)) {
      const path = join(folder, file)
      const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
      const absent = fixes.filter((id) => !text.includes(`ocomms-patch: ${id}.`))
      if (absent.length > 0) missing.push(`${path} lacks ${absent.join(', ')}`)
    }
  }
  return missing
}

/** The folder npm installed into (the one holding node_modules), for the message. */
function installRoot(copies: Array<{ folder: string }>): string {
  const folder = copies[0]?.folder ?? here
  const at = folder.indexOf(`${sep}node_modules${sep}`)
  return at > 0 ? folder.slice(0, at) : dirname(folder)
}

/**
 * Throws, with what to do, when a fix is missing. Finding the packages as Node does and reading
 * five files (about 60 kB) takes about 10 ms, once per start.
 */
export function assertPatchesApplied(copies = installedCopies()): void {
  const missing = missingPatches(copies)
  if (missing.length === 0) return
  throw new Error(
    `this installation lacks fixes OComms needs in its dependencies (docs/patches.md):\n  ${missing.join('\n  ')}\n` +
      `They are applied after npm installs (postinstall), which \`npm ci --ignore-scripts\` skips. ` +
      `Apply them with \`npx patch-package --error-on-fail\` in ${installRoot(copies)} (or run \`npm ci\` there again), then start again.`,
  )
}
