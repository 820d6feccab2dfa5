import t from 'tap'
import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ocommsBin } from './helpers/cli.js'

/**
 * cli/bin/ocomms.js runs the one-file bundle (scripts/bundle-cli.mjs) only while it is newer than
 * the CLI's last compile; otherwise the modules, so a `tsc -b` without a new bundle never runs
 * stale code. Checked on a copy of the launcher beside stand-ins that say which one ran.
 */
async function layout(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-launcher-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'bin'))
  await mkdir(join(dir, 'dist'))
  await copyFile(ocommsBin, join(dir, 'bin', 'ocomms.js'))
  // The launcher's own import (@ocomms/shared) resolves as it does in the repository.
  await symlink(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(dir, 'node_modules'))
  await writeFile(join(dir, 'dist', 'main.js'), "console.log('modules')\n")
  await writeFile(join(dir, 'dist', 'ocomms.bundle.js'), "console.log('bundle')\n")
  await writeFile(join(dir, 'tsconfig.tsbuildinfo'), '{}')
  const at = (path: string, seconds: number) => utimes(join(dir, path), seconds, seconds)
  const run = () => spawnSync(process.execPath, [join(dir, 'bin', 'ocomms.js')], { encoding: 'utf8' }).stdout.trim()
  return { dir, at, run }
}

t.test('a bundle newer than the last compile runs', async (t) => {
  const l = await layout(t)
  await l.at('tsconfig.tsbuildinfo', 1_000_000)
  await l.at('dist/ocomms.bundle.js', 1_000_100)
  t.equal(l.run(), 'bundle')
})

t.test('a bundle older than the last compile does not: the modules run', async (t) => {
  const l = await layout(t)
  await l.at('dist/ocomms.bundle.js', 1_000_000)
  await l.at('tsconfig.tsbuildinfo', 1_000_100)
  t.equal(l.run(), 'modules')
})

t.test('no bundle: the modules run', async (t) => {
  const l = await layout(t)
  await rm(join(l.dir, 'dist', 'ocomms.bundle.js'))
  t.equal(l.run(), 'modules')
})

t.test('the build made by the test runner is the bundle, and it answers', async (t) => {
  const cli = new URL('../', import.meta.url)
  t.ok(statSync(new URL('dist/ocomms.bundle.js', cli)).mtimeMs >= statSync(new URL('tsconfig.tsbuildinfo', cli)).mtimeMs, 'the bundle is fresh')
  const res = spawnSync(process.execPath, [ocommsBin, '--version'], { encoding: 'utf8' })
  t.equal(res.status, 0)
  t.match(res.stdout, /^\d+\.\d+\.\d+/)
})
