import { readSync } from 'node:fs'
import type { Command } from 'commander'
import { connectDaemon, type DaemonClient } from '@ocomms/daemon'
import type { CallInput, CallOutput, Conversation, DaemonMethodMap, DaemonMethodName, Message, OperationName, ParamsOf, ResultOf } from '@ocomms/shared'
import { OCommsError, parseHandle, parseMessageRef, parseTarget } from '@ocomms/shared/core'

/** Bad arguments: exit code 2. */
export class UsageError extends Error {}

export interface Globals {
  json: boolean
  profile: string
}

export const exitCodes = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const

type WithoutProfile<T> = Omit<T, 'profile'>

/**
 * What every command needs: the global options, one connection to the daemon (started on
 * demand), and the output rules: data on stdout (JSON with --json), prose on stderr.
 */
export class Cli {
  private client: DaemonClient | null = null

  constructor(readonly globals: Globals) {}

  static of(command: Command): Cli {
    const opts = command.optsWithGlobals<{ json?: boolean; profile?: string }>()
    return new Cli({ json: Boolean(opts.json), profile: opts.profile || process.env.OCOMMS_PROFILE || 'default' })
  }

  async daemon(): Promise<DaemonClient> {
    this.client ??= await connectDaemon()
    return this.client
  }

  /** A daemon method for the chosen profile. */
  async rpc<N extends DaemonMethodName>(method: N, params: WithoutProfile<ParamsOf<DaemonMethodMap[N]>>): Promise<ResultOf<DaemonMethodMap[N]>> {
    const withProfile = { ...params, profile: this.globals.profile } as ParamsOf<DaemonMethodMap[N]>
    return (await this.daemon()).request(method, withProfile)
  }

  /** A server operation through the daemon (workspaceId defaults to the current workspace). */
  async call<N extends OperationName>(operation: N, input: Partial<CallInput<N>>): Promise<CallOutput<N>> {
    return (await this.rpc('call', { operation, input: input as Record<string, unknown> })) as CallOutput<N>
  }

  async target(raw: string): Promise<Conversation> {
    const parsed = parseTarget(raw)
    if (!parsed.ok) throw new UsageError(parsed.error)
    return this.rpc('resolve.target', { target: raw })
  }

  async message(raw: string): Promise<Message> {
    const parsed = parseMessageRef(raw)
    if (!parsed.ok) throw new UsageError(parsed.error)
    return this.rpc('resolve.message', { ref: raw })
  }

  /** A member's id from @handle. */
  async memberId(handle: string): Promise<string> {
    const member = await this.call('member.get', { member: handle.replace(/^@/, '') }).catch((err: unknown) => {
      if (err instanceof OCommsError && err.code === 'not_found') throw new OCommsError('not_found', `No one with the handle @${handle.replace(/^@/, '')} in this workspace.`)
      throw err
    })
    return member.id
  }

  /** Data: JSON with --json, else the human rendering (when there is one). */
  out(data: unknown, human?: () => string | null | undefined): void {
    if (this.globals.json) {
      process.stdout.write(JSON.stringify(data) + '\n')
      return
    }
    const text = human ? human() : null
    if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** Prose for people, on stderr (never mixed with data). */
  say(text: string): void {
    process.stderr.write(text + '\n')
  }

  close(): void {
    this.client?.close()
    this.client = null
  }
}

let stdinCache: string | null = null

/**
 * All of stdin, read synchronously. `readFileSync(0)` is not enough: when stdin is a pipe whose
 * writer is slower than us, a read finds it empty and fails with EAGAIN instead of waiting, so
 * a long message piped in by a slow producer would be lost. Each EAGAIN waits a few milliseconds
 * and reads again, until the end of the input.
 */
function readStdin(): string {
  const chunks: Buffer[] = []
  const buffer = Buffer.alloc(1 << 16)
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    let n: number
    try {
      n = readSync(0, buffer, 0, buffer.length, null)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5)
        continue
      }
      if (code === 'EOF') break
      throw err
    }
    if (n === 0) break
    chunks.push(Buffer.from(buffer.subarray(0, n)))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** TEXT arguments: `-` reads the text from stdin (one trailing newline dropped). */
export function textArg(value: string): string {
  if (value !== '-') return value
  stdinCache ??= readStdin()
  const text = stdinCache.replace(/\r?\n$/, '')
  if (text.trim() === '') throw new UsageError('stdin was empty: nothing to send.')
  return text
}

/** The first line of stdin, for --password-stdin. */
export function passwordFromStdin(): string {
  stdinCache ??= readStdin()
  const line = stdinCache.split(/\r?\n/)[0] ?? ''
  if (line === '') throw new UsageError('--password-stdin: no password on stdin.')
  return line
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number above 0, got "${value}".`)
    return n
  }
}

export function handleArg(value: string): string {
  const parsed = parseHandle(value)
  if (!parsed.ok) throw new UsageError(parsed.error)
  return parsed.value
}
