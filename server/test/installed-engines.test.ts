import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'

// The README and the root package.json promise a Node version: every installed package must run
// on the oldest one promised (npm only warns when one does not, and the warning is easy to miss).
const root = fileURLToPath(new URL('../../', import.meta.url))

async function* installed(dir: string): AsyncGenerator<{ dir: string; name: string; engines?: { node?: string } }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    if (entry.name.startsWith('@')) {
      yield* installed(join(dir, entry.name))
      continue
    }
    const pkgDir = join(dir, entry.name)
    const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; engines?: { node?: string } }
    if (pkg.name) yield { dir: pkgDir, name: pkg.name, engines: pkg.engines }
    yield* installed(join(pkgDir, 'node_modules'))
  }
}

t.test('every installed package supports the oldest Node the project promises', async (t) => {
  const claimed = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node
  const oldest = semver.minVersion(claimed)!
  t.equal(oldest.major, 20, `the project promises Node 20 (${claimed})`)
  const refused: string[] = []
  let checked = 0
  const folders = [root, ...['shared', 'server', 'daemon', 'cli', 'tui', 'bench'].map((w) => join(root, w))]
  for (const folder of folders) {
    for await (const pkg of installed(join(folder, 'node_modules'))) {
      const range = typeof pkg.engines?.node === 'string' ? pkg.engines.node : null
      if (!range) continue
      checked++
      if (!semver.satisfies(oldest, range)) refused.push(`${pkg.name} (${pkg.dir.slice(root.length)}) needs Node ${range}`)
    }
  }
  t.ok(checked > 100, `${checked} packages declare the Node versions they support`)
  t.same(refused, [], `none refuses Node ${oldest.version}`)
})
