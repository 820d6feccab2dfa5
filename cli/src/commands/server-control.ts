import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServerConfig } from '@ocomms/server'
import { UsageError } from '../context.js'

/**
 * `ocomms server start --background | stop | restart | status`: one way to run the installed
 * server. Every one of them reads its settings the same way (options, then the environment, then
 * the server.env install.sh wrote), so they all find the same data directory, and through it the
 * process id the server keeps there.
 */

export interface ServerOptions {
  host?: string
  port?: string
  dataDir?: string
  databaseUrl?: string
  redisUrl?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const say = (text: string) => process.stderr.write(text + '\n')

export async function serverConfig(opts: ServerOptions): Promise<{ env: NodeJS.ProcessEnv; config: ServerConfig }> {
  if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) throw new UsageError(`--port must be a port number, got "${opts.port}".`)
  // Imported here: the server and its dependencies load only for these commands.
  const { loadConfig, withInstalledSettings } = await import('@ocomms/server')
  const env = withInstalledSettings({ ...process.env })
  if (opts.dataDir) env.OCOMMS_DATA_DIR = opts.dataDir
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl
  if (opts.redisUrl) env.REDIS_URL = opts.redisUrl
  if (opts.port) env.OCOMMS_PORT = opts.port
  if (opts.host) env.OCOMMS_HOST = opts.host
  try {
    return { env, config: loadConfig(env) }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** The options to hand on to a `server start` in its own process. */
export function serverArgs(opts: ServerOptions): string[] {
  const flags: Array<[string, string | undefined]> = [
    ['--host', opts.host],
    ['--port', opts.port],
    ['--data-dir', opts.dataDir],
    ['--database-url', opts.databaseUrl],
    ['--redis-url', opts.redisUrl],
  ]
  return flags.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]))
}

function localUrl(config: ServerConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`
}

async function answers(config: ServerConfig): Promise<boolean> {
  try {
    const res = await fetch(`${localUrl(config)}/health`, { signal: AbortSignal.timeout(2000) })
    return res.ok
  } catch {
    return false
  }
}

const pidFile = (config: ServerConfig) => join(config.dataDir, 'server.pid')
const logFile = (config: ServerConfig) => join(config.dataDir, 'server.log')

/** The process id of this data directory's server, when one runs (a stale file, or a reused id, is not one). */
function runningPid(config: ServerConfig): number | null {
  let pid: number
  try {
    pid = Number(readFileSync(pidFile(config), 'utf8').trim())
  } catch {
    return null
  }
  if (!Number.isInteger(pid) || pid <= 1) return null
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null
  }
  // After a crash the id may have gone to another program: only an OComms server counts.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (!/ocomms|server[\\/]dist[\\/]main\.js|server[\\/]src[\\/]main\.ts/.test(cmdline)) return null
  } catch {
    // No /proc here: the id alone has to do.
  }
  return pid
}

function report(json: boolean, data: Record<string, unknown>): void {
  if (json) process.stdout.write(JSON.stringify(data) + '\n')
}

function state(config: ServerConfig, pid: number | null, answering: boolean) {
  return { running: pid !== null || answering, answering, pid, url: localUrl(config), dataDir: config.dataDir, log: logFile(config) }
}

export async function startInBackground(config: ServerConfig, json: boolean, args: string[]): Promise<number> {
  const already = runningPid(config)
  if (already !== null || (await answers(config))) {
    say(`A server is already running for ${config.dataDir} (${localUrl(config)}${already ? `, pid ${already}` : ''}).`)
    report(json, state(config, already, await answers(config)))
    return 0
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const log = openSync(logFile(config), 'a', 0o600)
  const child = spawn(process.execPath, [process.argv[1]!, 'server', 'start', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  })
  closeSync(log)
  let exited: number | null = null
  child.once('exit', (code) => (exited = code ?? 1))
  child.unref()
  // The first start of an embedded PostgreSQL initialises its cluster: that can take a while.
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (exited !== null) break
    if (await answers(config)) {
      say(`listening on ${localUrl(config)} (pid ${child.pid}; data in ${config.dataDir}; log in ${logFile(config)})`)
      report(json, state(config, child.pid ?? null, true))
      return 0
    }
    await sleep(250)
  }
  say(`ocomms: the server did not come up${exited !== null ? ` (it exited with ${exited})` : ''}; see ${logFile(config)}`)
  if (exited === null) child.kill('SIGTERM')
  report(json, { error: { code: 'unavailable', message: `the server did not come up; see ${logFile(config)}` } })
  return 1
}

export async function stopServer(config: ServerConfig, json: boolean, { quiet = false } = {}): Promise<number> {
  const pid = runningPid(config)
  if (pid === null) {
    if (await answers(config)) {
      say(`ocomms: a server answers at ${localUrl(config)}, but not one of ${config.dataDir} (no process id there): stop it where it was started.`)
      return 1
    }
    if (!quiet) say(`No server is running for ${config.dataDir}.`)
    if (!quiet) report(json, state(config, null, false))
    return 0
  }
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0)
    } catch {
      if (!quiet) say(`Stopped the server (pid ${pid}).`)
      if (!quiet) report(json, state(config, null, false))
      return 0
    }
    await sleep(100)
  }
  say(`ocomms: the server (pid ${pid}) is still shutting down after 30 s.`)
  return 1
}

export async function serverStatus(config: ServerConfig, json: boolean): Promise<number> {
  const pid = runningPid(config)
  const answering = await answers(config)
  const s = state(config, pid, answering)
  if (json) report(true, s)
  else {
    process.stdout.write(
      [
        `server:   ${s.running ? (answering ? 'running' : 'running, not answering yet') : 'stopped'}`,
        `address:  ${s.url}`,
        `pid:      ${pid ?? '-'}`,
        `data dir: ${s.dataDir}`,
        `log:      ${s.log}`,
      ].join('\n') + '\n',
    )
  }
  return answering ? 0 : 3
}
