/**
 * What the desktop benchmarks share: a real server on the bench database, seeded through its
 * operations with `messages` messages in #general, and a real daemon (built) signed in as their
 * author whose cache already answers #general. Then each benchmark times its own way of reading it.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { callHttp, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { build, loadConfig } from '@ocomms/server'
import { connectDaemon } from '@ocomms/daemon'
import { pino } from 'pino'
import { benchDatabase } from './database.js'

const daemonMain = fileURLToPath(new URL('../../daemon/dist/main.js', import.meta.url))
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

/** One line of figures: p50, p95, min and max of `values` (milliseconds). */
export function summary(label: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b)
  const f = (n: number) => `${n.toFixed(0)} ms`.padStart(7)
  return `${label.padEnd(44)} p50 ${f(percentile(s, 50))}   p95 ${f(percentile(s, 95))}   min ${f(s[0]!)}   max ${f(s.at(-1)!)}`
}

export interface DesktopFixture {
  /** The server's address. */
  base: string
  /** The daemon's home, and an environment that points at it. */
  home: string
  env: NodeJS.ProcessEnv
  email: string
  password: string
  generalId: string
  stop(): Promise<void>
}

export async function desktopFixture(messages: number, log: (line: string) => void): Promise<DesktopFixture> {
  const db = await benchDatabase()
  const dataDir = await mkdtemp(join(tmpdir(), 'ocomms-bench-data-'))
  const home = await mkdtemp(join(tmpdir(), 'ocomms-bench-home-'))
  const env: NodeJS.ProcessEnv = { ...process.env, OCOMMS_HOME: home, OCOMMS_NOTIFY: 'off' }
  delete env.OCOMMS_PROFILE
  delete env.NODE_OPTIONS
  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir, databaseUrl: db.serverUrl, logLevel: 'warn' })
  const { app } = await build({ config, databaseUrl: db.serverUrl, logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const call = <K extends OperationName>(name: K, input: CallInput<K>, token: string): Promise<CallOutput<K>> => callHttp(base, name, input, { token })
  const daemon = spawn(process.execPath, [daemonMain], { env, stdio: 'ignore' })
  const stop = async () => {
    daemon.kill('SIGTERM')
    await app.close()
    await db.stop()
    await rm(dataDir, { recursive: true, force: true })
    await rm(home, { recursive: true, force: true })
  }
  try {
    const password = 'bench password 123'
    const email = 'alice@bench.test'
    const signup = await callHttp(base, 'auth.signup', { email, password, name: 'Alice', handle: 'alice' }, {})
    const ws = await call('workspace.create', { name: 'Bench' }, signup.token)
    const general = (await call('conversation.list', { workspaceId: ws.id }, signup.token)).find((c) => c.name === 'general') ?? (await call('channel.create', { workspaceId: ws.id, name: 'general' }, signup.token))
    for (let i = 0; i < messages; i++) await call('message.send', { conversationId: general.id, text: `message ${i} about the deploy`, clientId: `seed-${i}` }, signup.token)
    log(`seeded ${messages} messages`)

    let client = null
    for (let i = 0; i < 100 && !client; i++) client = await connectDaemon({ home, start: false }).catch(() => sleep(100).then(() => null))
    if (!client) throw new Error('the daemon did not start')
    await client.request('profile.login', { server: base, email, password })
    let source = ''
    for (let i = 0; i < 100 && source !== 'cache'; i++) {
      await sleep(100)
      source = await client.request('messages.read', { conversationId: general.id, limit: 50 }).then((r) => r.source, () => '')
    }
    client.close()
    if (source !== 'cache') throw new Error('#general is not answered from the cache')
    return { base, home, env, email, password, generalId: general.id, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
