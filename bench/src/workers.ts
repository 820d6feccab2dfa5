import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Client, Collected, Command, Reply } from './protocol.js'

const entry = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** The load generator: several processes, each holding a share of the client connections. */
export class Workers {
  private readonly procs: ChildProcess[] = []
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private nextId = 1

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(entry, [], {
        execArgv: ['--import=tsx', '--conditions=ocomms-source', '--max-old-space-size=4096'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      child.on('message', (reply: Reply) => {
        const p = this.pending.get(reply.id)
        if (!p) return
        this.pending.delete(reply.id)
        if (reply.ok) p.resolve(reply.result)
        else p.reject(new Error(reply.error))
      })
      this.procs.push(child)
    }
  }

  get count(): number {
    return this.procs.length
  }

  /** The processes' ids, to read their CPU time. */
  get pids(): number[] {
    return this.procs.map((p) => p.pid!)
  }

  /** Sends one command to worker `i`. */
  ask<T>(i: number, command: Command): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.procs[i]!.send({ id, ...command })
    })
  }

  /** The same command to every worker. */
  all<T>(command: Command | ((i: number) => Command)): Promise<T[]> {
    return Promise.all(this.procs.map((_, i) => this.ask<T>(i, typeof command === 'function' ? command(i) : command)))
  }

  /** Spreads `clients` over the workers round-robin and connects them. */
  async connect(url: string, clients: Client[], concurrency = 50): Promise<{ connected: number; failed: number; ms: number }> {
    const shares = this.procs.map((_, i) => clients.filter((_, j) => j % this.procs.length === i))
    const t0 = performance.now()
    const res = await this.all<{ connected: number; failed: number }>((i) => ({ cmd: 'connect', url, clients: shares[i]!, concurrency }))
    return { connected: res.reduce((s, r) => s + r.connected, 0), failed: res.reduce((s, r) => s + r.failed, 0), ms: performance.now() - t0 }
  }

  disconnect(): Promise<unknown> {
    return this.all({ cmd: 'disconnect' })
  }

  /** Waits until `expected` deliveries were counted (or `timeoutMs` passed); the count reached. */
  async waitForDeliveries(expected: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const got = (await this.all<number>({ cmd: 'progress' })).reduce((s, n) => s + n, 0)
      if (got >= expected || Date.now() > end) return got
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  collect(): Promise<Collected[]> {
    return this.all<Collected>({ cmd: 'collect' })
  }

  stop(): void {
    for (const p of this.procs) p.kill()
  }
}
