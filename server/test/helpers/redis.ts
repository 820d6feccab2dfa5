import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { freePort } from '../../src/net/free-port.js'

/** Why Redis cannot run here, or null when `redis-server` is on the PATH. */
export function redisMissing(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' })
  return probe.error || probe.status !== 0
    ? 'redis-server is not installed (npm test installs it with apt-get when run as root on Debian)'
    : null
}

export interface TestRedis {
  url: string
  stop(): Promise<void>
}

/** A private, memory-only redis-server on a free port, stopped at teardown. */
export async function startRedis(t: { teardown(fn: () => unknown): void }, port?: number): Promise<TestRedis> {
  port ??= await freePort()
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}): ${out}`))
    })
  })
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  t.teardown(stop)
  return { url: `redis://127.0.0.1:${port}`, stop }
}
