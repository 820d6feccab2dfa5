import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium, openTab, type Tab } from '../../gui/test/helpers/browser.js'
import { serveBridge, type DaemonBridge } from '../src/index.js'

const desktopDir = fileURLToPath(new URL('..', import.meta.url))
/** The web app's build (npm test builds it first). */
export const webDir = fileURLToPath(new URL('../../gui/dist', import.meta.url))

/**
 * The web app's build, unchanged, served the way the shell serves it, except that its
 * `window.ocomms` comes from the bridge's WebSocket transport instead of the preload: a shim
 * connects, then loads the app's own script.
 */
export async function serveRenderer(bridgeUrl: string) {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.woff2': 'font/woff2' }
  const index = await readFile(join(webDir, 'index.html'), 'utf8')
  const app = /<script type="module"[^>]*src="([^"]+)"[^>]*><\/script>/.exec(index)
  if (!app) throw new Error('no module script in the web app build')
  // The app's script is fetched with the shim's, and the shim's own modules too, so they do not
  // arrive one after the other behind it.
  const preload = [app[1], '/bridge/ws-client.js', '/bridge/protocol.js'].map((href) => `<link rel="modulepreload" href="${href}">`).join('')
  const page = index.replace(app[0], `${preload}<script type="module" src="/bridge-shim.js"></script>`)
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    let body: string | Buffer | null = null
    if (path === '/bridge-shim.js') {
      // The bridge is there before the app's script runs, as the preload's is; its calls wait
      // for the socket, not the app's start.
      body = `import { openBridge } from '/bridge/ws-client.js'\nwindow.ocomms = openBridge(${JSON.stringify(bridgeUrl)}, WebSocket)\nawait import(${JSON.stringify(app[1])})\n`
    } else if (/^\/bridge\/[a-z-]+\.js$/.test(path)) {
      body = await readFile(join(desktopDir, 'dist', path), 'utf8').catch(() => null)
    } else if (path.startsWith('/assets/') && !path.includes('..')) {
      body = await readFile(join(webDir, path)).catch(() => null)
    } else if (path !== '/sw.js') {
      body = page
    }
    if (body === null) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) }
}

/**
 * The renderer in a Chromium tab, talking to `bridge` over its WebSocket transport: what the
 * shell's window shows, with everything closed when the test ends.
 */
export async function openRenderer(t: { teardown(fn: () => unknown): void }, bridge: DaemonBridge): Promise<Tab> {
  const wire = await serveBridge(bridge)
  t.teardown(() => wire.close())
  const renderer = await serveRenderer(wire.url)
  t.teardown(() => renderer.close())
  return openTab(await launchChromium(t), renderer.url)
}
