import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { serveBridge } from '../src/index.js'
import { chromiumPath, launchDevtoolsChromium } from './devtools.js'
import { bridgeFor, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

const missing = spawnSync(chromiumPath, ['--version'], { stdio: 'ignore' }).status === 0 ? null : `no Chromium at ${chromiumPath}`
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

/** Headless Chromium opened at `url`, driven over the DevTools protocol (devtools.ts): evaluates in the page. */
async function openChromium(t: { teardown(fn: () => unknown): void }, url: string) {
  const chromium = await launchDevtoolsChromium({ url })
  t.teardown(() => chromium.close())
  const target = await until(async () => (await chromium.pages()).find((x) => x.url.startsWith(url)))
  const page = await chromium.attach(target)
  // Asked while the page may still be loading: an exception then reads as "not yet".
  return { evaluate: (expression: string) => page.evaluate(expression).catch(() => undefined) }
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
