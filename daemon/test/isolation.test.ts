import t from 'tap'
import { execFile } from 'node:child_process'
import { chmod, readdir, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { connectDaemon } from '../src/index.js'
import { home, runDaemon, until } from './helpers.js'

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0

/** The inodes of the sockets a process holds open (from /proc/<pid>/fd). */
async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const m = /^socket:\[(\d+)\]$/.exec(target)
    if (m) inodes.add(m[1]!)
  }
  return inodes
}

/** Every inet socket (TCP listening or UDP bound) in /proc/net whose inode is one of `inodes`. */
async function inetSocketsOf(inodes: Set<string>): Promise<string[]> {
  const found: string[] = []
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const text = await readFile(`/proc/net/${table}`, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (cols.length > 9 && inodes.has(cols[9]!)) found.push(`${table} ${cols[1]} state ${cols[3]}`)
    }
  }
  return found
}

t.test('the daemon listens on its Unix socket only: no TCP or UDP socket at all', async (t) => {
  const dir = await home(t)
  const d = runDaemon(dir)
  const client = await until(() => connectDaemon({ home: dir, start: false }).catch(() => null))
  t.teardown(() => client.close())
  const pid = d.child.pid!
  t.equal((await client.request('daemon.status', {})).pid, pid)
  const inodes = await socketInodes(pid)
  t.ok(inodes.size > 0, 'the probe sees the daemon\'s sockets (so an empty answer below means something)')
  t.same(await inetSocketsOf(inodes), [], 'none of them is an inet socket')
  // And the probe itself can see an inet listener, so it is not blind.
  const own = await socketInodes(process.pid)
  const { createServer } = await import('node:net')
  const probe = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => probe.once('listening', r))
  const after = await socketInodes(process.pid)
  const added = new Set([...after].filter((i) => !own.has(i)))
  t.ok((await inetSocketsOf(added)).length >= 1, 'a TCP listener is detected by the same probe')
  probe.close()
})

t.test('another OS user cannot connect to the daemon socket', { skip: isRoot ? false : 'needs root to create a throwaway user (useradd) and run as it (runuser)' }, async (t) => {
  const user = `ocprobe${process.pid}`.slice(0, 30)
  await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user])
  t.teardown(() => run('userdel', [user]).catch(() => {}))

  const dir = await home(t)
  runDaemon(dir)
  const client = await until(() => connectDaemon({ home: dir, start: false }).catch(() => null))
  t.teardown(() => client.close())
  const socket = join(dir, 'daemon.sock')

  /** Connects to the socket as `user`; prints the error code, or OK on success. */
  const attempt = async () => {
    const script = `const s=require('net').createConnection(${JSON.stringify(socket)});s.on('connect',()=>{console.log('OK');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`
    const { stdout } = await run('runuser', ['-u', user, '--', process.execPath, '-e', script], { cwd: '/' })
    return stdout.trim()
  }

  t.equal(await attempt(), 'EACCES', 'the home (0700) keeps them out')

  // The socket's own 0600 is a second wall: even with the home traversable, no entry.
  await chmod(dir, 0o711)
  try {
    t.equal(await attempt(), 'EACCES', 'the socket (0600) keeps them out on its own')
  } finally {
    await chmod(dir, 0o700)
  }

  // The probe works: a socket that others may open is reached by the same user.
  const { createServer } = await import('node:net')
  const open = join('/tmp', `ocomms-probe-${process.pid}.sock`)
  const srv = createServer().listen(open)
  await new Promise((r) => srv.once('listening', r))
  await chmod(open, 0o666)
  const script = `const s=require('net').createConnection(${JSON.stringify(open)});s.on('connect',()=>{console.log('OK');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`
  const { stdout } = await run('runuser', ['-u', user, '--', process.execPath, '-e', script], { cwd: '/' })
  t.equal(stdout.trim(), 'OK', 'the same user reaches a world-writable socket: the refusals above are the permissions at work')
  srv.close()

  t.equal((await client.request('daemon.status', {})).apiVersion, 1, 'the owner still gets in')
})
