import t from 'tap'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { callHttp, uploadHttp } from '@ocomms/shared'
import { alive, freePort } from '../src/index.js'
import { tempDir } from './helpers/temp-dir.js'

const run = promisify(execFile)
const repo = fileURLToPath(new URL('../../', import.meta.url))
const mainJs = join(repo, 'server/dist/main.js')
const asRoot = process.getuid?.() === 0

interface Entry {
  path: string
  mode: number
  uid: number
  kind: string
}

async function walk(dir: string, into: Entry[] = []): Promise<Entry[]> {
  const s = await lstat(dir)
  into.push({ path: dir, mode: s.mode & 0o7777, uid: s.uid, kind: 'folder' })
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await walk(path, into)
    else {
      const e = await lstat(path)
      into.push({ path, mode: e.mode & 0o7777, uid: e.uid, kind: entry.isSocket() ? 'socket' : entry.isSymbolicLink() ? 'link' : 'file' })
    }
  }
  return into
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0')

/**
 * The whole life of an install, as another user on the machine would find it: `install.sh`
 * (its npm steps skipped: the build is there already) starts the server on its embedded
 * PostgreSQL; people sign up, write in a private channel, upload a file, ask for a sign-in
 * link (written to the development mail folder); a backup is taken; the server stops. Then
 * no file or folder in the data dir or the backup may be readable or writable by anyone but
 * its owner. The one exception: as root, PostgreSQL runs as the `postgres` user, which must
 * pass through the data dir to reach its own folder, so the data dir may be 0710.
 */
t.test('install.sh and a full run leave nothing readable by other users: data dir, log, PostgreSQL, files, mails, backup', async (t) => {
  // Directly under the temp folder: as root, the postgres user must traverse the data dir's parents.
  const data = await mkdtemp(join(tmpdir(), 'ocomms-modes-'))
  await chmod(data, 0o755)
  t.teardown(() => rm(data, { recursive: true, force: true }))
  const backups = await tempDir(t, 'ocomms-modes-backup-')
  const bin = await tempDir(t, 'ocomms-modes-bin-')
  await writeFile(join(bin, 'npm'), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    OCOMMS_HOST: '127.0.0.1',
    OCOMMS_PORT: String(port),
    OCOMMS_DATA_DIR: data,
    OCOMMS_DEV_MAIL_DIR: join(data, 'mail'),
    OCOMMS_LOG_LEVEL: 'info',
  }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  const pidOf = async () => Number((await readFile(join(data, 'server.pid'), 'utf8').catch(() => '')).trim())
  const stop = async () => {
    const pid = await pidOf()
    if (!pid || !alive(pid)) return
    process.kill(pid, 'SIGTERM')
    for (let waited = 0; alive(pid) && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100))
  }
  t.teardown(stop)

  const installed = await run('bash', [join(repo, 'install.sh'), '--no-link'], { env, timeout: 120_000 })
  t.match(installed.stdout, /OComms is installed/)
  const url = `http://127.0.0.1:${port}`

  const me = await callHttp(url, 'auth.signup', { email: 'ada@example.test', password: 'a long enough secret', name: 'Ada', handle: 'ada' })
  const ws = await callHttp(url, 'workspace.create', { name: 'Acme' }, { token: me.token })
  const secret = await callHttp(url, 'channel.create', { workspaceId: ws.id, name: 'secret', private: true }, { token: me.token })
  await callHttp(url, 'message.send', { conversationId: secret.id, text: 'the plan', clientId: randomUUID() }, { token: me.token })
  await uploadHttp(url, { conversationId: secret.id, name: 'plan.txt', clientId: randomUUID() }, Buffer.from('the secret plan'), { token: me.token })
  await callHttp(url, 'auth.magicLink.request', { email: 'ada@example.test' })
  for (let i = 0; i < 100 && (await readdir(join(data, 'mail')).catch(() => [])).length === 0; i++) await new Promise((r) => setTimeout(r, 50))
  const out = join(backups, 'b1')
  await run(process.execPath, [mainJs, 'backup', out, '--data-dir', data], { env })
  // The pid file lives as long as the server: its mode is checked while it runs.
  t.equal((await stat(join(data, 'server.pid'))).mode & 0o077, 0, 'server.pid is the owner\'s alone')
  await stop()

  const entries = [...(await walk(data)), ...(await walk(backups)).filter((e) => e.path !== backups)]
  const names = entries.map((e) => e.path)
  for (const wanted of ['server.log', 'postgres.secret', 'postgres/PG_VERSION', 'files', 'mail']) {
    t.ok(names.includes(join(data, wanted)), `${wanted} is there`)
  }
  t.ok(entries.some((e) => e.path.startsWith(join(data, 'files')) && e.kind === 'file'), 'the uploaded file is there')
  t.ok(entries.some((e) => e.path.startsWith(join(out, 'files')) && e.kind === 'file'), 'and in the backup')
  t.ok(entries.some((e) => e.path.startsWith(join(data, 'mail')) && e.kind === 'file'), 'the mail is there')

  const open: string[] = []
  for (const e of entries) {
    const allowed = asRoot && e.path === data ? 0o010 : 0
    if ((e.mode & 0o077 & ~allowed) !== 0 || (e.mode & 0o7000) !== 0) open.push(`${e.path} ${octal(e.mode)}`)
  }
  t.same(open, [], `nothing is open to other users (${entries.length} entries checked)`)
  if (asRoot) {
    const pg = entries.find((e) => e.path === join(data, 'postgres'))!
    t.not(pg.uid, 0, 'PostgreSQL runs as its own user and owns its folder')
  }
})
