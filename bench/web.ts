/**
 * Web app benchmark (not a test): the numbers of docs/web.md's budgets, from a real server on a
 * real PostgreSQL and the real app in Chromium (`npm run bench:web`, after the app shell's size).
 *
 *   npm run bench:web                              # embedded PostgreSQL
 *   DATABASE_URL=postgres://... npm run bench:web -- --reloads 9 --rate 200 --seconds 20
 *
 * Everything is measured inside the page, by a script Chromium runs before the app's own
 * (playwright's init script, which the page's Content-Security-Policy does not apply to):
 * - a MutationObserver notes, against the page's own clock (navigation start = 0), when a
 *   given message first appears in the message list, and when each numbered live message does;
 * - a requestAnimationFrame loop records the time between frames while a phase runs (a frame
 *   over 50 ms is a visible stutter), and a PerformanceObserver the main thread's long tasks;
 * - the JavaScript heap is read through the DevTools protocol (`Performance.getMetrics`,
 *   JSHeapUsedSize) after a forced garbage collection.
 * Phases: (1) first rendered message list from a warm cache: reloads of a signed-in tab at
 * #general (200 messages) until the newest is on screen; (2) a channel of 10,000 messages
 * opened, then scrolled back through 1,000 of them (older pages load as it goes); (3) in a fresh
 * profile, messages arriving at 200 per second for 20 s from another person's socket: all
 * delivered, how late (send to on screen), frames; then 1,000 more and the heap after 5,000.
 * The server and the sender run in this process; Chromium in its own. The machine's load
 * average is printed with each phase: on a shared machine it decides much of the frame times.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { CDPSession, Page } from 'playwright-core'
import { startTestServer, type LiveSocket } from '../server/test/helpers/server.js'
import { cannotRun, launchChromium, openTab, webDir, type Tab } from '../gui/test/helpers/browser.js'
import { scrollBack } from '../gui/test/helpers/scroll-back.js'
import { benchDatabase } from './src/database.js'

const { values: args } = parseArgs({
  options: {
    reloads: { type: 'string', default: '7' },
    history: { type: 'string', default: '10000' },
    'scroll-back': { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    memory: { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
    /** Writes CPU profiles of the page (DevTools' .cpuprofile) while scrolling and during the live phase: <prefix>-scroll.cpuprofile, <prefix>-live.cpuprofile. */
    profile: { type: 'string' },
  },
})
const RELOADS = Number(args.reloads)
const HISTORY = Number(args.history)
const SCROLL_BACK = Number(args['scroll-back'])
const RATE = Number(args.rate)
const SECONDS = Number(args.seconds)
const MEMORY_AFTER = Number(args.memory)
const FRAME_BUDGET_MS = 50
const FIRST_LIST_BUDGET_MS = 1000
const password = 'correct horse battery staple'

const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}

/** What the init script keeps on `window.__bench`. */
interface PageProbe {
  target: string
  firstSeenAt: number | null
  recording: boolean
  frames: number[]
  longTasks: number[]
  live: Record<string, number>
}

/** Runs in the page before the app's own script (serialized by playwright: self-contained). */
function probe(target: string) {
  const w = window as unknown as { __bench: PageProbe }
  const b: PageProbe = { target, firstSeenAt: null, recording: false, frames: [], longTasks: [], live: {} }
  w.__bench = b
  const liveText = /live (\d+) sent (\d+)/
  const scan = (el: Element) => {
    const articles = el.matches('article') ? [el] : el.querySelectorAll('article')
    for (const a of articles) {
      const m = liveText.exec(a.textContent ?? '')
      if (m && !(m[1]! in b.live)) b.live[m[1]!] = Date.now() - Number(m[2])
    }
  }
  // The target counts once its row is drawn: the list keeps its rows hidden (CSS visibility)
  // until it has scrolled to where it opens, and a row merely in the page is not yet seen.
  let asked = false
  const look = () => {
    asked = false
    if (b.firstSeenAt !== null || !b.target) return
    for (const a of document.querySelectorAll('[role="log"] article')) {
      if (!(a.textContent ?? '').includes(b.target) || !a.checkVisibility({ visibilityProperty: true })) continue
      b.firstSeenAt = performance.now()
      return
    }
  }
  new MutationObserver((records) => {
    if (b.firstSeenAt === null && b.target && !asked) {
      const list = document.querySelector('[role="log"]')
      if (list && (list.textContent ?? '').includes(b.target)) {
        asked = true
        requestAnimationFrame(look)
      }
    }
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) scan(n as Element)
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] })
  let last = 0
  const frame = (at: number) => {
    if (b.recording && last) b.frames.push(at - last)
    last = at
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
  try {
    new PerformanceObserver((list) => {
      if (b.recording) for (const e of list.getEntries()) b.longTasks.push(e.duration)
    }).observe({ type: 'longtask', buffered: false })
  } catch {
    // No long-task timing in this browser: the frame deltas still say it.
  }
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps inner functions in `__name(...)`;
 * functions sent to the page carry those calls, so the page gets a `__name` that does nothing.
 */
const keepNamesShim = { content: 'globalThis.__name = (f) => f' }

const bench = (page: Page) => page.evaluate(() => (window as unknown as { __bench: PageProbe }).__bench)
const setTarget = (page: Page, target: string) =>
  page.evaluate((tg) => {
    const b = (window as unknown as { __bench: PageProbe }).__bench
    b.target = tg
    b.firstSeenAt = null
  }, target)
const record = (page: Page, on: boolean) =>
  page.evaluate((v) => {
    const b = (window as unknown as { __bench: PageProbe }).__bench
    if (v) {
      b.frames = []
      b.longTasks = []
    }
    b.recording = v
  }, on)

/** How much the rows jumped, over the frames of a scroll (`scrollBack`'s shifts, px). */
function jumpsOf(shifts: number[]) {
  const off = shifts.map(Math.abs).sort((a, b) => a - b)
  return { frames: off.length, over1px: off.filter((d) => d > 1).length, p99: off[Math.floor(off.length * 0.99)] ?? 0, max: off.at(-1) ?? 0 }
}

function frameSummary(frames: number[], longTasks: number[]) {
  const over = frames.filter((f) => f > FRAME_BUDGET_MS)
  return {
    frames: frames.length,
    framesOver50ms: over.length,
    longestFrameMs: Math.round(Math.max(0, ...frames)),
    p99FrameMs: Math.round(pct(frames, 99)),
    longTasks: longTasks.length,
    longestTaskMs: Math.round(Math.max(0, ...longTasks)),
  }
}
const frameLine = (f: ReturnType<typeof frameSummary>) =>
  `${f.frames} frames, ${f.framesOver50ms} over ${FRAME_BUDGET_MS} ms (longest ${f.longestFrameMs} ms, p99 ${f.p99FrameMs} ms); ${f.longTasks} long tasks (longest ${f.longestTaskMs} ms)`

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1e6
}

async function signIn(tab: Tab, email: string): Promise<void> {
  await tab.page.goto('/signin')
  await tab.page.getByLabel('Email', { exact: true }).fill(email)
  await tab.page.getByLabel('Password', { exact: true }).fill(password)
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await tab.page.getByRole('navigation', { name: 'Workspace' }).waitFor()
}

async function openChannel(tab: Tab, name: string): Promise<void> {
  await tab.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: new RegExp(`^${name}\\b`) }).click()
  await tab.page.getByRole('heading', { name: `#${name}`, level: 1 }).waitFor()
}

/** Sends `texts` in order over sockets, up to `inFlight` at a time (the server commits them in groups). */
async function seed(senders: LiveSocket[], conversationId: string, texts: string[], inFlight = 64): Promise<void> {
  let next = 0
  const worker = async (k: number) => {
    for (;;) {
      const i = next++
      if (i >= texts.length) return
      await senders[i % senders.length]!.call('message.send', { conversationId, text: texts[i]!, clientId: `seed-${conversationId}-${i}-${k}` })
    }
  }
  await Promise.all(Array.from({ length: inFlight }, (_, k) => worker(k)))
}

/** Varied messages, as a real channel has: short ones, long ones, lists, code. */
function historyText(i: number): string {
  const n = String(i).padStart(5, '0')
  if (i % 11 === 0) return `history ${n}: the build log\n\`\`\`\nnpm test\n  ok 1 - server\n  ok 2 - web app\n\`\`\``
  if (i % 7 === 0) return `history ${n}: three things\n1. review **the web app**\n2. ship it\n3. write it down in docs/web.md`
  if (i % 5 === 0) return `history ${n}: ${'a longer thought that wraps over a few lines of the message list, '.repeat(3)}see https://example.test/${n}`
  return `history ${n}: short note :tada:`
}

async function main() {
  const skip = cannotRun()
  if (skip) throw new Error(`cannot run: ${skip}`)
  const teardowns: Array<() => unknown> = []
  const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) }
  const db = await benchDatabase()
  teardowns.push(() => db.stop())
  const result: Record<string, unknown> = { database: db.where }
  try {
    log(`database: ${db.where}`)
    const server = await startTestServer(t, { webDir, databaseUrl: db.serverUrl, logLevel: 'warn' })
    const { ws, people } = await server.team('ada', 'grace', 'linus')
    const [ada, grace, linus] = people
    const conversations = await ada.call('conversation.list', { workspaceId: ws.id })
    const general = conversations.find((c) => c.name === 'general')!
    const history = await ada.call('channel.create', { workspaceId: ws.id, name: 'history' })
    const live = await ada.call('channel.create', { workspaceId: ws.id, name: 'live' })
    for (const p of [grace, linus]) {
      await p.call('conversation.join', { conversationId: history.id })
      await p.call('conversation.join', { conversationId: live.id })
    }
    const sockets = await Promise.all([ada, grace, linus].map((p) => server.connect(p.token)))

    let t0 = performance.now()
    const generalTexts: string[] = Array.from({ length: 200 }, (_, i) => historyText(i + 1).replace('history', 'general'))
    await seed(sockets, general.id, generalTexts, 16)
    await seed(sockets, history.id, Array.from({ length: HISTORY }, (_, i) => historyText(i + 1)))
    log(`seeded 200 messages in #general and ${HISTORY} in #history in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    const browser = await launchChromium(t)

    // (1) First rendered message list from a warm cache.
    const A = await openTab(browser, server.url)
    // Sent many at a time, the messages' order on the server is not quite the order of their
    // numbers: the newest is asked for.
    const newestOf = async (conversationId: string) => (await ada.call('message.list', { conversationId, limit: 1 }))[0]!.text.split(':')[0]!
    const newestGeneral = await newestOf(general.id)
    await A.context.addInitScript(keepNamesShim)
    await A.context.addInitScript(probe, newestGeneral)
    await signIn(A, ada.email)
    await A.page.getByRole('heading', { name: '#general', level: 1 }).waitFor()
    await A.page.getByRole('log').getByRole('article').filter({ hasText: newestGeneral }).waitFor()
    // Once more so the service worker controls the page and every asset is in the caches.
    await A.page.reload()
    await A.page.getByRole('log').getByRole('article').filter({ hasText: newestGeneral }).waitFor()
    await sleep(500)
    const firstLists: number[] = []
    const loadFirst = await loadavg()
    for (let i = 0; i < RELOADS; i++) {
      await A.page.reload({ waitUntil: 'commit' })
      await A.page.getByRole('log').getByRole('article').filter({ hasText: newestGeneral }).waitFor()
      const b = await bench(A.page)
      if (b.firstSeenAt === null) throw new Error('first list not observed')
      firstLists.push(b.firstSeenAt)
      await sleep(300)
    }
    const firstList = { medianMs: Math.round(median(firstLists)), minMs: Math.round(Math.min(...firstLists)), maxMs: Math.round(Math.max(...firstLists)), runs: firstLists.map(Math.round), load: loadFirst }
    result.firstList = firstList
    const heapSession = await A.context.newCDPSession(A.page)
    await heapSession.send('Performance.enable')
    const heapAtGeneral = await heapMB(heapSession)
    log(`first rendered message list, warm cache: median ${firstList.medianMs} ms (min ${firstList.minMs}, max ${firstList.maxMs}; ${RELOADS} reloads; budget ${FIRST_LIST_BUDGET_MS} ms) [load ${loadFirst}]`)

    // (2) A channel of 10,000 messages: open it, then scroll back through 1,000.
    const loadScroll = await loadavg()
    const newestHistory = await newestOf(history.id)
    await setTarget(A.page, newestHistory)
    await record(A.page, true)
    t0 = performance.now()
    await openChannel(A, 'history')
    await A.page.getByRole('log', { name: 'Messages in history' }).getByRole('article').filter({ hasText: newestHistory }).waitFor()
    const openMs = performance.now() - t0
    const openFrames = frameSummary((await bench(A.page)).frames, (await bench(A.page)).longTasks)
    await sleep(500)
    const cdpA = await A.context.newCDPSession(A.page)
    if (args.profile) {
      await cdpA.send('Profiler.enable')
      await cdpA.send('Profiler.start')
    }
    await record(A.page, true)
    t0 = performance.now()
    // Back to the message SCROLL_BACK before the newest (the fixture's numbers: history 00001 the oldest).
    const scrolled = await A.page.evaluate(scrollBack, { step: 80, until: `history ${String(HISTORY - SCROLL_BACK).padStart(5, '0')}:` })
    if (args.profile) {
      const { profile } = await cdpA.send('Profiler.stop')
      await writeFile(`${args.profile}-scroll.cpuprofile`, JSON.stringify(profile))
      log(`CPU profile of the page while scrolling: ${args.profile}-scroll.cpuprofile`)
    }
    const scrollProbe = await bench(A.page)
    await record(A.page, false)
    const scrollFrames = frameSummary(scrollProbe.frames, scrollProbe.longTasks)
    const heapAfterScroll = await heapMB(heapSession)
    const shifts = jumpsOf(scrolled.shifts)
    result.history = { messages: HISTORY, openMs: Math.round(openMs), openFrames, scrollBack: SCROLL_BACK, scrollMs: Math.round(scrolled.ms), scrollFrames, scrollShifts: shifts, scrollStalled: scrolled.stalled, heapAtGeneralMB: +heapAtGeneral.toFixed(1), heapAfterScrollMB: +heapAfterScroll.toFixed(1), load: loadScroll }
    log(`#history (${HISTORY} messages) opened in ${Math.round(openMs)} ms (click to newest on screen): ${frameLine(openFrames)} [load ${loadScroll}]`)
    log(`scrolled back ${SCROLL_BACK} messages (80 px a frame, older pages loaded as it went; ${scrolled.stalled} frames waiting at the top of what was loaded) in ${(scrolled.ms / 1000).toFixed(1)} s: ${frameLine(scrollFrames)}; heap ${heapAfterScroll.toFixed(1)} MB (at #general ${heapAtGeneral.toFixed(1)} MB)`)
    log(`rows jumping while scrolling back: ${shifts.over1px} of ${shifts.frames} frames moved a row by more than 1 px beyond the scroll (p99 ${shifts.p99.toFixed(1)} px, max ${shifts.max.toFixed(1)} px)`)
    await A.context.close()

    // (3) Live messages at 200/s for 20 s in the open channel, in a fresh profile.
    const B = await openTab(browser, server.url)
    await B.context.addInitScript(keepNamesShim)
    await B.context.addInitScript(probe, '')
    await signIn(B, ada.email)
    await openChannel(B, 'live')
    const cdpB = await B.context.newCDPSession(B.page)
    await cdpB.send('Performance.enable')
    await sleep(500)
    const heapBefore = await heapMB(cdpB)
    const sender = sockets[1]!
    const send = async (from: number, count: number) => {
      const refused: unknown[] = []
      const inflight: Promise<unknown>[] = []
      const started = performance.now()
      const per = Math.max(1, Math.round(RATE / 20))
      let inflightNow = 0
      for (let sent = 0; sent < count; ) {
        // 50 ms ticks, each sending its share: 200/s is 10 per tick.
        const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * RATE) + per)
        // At most 200 unanswered: a server that falls behind slows the sender (reported as the
        // time the sending took) rather than refusing sends as too many at once.
        for (; sent < due && inflightNow < 200; sent++) {
          const n = from + sent
          inflightNow++
          inflight.push(
            sender
              .call('message.send', { conversationId: live.id, text: `live ${n} sent ${Date.now()}`, clientId: `live-${n}` })
              .catch((e) => refused.push(e))
              .finally(() => inflightNow--),
          )
        }
        await sleep(50)
      }
      await Promise.all(inflight)
      if (refused.length) log(`${refused.length} sends failed, the first: ${String(refused[0])} ${JSON.stringify(refused[0])}`)
      return { ms: performance.now() - started, refused: refused.length }
    }
    // Delivered: in the page's client state, which IndexedDB mirrors (written behind). On
    // screen: seen by the observer; when many arrive within one frame, the list jumps to the
    // newest and the ones scrolled past are never drawn, so that count can be lower.
    const inPage = () =>
      B.page.evaluate(
        async ({ userId, conversationId }) => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const r = indexedDB.open(`ocomms-${userId}`)
            r.onsuccess = () => resolve(r.result)
            r.onerror = () => reject(r.error)
          })
          const all = await new Promise<Array<{ conversationId: string; text: string }>>((resolve, reject) => {
            const r = db.transaction('messages').objectStore('messages').getAll()
            r.onsuccess = () => resolve(r.result as Array<{ conversationId: string; text: string }>)
            r.onerror = () => reject(r.error)
          })
          db.close()
          return new Set(all.filter((m) => m.conversationId === conversationId).map((m) => /^live (\d+) /.exec(m.text)?.[1]).filter(Boolean)).size
        },
        { userId: ada.id, conversationId: live.id },
      )
    const waitSeen = async (count: number, ms: number) => {
      const until = Date.now() + ms
      for (;;) {
        const delivered = await inPage()
        if (delivered >= count || Date.now() > until) return { delivered, onScreen: Object.keys((await bench(B.page)).live).length }
        await sleep(250)
      }
    }
    const loadLive = await loadavg()
    const liveCount = RATE * SECONDS
    if (args.profile) {
      await cdpB.send('Profiler.enable')
      await cdpB.send('Profiler.start')
    }
    await record(B.page, true)
    const sent = await send(0, liveCount)
    if (args.profile) {
      const { profile } = await cdpB.send('Profiler.stop')
      await writeFile(`${args.profile}-live.cpuprofile`, JSON.stringify(profile))
      log(`CPU profile of the page during the live phase: ${args.profile}-live.cpuprofile`)
    }
    const { delivered: seen, onScreen } = await waitSeen(liveCount, 30_000)
    const liveProbe = await bench(B.page)
    await record(B.page, false)
    const lags = Object.values(liveProbe.live)
    const liveFrames = frameSummary(liveProbe.frames, liveProbe.longTasks)
    const liveResult = {
      rate: RATE,
      seconds: SECONDS,
      sent: liveCount,
      sendSeconds: +(sent.ms / 1000).toFixed(1),
      refused: sent.refused,
      delivered: seen,
      onScreen,
      lagP50Ms: Math.round(pct(lags, 50)),
      lagP95Ms: Math.round(pct(lags, 95)),
      lagMaxMs: Math.round(Math.max(...lags)),
      frames: liveFrames,
      load: loadLive,
    }
    result.live = liveResult
    log(
      `${RATE} messages/s for ${SECONDS} s into the open channel (sent in ${liveResult.sendSeconds} s): ${seen}/${liveCount} delivered to the page, ${onScreen} drawn; send→drawn p50 ${liveResult.lagP50Ms} ms, p95 ${liveResult.lagP95Ms} ms, max ${liveResult.lagMaxMs} ms; ${frameLine(liveFrames)} [load ${loadLive}]`,
    )

    // Memory after 5,000 messages in the page.
    const more = Math.max(0, MEMORY_AFTER - liveCount)
    await send(liveCount, more)
    const total = (await waitSeen(liveCount + more, 30_000)).delivered
    const heapAfter = await heapMB(cdpB)
    const domNodes = (await cdpB.send('Performance.getMetrics')).metrics.find((m) => m.name === 'Nodes')?.value
    result.memory = { messages: liveCount + more, delivered: total, heapBeforeMB: +heapBefore.toFixed(1), heapAfterMB: +heapAfter.toFixed(1), domNodes, load: await loadavg() }
    log(`page heap after ${liveCount + more} live messages (${total} in the page): ${heapAfter.toFixed(1)} MB (${heapBefore.toFixed(1)} MB with the channel empty); ${domNodes} DOM nodes`)
    await B.context.close()
  } finally {
    for (const fn of teardowns.reverse()) await fn()
  }
  if (args.json) console.log(JSON.stringify(result))
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
