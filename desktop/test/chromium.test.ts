import { spawn, spawnSync } from 'node:child_process'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import WebSocket from 'ws'
import { serveBridge } from '../src/index.js'
import { bridgeFor, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

const chromium = process.env.OCOMMS_CHROMIUM ?? '/usr/bin/chromium'
const missing = spawnSync(chromium, ['--version'], { stdio: 'ignore' }).status === 0 ? null : `no Chromium at ${chromium}`
const desktopDir = fileURLToPath(new URL('..', import.meta.url))

/** The stand-in page, with `window.ocomms` made from the WebSocket transport instead of the preload. */
async function servePage(bridgeUrl: string) {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    let body: string | null = null
    if (path === '/') {
      body = (await readFile(join(desktopDir, 'renderer-placeholder/index.html'), 'utf8'))
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace('<script src="placeholder.js"></script>', '<script type="module" src="/shim.js"></script>')
    } else if (path === '/shim.js') {
      body = `import { connectBridge } from '/dist/bridge/ws-client.js'\nwindow.ocomms = await connectBridge(${JSON.stringify(bridgeUrl)}, WebSocket)\nawait import('/placeholder.js')\n`
    } else if (path === '/placeholder.js' || path === '/placeholder.css') {
      body = await readFile(join(desktopDir, 'renderer-placeholder', path), 'utf8')
    } else if (/^\/dist\/bridge\/[a-z-]+\.js$/.test(path)) {
      body = await readFile(join(desktopDir, path), 'utf8').catch(() => null)
    }
    if (body === null) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'text/plain' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(r)) }
}

/** Headless Chromium driven over the DevTools protocol (a local port): evaluates in the page. */
async function openChromium(t: { teardown(fn: () => unknown): void }, url: string) {
  const profile = await mkdtemp(join(tmpdir(), 'ocomms-chromium-'))
  const child = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, url], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  t.teardown(async () => {
    child.kill('SIGKILL')
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))
    await rm(profile, { recursive: true, force: true })
  })
  const port = await until(() => /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err)?.[1], 20_000)
  const page = await until(async () => {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; url: string; webSocketDebuggerUrl: string }>
    return targets.find((x) => x.type === 'page' && x.url.startsWith(url))
  })
  const ws = new WebSocket(page.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  t.teardown(() => ws.close())
  let id = 0
  const evaluate = (expression: string) =>
    new Promise<unknown>((resolve) => {
      const mine = ++id
      const onMessage = (data: WebSocket.RawData) => {
        const m = JSON.parse(String(data)) as { id?: number; result?: { result?: { value?: unknown } } }
        if (m.id !== mine) return
        ws.off('message', onMessage)
        resolve(m.result?.result?.value)
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify({ id: mine, method: 'Runtime.evaluate', params: { expression, returnByValue: true, awaitPromise: true } }))
    })
  return { evaluate }
}

t.test('the renderer in Chromium, through the bridge over its WebSocket transport, to a real daemon and server', { skip: missing ?? false }, async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  await ann.call('channel.create', { name: 'browser-made' })
  const bridge = bridgeFor(t, bob)
  const wire = await serveBridge(bridge)
  t.teardown(() => wire.close())
  const page = await servePage(wire.url)
  t.teardown(() => page.close())
  const browser = await openChromium(t, page.url)

  const text = () => browser.evaluate('document.body.innerText') as Promise<string>
  await until(async () => /@bob on http/.test((await text()) ?? ''), 30_000)
  t.match(await text(), /#general/, 'the conversations, from the daemon')
  t.notMatch(await text(), /#browser-made/, 'a channel bob is not in is not listed')

  // A live event: bob joins a channel elsewhere (the CLI); the page hears it through the bridge and shows it.
  const made = await bob.rpc('resolve.target', { target: '#browser-made' }).catch(() => null)
  t.equal(made?.isMember ?? false, false)
  await bob.json(['channel', 'join', 'browser-made'])
  await until(async () => /#browser-made/.test(await text()), 20_000)
  t.pass('the page updated from an event')

  // A refusal reaches the page with its code.
  const refused = (await browser.evaluate(`window.ocomms.call('shell.exec', {}).then(() => 'accepted', (e) => e.code)`)) as string
  t.equal(refused, 'not_found')
})
