import t from 'tap'
import { spawn } from 'node:child_process'
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertPatchesApplied, installedCopies, missingPatches, PATCHED } from '../src/patches-check.js'
import { GUI_PATCHED } from '../../gui/patched-dependencies.js'
import { tempDir } from './helpers/temp-dir.js'

// The start-up check of patches-check.ts: the installed dependencies pass it, its list (with the
// web app's, which the app's build checks: gui/patched-dependencies.ts) agrees with patches/, and
// a server whose dependencies lack a fix refuses to start and says what to run.

const root = fileURLToPath(new URL('../../', import.meta.url))

t.test('the installed dependencies carry every fix', async (t) => {
  t.same(missingPatches(), [])
  t.same(
    installedCopies().map((c) => c.pkg.name).sort(),
    PATCHED.map((p) => p.name).sort(),
    'one copy of each patched package (npm deduplicated them)',
  )
})

t.test('the list of fixes is the one in patches/', async (t) => {
  // Every `ocomms-patch: <id>.` a patch adds, per package and file, read from patches/*.patch.
  const inPatches: Record<string, Record<string, string[]>> = {}
  for (const name of (await readdir(join(root, 'patches'))).filter((f) => f.endsWith('.patch'))) {
    let file = ''
    let pkg = ''
    for (const line of (await readFile(join(root, 'patches', name), 'utf8')).split('\n')) {
      const header = /^\+\+\+ b\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(line)
      if (header) [, pkg, file] = header as unknown as [string, string, string]
      const marker = /^\+.*ocomms-patch: ([a-z-]+)\./.exec(line)
      if (marker) ((inPatches[pkg] ??= {})[file] ??= []).push(marker[1]!)
    }
  }
  const listed = Object.fromEntries([...PATCHED, ...GUI_PATCHED].map((p) => [p.name, Object.fromEntries(Object.entries(p.files).map(([f, ids]) => [f, [...ids].sort()]))]))
  for (const files of Object.values(inPatches)) for (const f of Object.keys(files)) files[f] = [...new Set(files[f])].sort()
  t.same(inPatches, listed)
})

/** A copy of the installed postgres in `dir`/node_modules, without the fix `id`. */
async function postgresWithout(dir: string, id: string): Promise<string> {
  const [installed] = installedCopies().filter((c) => c.pkg.name === 'postgres')
  const folder = join(dir, 'node_modules', 'postgres')
  await cp(installed!.folder, folder, { recursive: true })
  const file = join(folder, 'src', 'connection.js')
  await writeFile(file, (await readFile(file, 'utf8')).replaceAll(`ocomms-patch: ${id}.`, 'the fix was here.'))
  return folder
}

t.test('a copy without a fix fails the check, which says which and what to run', async (t) => {
  const dir = await tempDir(t, 'ocomms-patches-')
  const folder = await postgresWithout(dir, 'copy-resume')
  const postgresPkg = PATCHED.find((p) => p.name === 'postgres')!
  t.same(missingPatches([{ pkg: postgresPkg, folder }]), [`${join(folder, 'src', 'connection.js')} lacks copy-resume`])
  t.throws(() => assertPatchesApplied([{ pkg: postgresPkg, folder }]), {
    message: new RegExp(`lacks copy-resume[\\s\\S]*npm ci --ignore-scripts[\\s\\S]*npx patch-package --error-on-fail\` in ${dir}`),
  })
})

t.test('the server refuses to start when its dependencies lack a fix', async (t) => {
  // An installation laid out as npm does: the server's build, and node_modules with every
  // package of this one but postgres, which is a copy without one fix.
  const dir = await tempDir(t, 'ocomms-patches-')
  await mkdir(join(dir, 'node_modules'))
  await postgresWithout(dir, 'drain-reserved')
  for (const entry of await readdir(join(root, 'node_modules'))) {
    if (entry !== 'postgres' && entry !== '.bin') await symlink(join(root, 'node_modules', entry), join(dir, 'node_modules', entry))
  }
  await mkdir(join(dir, 'server'))
  await cp(join(root, 'server', 'package.json'), join(dir, 'server', 'package.json'))
  await cp(join(root, 'server', 'dist'), join(dir, 'server', 'dist'), { recursive: true })
  await symlink(join(root, 'server', 'node_modules'), join(dir, 'server', 'node_modules'))

  const child = spawn(process.execPath, [join(dir, 'server', 'dist', 'main.js'), 'start', '--port', '0', '--data-dir', join(dir, 'data')], {
    env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  t.equal(code, 1, 'it exits with an error')
  t.match(stderr, /lacks drain-reserved/, 'naming the missing fix')
  t.match(stderr, /npx patch-package --error-on-fail` in /, 'and what to run')
  t.notMatch(stderr, /listening on/, 'without listening')
})
