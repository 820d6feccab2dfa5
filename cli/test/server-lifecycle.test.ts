import t from 'tap'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../server/src/net/free-port.js'
import { freshDatabase } from '../../server/test/helpers/database.js'
import { exited, spawnServer } from '../../server/test/helpers/process.js'
import { runOcomms } from './helpers/cli.js'

// The installed server has one way to start, stop, restart and see it, and every way uses the
// settings install.sh recorded (server.env): the same data directory and port each time.
t.test('ocomms server start --background | status | restart | stop, and npm start, use the recorded settings', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-install-'))
  await chmod(dir, 0o700)
  const db = await freshDatabase()
  const port = await freePort()
  const dataDir = join(dir, 'data')
  const settings = join(dir, 'server.env')
  await writeFile(settings, `# as install.sh writes it\nOCOMMS_HOST=127.0.0.1\nOCOMMS_PORT=${port}\nOCOMMS_DATA_DIR=${dataDir}\nDATABASE_URL=${db.url}\n`, { mode: 0o600 })
  // No OCOMMS_DATA_DIR or port in the environment: only the file says where.
  const env: NodeJS.ProcessEnv = { OCOMMS_SERVER_ENV: settings, OCOMMS_DATA_DIR: '', OCOMMS_PORT: '', OCOMMS_HOST: '', DATABASE_URL: '', OCOMMS_LOG_LEVEL: 'warn' }
  const ocomms = (args: string[]) => runOcomms(join(dir, 'home'), args, { env, timeoutMs: 60_000 })
  t.teardown(async () => {
    await ocomms(['server', 'stop'])
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  })

  const before = await ocomms(['--json', 'server', 'status'])
  t.equal(before.code, 3, 'status exits 3 while no server runs')
  t.match(JSON.parse(before.stdout), { running: false, dataDir, url: `http://127.0.0.1:${port}` })

  const started = await ocomms(['--json', 'server', 'start', '--background'])
  t.equal(started.code, 0, started.stderr)
  t.match(started.stderr, new RegExp(`listening on http://127.0.0.1:${port}`))
  const first = JSON.parse(started.stdout) as { pid: number }
  t.equal(Number((await readFile(join(dataDir, 'server.pid'), 'utf8')).trim()), first.pid, 'the server keeps its pid in the recorded data directory')
  t.ok((await fetch(`http://127.0.0.1:${port}/health`)).ok)

  const running = await ocomms(['server', 'status'])
  t.equal(running.code, 0)
  t.match(running.stdout, /server: +running/)
  t.match(running.stdout, new RegExp(`data dir: +${dataDir}`))
  const again = await ocomms(['server', 'start', '--background'])
  t.equal(again.code, 0)
  t.match(again.stderr, /already running/, 'a second start leaves the running one alone')

  const restarted = await ocomms(['--json', 'server', 'restart'])
  t.equal(restarted.code, 0, restarted.stderr)
  const second = JSON.parse(restarted.stdout) as { pid: number }
  t.not(second.pid, first.pid, 'a new process')
  t.ok((await fetch(`http://127.0.0.1:${port}/health`)).ok, 'on the same port')

  const stopped = await ocomms(['server', 'stop'])
  t.equal(stopped.code, 0, stopped.stderr)
  t.match(stopped.stderr, new RegExp(`Stopped the server \\(pid ${second.pid}\\)`))
  t.notOk(existsSync(join(dataDir, 'server.pid')), 'the pid file goes with it')
  t.equal((await ocomms(['server', 'status'])).code, 3)
  t.equal((await ocomms(['server', 'stop'])).code, 0, 'stopping a stopped server is no error')

  // `npm start` runs server/dist/main.js: the same settings.
  const main = new URL('../../server/dist/main.js', import.meta.url).pathname
  const npmStart = await spawnServer([main], { ...process.env, ...env })
  t.equal(npmStart.url, `http://127.0.0.1:${port}`, 'npm start listens where install.sh said')
  t.equal((await ocomms(['server', 'status'])).code, 0, 'and status sees it')
  t.equal((await ocomms(['server', 'stop'])).code, 0)
  t.equal(await exited(npmStart.child), 0, 'stop ends it cleanly')
})
