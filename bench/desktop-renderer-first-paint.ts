/**
 * Desktop renderer first-paint benchmark (not a test): from the launch of the renderer (the web
 * app's build, as the desktop shell loads it) to the first message list on screen, answered by
 * the daemon's cache through the desktop bridge; and, next to it, the same web app in a browser
 * tab against the server. Budget for the desktop figure: 300 ms, like the terminal UI's.
 *
 *   npm run build && npm run build -w gui && node --import=tsx --conditions=ocomms-source bench/desktop-renderer-first-paint.ts [--runs 20] [--messages 200] [--profile load.cpuprofile]
 *
 * A real server (serving the web app's build) is seeded through its operations; a real daemon
 * (built) signs in and fills its cache. The bridge (desktop/src/bridge) runs in this process and
 * is served to Debian's Chromium over its WebSocket transport, which stands in for Electron's
 * preload (Electron cannot be downloaded here; docs/desktop.md). Each run opens a new page and
 * reads, in the page, `performance.now()` (time since navigation started) at the first animation
 * frame where #general's message list shows messages, drawn and not hidden (the list is
 * virtualised: which rows are drawn first is the list's business), watched from before the
 * page's own scripts. The web app's tab is signed in
 * once and then opened the same way (its IndexedDB and HTTP cache warm, as the desktop's are).
 *
 * Chromium is driven over the DevTools protocol directly (desktop/test/devtools.ts), with only the
 * page domain on, as a window of the app is, with no debugger attached: a driver library that
 * watches each page's network and scripts cost the page 70–90 ms of its start here (until
 * 6 December 2026 the figures were taken that way; docs/performance.md).
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { connectDaemon } from '@ocomms/daemon'
import { DaemonBridge, serveBridge } from '@ocomms/desktop'
import { httpRequestFor, webSession } from '@ocomms/shared'
import { launchDevtoolsChromium, type DevtoolsChromium } from '../desktop/test/devtools.js'
import { serveRenderer } from '../desktop/test/renderer-page.js'
import { desktopFixture, percentile, sleep, summary } from './src/desktop-fixture.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    messages: { type: 'string', default: '200' },
    'target-ms': { type: 'string', default: '300' },
    /** Writes a CPU profile of one more desktop load (DevTools' .cpuprofile, sampled every 100 µs) to this file. */
    profile: { type: 'string' },
  },
})
const RUNS = Number(args.runs)
const MESSAGES = Number(args.messages)
const TARGET_MS = Number(args['target-ms'])
const log = (line: string) => process.stderr.write(`${line}\n`)
const viewport = { width: 1280, height: 800 }

/**
 * Put into every page before its own scripts: the time of the first animation frame at which
 * #general's message list shows messages. Read in the page, from its start, because a poller
 * sent from here is installed only once the page's main thread is free, which during the start
 * is late: it read up to 100 ms after the frame it was looking for. Shown means drawn: the list
 * keeps its rows hidden (CSS visibility) until it has scrolled to where it opens, so rows merely
 * in the page do not count (until 6 December 2026 they did, and the figures read 300 ms early).
 */
const watchFirstList = `(() => {
  let asked = false
  let shown
  window.__firstList = new Promise((resolve) => (shown = resolve))
  const check = () => {
    asked = false
    const rows = document.querySelectorAll('[role=log] article')
    for (const row of rows) {
      if (!row.checkVisibility({ visibilityProperty: true })) continue
      seen.disconnect()
      shown(performance.now())
      return
    }
  }
  const seen = new MutationObserver(() => {
    if (asked || !document.querySelector('[role=log] article')) return
    asked = true
    requestAnimationFrame(check)
  })
  seen.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] })
})()`

/**
 * Opens a new page at `url` and answers ms from navigation start to the message list on screen;
 * with `profileTo`, writes a CPU profile of the page until then (not a counted load: the profiler
 * slows the page it samples).
 */
async function firstPaint(chromium: DevtoolsChromium, url: string, profileTo?: string): Promise<number> {
  const page = await chromium.newPage()
  try {
    await page.call('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false })
    await page.call('Page.enable')
    await page.call('Page.addScriptToEvaluateOnNewDocument', { source: watchFirstList })
    if (profileTo) {
      await page.call('Profiler.enable')
      await page.call('Profiler.setSamplingInterval', { interval: 100 })
      await page.call('Profiler.start')
    }
    await page.call('Page.navigate', { url })
    // Asked until the new document is there (its watcher makes the promise, before the app runs).
    const started = Date.now()
    let first = await page.evaluate('window.__firstList').catch(() => undefined)
    while (typeof first !== 'number') {
      if (Date.now() - started > 30_000) throw new Error(`${url}: no message list within 30 s: ${String(await page.evaluate('document.body?.innerText.slice(0, 300)').catch(() => '?'))}`)
      await sleep(20)
      first = await page.evaluate('window.__firstList').catch(() => undefined)
    }
    if (profileTo) {
      const { profile } = await page.call('Profiler.stop')
      await writeFile(profileTo, JSON.stringify(profile))
      log(`CPU profile of one desktop load: ${profileTo}`)
    }
    return first as number
  } finally {
    await page.close()
  }
}

/** Signs the browser in to the server at `base` as a tab does (its session a cookie), and opens the app once. */
async function signIn(chromium: DevtoolsChromium, base: string, email: string, password: string): Promise<void> {
  const page = await chromium.newPage()
  try {
    await page.call('Page.navigate', { url: `${base}/signin` })
    const { method, path, body } = httpRequestFor('auth.login', { email, password })
    const request = { method, body, credentials: 'same-origin', headers: { 'content-type': 'application/json', [webSession.modeHeader]: webSession.modeCookie } }
    // Once the sign-in page is the document (the request must come from the server's origin).
    const login = `location.origin === ${JSON.stringify(base)} ? fetch(${JSON.stringify(path)}, ${JSON.stringify(request)}).then((r) => r.status) : 0`
    const started = Date.now()
    let status = await page.evaluate(login).catch(() => 0)
    while (status === 0 && Date.now() - started < 10_000) {
      await sleep(50)
      status = await page.evaluate(login).catch(() => 0)
    }
    if (status !== 200) throw new Error(`signing in answered ${String(status)}`)
  } finally {
    await page.close()
  }
  // The first opening fills the tab's IndexedDB and HTTP cache.
  await firstPaint(chromium, `${base}/`)
}

async function main() {
  const { base, home, email, password, stop } = await desktopFixture(MESSAGES, log)
  const chromium = await launchDevtoolsChromium({ args: [`--window-size=${viewport.width},${viewport.height}`] })
  const closers: Array<() => unknown> = []
  try {
    // The desktop renderer: the web app's build over the bridge to the daemon.
    const bridge = new DaemonBridge({ connect: () => connectDaemon({ home, start: false }) })
    closers.push(() => bridge.close())
    const wire = await serveBridge(bridge)
    closers.push(() => wire.close())
    const renderer = await serveRenderer(wire.url)
    closers.push(() => renderer.close())
    await firstPaint(chromium, `${renderer.url}/`)
    const desktop: number[] = []
    for (let i = 0; i < RUNS; i++) desktop.push(await firstPaint(chromium, `${renderer.url}/`))
    if (args.profile) await firstPaint(chromium, `${renderer.url}/`, args.profile)

    // The web app in a tab, signed in once.
    await signIn(chromium, base, email, password)
    const web: number[] = []
    for (let i = 0; i < RUNS; i++) web.push(await firstPaint(chromium, `${base}/`))

    const p95 = percentile([...desktop].sort((a, b) => a - b), 95)
    console.log(
      [
        `Renderer first paint: navigation start to #general's message list on screen (${MESSAGES} messages in it) (${RUNS} page loads each, ${String(await chromium.version())})`,
        summary('desktop renderer, daemon cache via the bridge', desktop),
        summary('web app in a tab, server (warm IndexedDB)', web),
        `target ${TARGET_MS} ms (desktop) at p95: ${p95 <= TARGET_MS ? 'met' : 'MISSED'}`,
      ].join('\n'),
    )
  } finally {
    for (const close of closers.reverse()) await close()
    await chromium.close()
    await stop()
  }
}

await main()
