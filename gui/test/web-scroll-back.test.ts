import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { cannotRun, hasFocus, launchChromium, openTab, webDir } from './helpers/browser.js'
import { scrollBack } from './helpers/scroll-back.js'

const skip = cannotRun()
const password = 'correct horse battery staple'
/** Six of the pages the app reads at a time (50), so scrolling back to the first puts several on top. */
const MESSAGES = 300

/** Rows of many heights, as a real channel has: the list knows a row's height only once drawn. */
function text(i: number): string {
  const n = String(i).padStart(4, '0')
  if (i % 11 === 0) return `history ${n}: the build log\n\`\`\`\nnpm test\n  ok 1 - server\n  ok 2 - web app\n\`\`\``
  if (i % 7 === 0) return `history ${n}: three things\n1. review **the web app**\n2. ship it\n3. write it down`
  if (i % 5 === 0) return `history ${n}: ${'a longer thought that wraps over a few lines of the message list, '.repeat(3)}`
  return `history ${n}: short note`
}

/**
 * Put into the page before its scripts: where the row in the middle of the message list's view
 * is (`middleRow`), and where a row is now (`topOf`, null when it is not in the page). A row that
 * moves other than with the scroll is what someone reading sees jump.
 */
const rowWatch = `(() => {
  const scroller = () => document.querySelector('[role="log"] [data-virtuoso-scroller]')
  window.middleRow = () => {
    const view = scroller().getBoundingClientRect()
    const row = document.elementFromPoint(view.left + view.width / 2, view.top + view.height / 2)?.closest('article')
    return row && row.dataset.messageId ? { id: row.dataset.messageId, top: row.getBoundingClientRect().top } : null
  }
  window.topOf = (id) => scroller().querySelector('article[data-message-id="' + id + '"]')?.getBoundingClientRect().top ?? null
})()`

/** What `rowWatch` gives the page. */
interface RowWatch {
  middleRow(): { id: string; top: number } | null
  topOf(id: string): number | null
}

t.test('scrolling back through history, the rows in view move with the scroll and never jump, nor when rows above them change', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace', 'linus')
  const [ada, grace, linus] = people
  const channel = async (name: string, messages = MESSAGES) => {
    const c = await ada.call('channel.create', { workspaceId: ws.id, name })
    for (const p of [grace, linus]) await p.call('conversation.join', { conversationId: c.id })
    // Two authors taking turns now and then: some rows carry a name, some follow on.
    for (let i = 1; i <= messages; i++) await (i % 4 === 0 ? linus : grace).call('message.send', { clientId: randomUUID(), conversationId: c.id, text: text(i) })
    await ada.call('read.mark', { conversationId: c.id })
    return c
  }
  await channel('history')
  await channel('wheel')
  await channel('top', 150)

  // Scrollbars as a desktop window draws them.
  const browser = await launchChromium(t, { scrollbars: true })
  const A = await openTab(browser, server.url)
  // The test runs compiled with esbuild's keepNames, which wraps the inner functions of those
  // sent to the page in `__name(...)`: the page gets one that does nothing.
  await A.context.addInitScript({ content: 'globalThis.__name = (f) => f' })
  await A.context.addInitScript(rowWatch)
  await A.page.goto('/signin')
  await A.page.getByLabel('Email', { exact: true }).fill(ada.email)
  await A.page.getByLabel('Password', { exact: true }).fill(password)
  await A.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  const open = async (name: string, messages = MESSAGES) => {
    await A.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: new RegExp(`^${name}\\b`) }).click()
    await A.page.getByRole('log', { name: `Messages in ${name}` }).getByRole('article').filter({ hasText: `history ${String(messages).padStart(4, '0')}:` }).waitFor()
    // Opened and settled: the jumps counted are the scroll's own.
    await A.page.waitForTimeout(500)
  }

  // A steady scroll of 80 px a frame, as a flick gives, set by the page at each frame. Before the
  // rows were measured in the render that draws them (patches/, react-virtuoso), the rows in view
  // jumped in most of these frames, by up to 300 px, and back in the next; where a page of older
  // history came in at the top of what was loaded, by some 30 px more.
  await open('history')
  const scrolled = await A.page.evaluate(scrollBack, { step: 80, until: 'history 0001:', toTop: true, timeoutMs: 60_000 })
  t.ok(scrolled.frames > 100, `scrolled back to the first message, through older pages, in ${scrolled.frames} frames (${scrolled.stalled} waiting at the top of what was loaded for the next)`)
  t.same(
    scrolled.shifts.flatMap((px, frame) => (Math.abs(px) > 1 ? [{ frame, px }] : [])),
    [],
    'no frame moved the rows in view by more than 1 px beyond the scroll',
  )

  // Straight to the top of what is loaded (the scrollbar dragged up, or Home), and resting there
  // while the older pages come in on top. Before, the rows in view jumped by 240–460 px and back
  // as each page came; then, with the fixes above, still by 60–90 px once: the first row loaded
  // loses its day and name when a page goes on top of it, and the list anchored on that row.
  await open('top', 150)
  const resting = await A.page.evaluate(async () => {
    const { middleRow, topOf } = window as unknown as RowWatch
    const scroller = document.querySelector('[role="log"] [data-virtuoso-scroller]') as HTMLElement
    const afterFrame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))
    const moves: number[] = []
    for (let round = 0; round < 2; round++) {
      scroller.scrollTop = 0
      await afterFrame()
      let anchor: { id: string; top: number } | null = null
      for (let frame = 0; frame < 60; frame++) {
        await afterFrame()
        if (anchor) moves.push((topOf(anchor.id) ?? Infinity) - anchor.top)
        anchor = middleRow()
      }
    }
    return { moves, first: [...scroller.querySelectorAll('article')].some((a) => a.textContent!.includes('history 0001:')) }
  })
  t.ok(resting.first, 'resting at the top, the older pages came in, down to the first message')
  t.same(resting.moves.filter((px) => Math.abs(px) > 1), [], 'and the rows in view did not move as they came')

  // The same by the wheel: the browser scrolls (on its compositor, not the page), in gestures
  // of 4,000 px at 2,400 px a second. Frames here can be slower than the display's, so a frame
  // may move the rows by two or three frames' worth; but scrolling back moves them down, never up.
  await open('wheel')
  await A.page.evaluate(() => {
    const w = window as unknown as RowWatch & { wheelMoves: number[]; wheelDone: boolean }
    w.wheelMoves = []
    w.wheelDone = false
    let anchor: { id: string; top: number } | null = null
    const afterFrame = () => {
      const top = anchor && w.topOf(anchor.id)
      if (anchor && top != null) w.wheelMoves.push(top - anchor.top)
      anchor = w.middleRow()
    }
    const tick = () => {
      setTimeout(afterFrame, 0)
      if (!w.wheelDone) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  const cdp = await A.context.newCDPSession(A.page)
  const box = (await A.page.getByRole('log').boundingBox())!
  for (let i = 0; i < 4; i++) {
    await cdp.send('Input.synthesizeScrollGesture', { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2), yDistance: 4000, speed: 2400, gestureSourceType: 'mouse', preventFling: true })
  }
  const moves = await A.page.evaluate(() => {
    const w = window as unknown as { wheelMoves: number[]; wheelDone: boolean }
    w.wheelDone = true
    return w.wheelMoves
  })
  const moving = moves.filter((px) => Math.abs(px) > 1)
  t.ok(moving.length > 100, `the wheel scrolled the list (${moving.length} frames moving)`)
  t.same(
    moving.filter((px) => px < -1),
    [],
    'no frame moved the rows up while the wheel scrolled back (before: dozens, by up to 425 px)',
  )

  // Where the wheel left it, half way back: rows above the view change while one reads. The rows
  // in view stay where they are (before, they moved by the change: 32, 22 and 17 px here).
  for (const change of ['a reaction', 'an edit', 'a deletion'] as const) {
    const before = await A.page.evaluate(() => {
      const scroller = document.querySelector('[role="log"] [data-virtuoso-scroller]') as HTMLElement
      const view = scroller.getBoundingClientRect()
      // The second row above the view: what changes, and the row after it, are both above it.
      const above = ([...scroller.querySelectorAll('article[data-message-id]')] as HTMLElement[]).filter((r) => r.getBoundingClientRect().bottom < view.top)
      return { target: above.at(-2)?.dataset.messageId ?? null, inView: (window as unknown as RowWatch).middleRow()! }
    })
    if (!before.target) {
      t.fail(`${change}: no row drawn above the view`)
      continue
    }
    const message = await ada.call('message.get', { messageId: before.target })
    const author = [ada, grace, linus].find((p) => p.id === message.author.id)!
    if (change === 'a reaction') await ada.call('reaction.add', { messageId: before.target, emoji: 'tada' })
    if (change === 'an edit') await author.call('message.edit', { messageId: before.target, text: `edited: ${'a longer text now, which wraps over more lines of the list than it did. '.repeat(4)}` })
    if (change === 'a deletion') await author.call('message.delete', { messageId: before.target })
    // The change is drawn (the row above has its new height) and the list has had its frames.
    await A.page.waitForFunction(
      ({ id, change }) => {
        const row = document.querySelector(`[role="log"] article[data-message-id="${id}"]`)
        if (!row) return false
        if (change === 'a reaction') return row.querySelector('[role="group"][aria-label="Reactions"]') !== null
        if (change === 'an edit') return row.textContent!.includes('edited:')
        return row.textContent!.toLowerCase().includes('deleted')
      },
      { id: before.target, change },
    )
    await A.page.evaluate('new Promise((done) => { let n = 10; const next = () => (--n ? requestAnimationFrame(next) : done(null)); requestAnimationFrame(next) })')
    const top = await A.page.evaluate((id) => (window as unknown as RowWatch).topOf(id), before.inView.id)
    t.ok(top !== null && Math.abs(top - before.inView.top) <= 1, `${change} above the view: the rows in view stay put (moved ${top === null ? 'out of the page' : `${(top - before.inView.top).toFixed(1)} px`})`)
  }

  // Still far back: a way to the newest, which says what came meanwhile, and takes one there.
  /** Waits until the row saying `text` is wholly in the list's view. */
  const inView = (text: string) =>
    A.page.waitForFunction((text) => {
      const view = document.querySelector('[role="log"] [data-virtuoso-scroller]')!.getBoundingClientRect()
      const box = [...document.querySelectorAll('[role="log"] article')].find((a) => a.textContent!.includes(text))?.getBoundingClientRect()
      return !!box && box.top >= view.top && box.bottom <= view.bottom + 1
    }, text)
  const log = A.page.getByRole('log', { name: 'Messages in wheel' })
  const jump = A.page.getByRole('button', { name: /^Jump to the newest|new messages? ↓$/ })
  await jump.waitFor()
  t.match(await jump.textContent(), /^Jump to the newest ↓$/, 'scrolled back, the pane offers to jump to the newest')
  await A.shot('web-jump-to-newest')
  const wheel = (await ada.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'wheel')!
  await grace.call('message.send', { clientId: randomUUID(), conversationId: wheel.id, text: 'came while you read back' })
  await A.page.getByRole('button', { name: '1 new message ↓' }).waitFor()
  t.pass('a message from someone else meanwhile: "1 new message"')
  await jump.click()
  const newest = log.getByRole('article').filter({ hasText: 'came while you read back' })
  await newest.waitFor()
  await inView('came while you read back')
  t.pass('the jump brings the newest into view')
  await jump.waitFor({ state: 'detached' })
  t.ok(await hasFocus(A.page.getByRole('textbox', { name: 'Message #wheel' })), 'and the button goes, the focus in the message box')

  // A message written while scrolled back a little is followed down to: it is where one writes.
  await A.page.evaluate(() => {
    const scroller = document.querySelector('[role="log"] [data-virtuoso-scroller]') as HTMLElement
    scroller.scrollTop -= 300
  })
  await A.page.waitForTimeout(300)
  await A.page.getByRole('textbox', { name: /Message #wheel/ }).fill('mine, written while scrolled back')
  await A.page.keyboard.press('Enter')
  await inView('mine, written while scrolled back')
  t.pass('a message sent while scrolled back is scrolled into view')
  t.same(A.errors, [], 'no errors in the page')
})
