import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'

/**
 * Debian's headless Chromium driven over the DevTools protocol directly, with nothing switched on
 * in its pages but what a caller asks for.
 *
 * Where a test needs Chromium as a plain browser (chromium.test.ts), and where a benchmark times a
 * page's start: a driver library watches every page it opens (its network and runtime domains:
 * every request, every chunk of a response, every script context, reported to it through the
 * browser process). Measured on the desktop renderer's start, that cost the page 70–90 ms of
 * its 250 ms on the shared 2-core machine (docs/performance.md, 6 December), which Electron's
 * window, with no debugger attached, does not pay.
 */
export interface DevtoolsChromium {
  /** Opens a new page (a tab of its own) at about:blank. */
  newPage(): Promise<DevtoolsPage>
  /** The pages there are, with their addresses. */
  pages(): Promise<Array<{ id: string; url: string; webSocketDebuggerUrl: string }>>
  /** Talks to a page that is already open. */
  attach(target: { id: string; webSocketDebuggerUrl: string }): Promise<DevtoolsPage>
  /** The browser's name and version ("Chrome/…"). */
  version(): Promise<string>
  close(): Promise<void>
}

export interface DevtoolsPage {
  /** One DevTools protocol command; its result, or the protocol's error. */
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>
  /** An expression's value in the page (promises awaited), returned by value. */
  evaluate(expression: string): Promise<unknown>
  close(): Promise<void>
}

export const chromiumPath = process.env.OCOMMS_CHROMIUM ?? '/usr/bin/chromium'

export async function launchDevtoolsChromium(options: { args?: string[]; url?: string } = {}): Promise<DevtoolsChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'ocomms-chromium-'))
  const child = spawn(
    chromiumPath,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--remote-debugging-port=0', `--user-data-dir=${profile}`, ...(options.args ?? []), options.url ?? 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const close = async () => {
    child.kill('SIGKILL')
    await exited
    await rm(profile, { recursive: true, force: true }).catch(() => {})
  }
  // Chromium says on stderr which port it chose.
  const listening = () => /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(stderr)?.[1]
  const started = Date.now()
  let port = listening()
  while (!port) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      await close()
      throw new Error(`Chromium did not start: ${stderr.slice(-500)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
    port = listening()
  }
  const http = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${port}${path}`, { method })
  const attach = async (target: { id: string; webSocketDebuggerUrl: string }): Promise<DevtoolsPage> => {
    const ws = new WebSocket(target.webSocketDebuggerUrl)
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
    let nextId = 0
    const waiting = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>()
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } }
      const w = m.id === undefined ? undefined : waiting.get(m.id)
      if (!w) return
      waiting.delete(m.id!)
      if (m.error) w.reject(new Error(m.error.message))
      else w.resolve(m.result ?? {})
    })
    ws.once('close', () => {
      for (const w of waiting.values()) w.reject(new Error('the page closed'))
      waiting.clear()
    })
    const call: DevtoolsPage['call'] = (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++nextId
        waiting.set(id, { resolve, reject })
        ws.send(JSON.stringify({ id, method, params }))
      })
    return {
      call,
      async evaluate(expression) {
        const { result, exceptionDetails } = (await call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
          result?: { value?: unknown }
          exceptionDetails?: { text: string; exception?: { description?: string } }
        }
        if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text)
        return result?.value
      },
      async close() {
        ws.close()
        await http(`/json/close/${target.id}`).catch(() => {})
      },
    }
  }
  return {
    async newPage() {
      return attach((await (await http('/json/new?about:blank', 'PUT')).json()) as { id: string; webSocketDebuggerUrl: string })
    },
    async pages() {
      const targets = (await (await http('/json/list')).json()) as Array<{ type: string; id: string; url: string; webSocketDebuggerUrl: string }>
      return targets.filter((x) => x.type === 'page')
    },
    attach,
    async version() {
      return ((await (await http('/json/version')).json()) as { Browser: string }).Browser
    },
    close,
  }
}
