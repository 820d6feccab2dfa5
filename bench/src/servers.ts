import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const serverMain = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url))
const bareMain = fileURLToPath(new URL('./bare-server.ts', import.meta.url))

export interface Proc {
  child: ChildProcess
  url: string
  pid: number
  stop(): Promise<void>
}

function start(entry: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=ocomms-source', ...nodeArgs, entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.OCOMMS_BENCH_SERVER_LOG ? 'pipe' : 'ignore', 'pipe'],
  })
  // OCOMMS_BENCH_SERVER_LOG=FILE keeps the servers' own log (warnings and errors) for a look afterwards.
  if (process.env.OCOMMS_BENCH_SERVER_LOG) child.stdout!.pipe(createWriteStream(process.env.OCOMMS_BENCH_SERVER_LOG, { flags: 'a' }))
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      if (err.length > 20_000) err = err.slice(-10_000)
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        resolve({
          child,
          url: m[1]!,
          pid: child.pid!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done()
              child.once('exit', () => done())
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}): ${err}`)))
  })
}

/** The real OComms server, as `ocomms-server` runs it, on the bench database. */
export function startOComms(
  databaseUrl: string,
  options: { env?: Record<string, string>; profileDir?: string; main?: string } = {},
): Promise<Proc> {
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []
  return start(options.main ?? serverMain, ['--port', '0', '--database-url', databaseUrl], { OCOMMS_LOG_LEVEL: 'warn', ...options.env }, nodeArgs)
}

/** A bare Socket.IO server doing only the fan-out, for the comparison in P2. */
export function startBare(): Promise<Proc> {
  return start(bareMain, [], {})
}

/** Resident memory (bytes) and CPU time used so far (seconds) of a process, from /proc. */
export async function usage(pid: number): Promise<{ rss: number; cpu: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in ticks of 1/100 s.
  const cpu = (Number(stat[11]) + Number(stat[12])) / 100
  return { rss, cpu }
}
