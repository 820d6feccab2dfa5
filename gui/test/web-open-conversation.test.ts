import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { cannotRun, launchChromium, openTab, webDir, type Tab } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'
/** More than a window of rows, and more than the first page the app reads (50). */
const MESSAGES = 80

/**
 * Put into the page before its scripts: at every animation frame, what the message list shows.
 * Rows can be in the page and still hidden (the list hides them until it has scrolled where it
 * opens), so "shown" is what the browser would draw: `checkVisibility` with `visibility` counted.
 */
const sampler = `(() => {
  window.__frames = []
  const sample = () => {
    const log = document.querySelector('[role=log]')
    const rows = log ? [...log.querySelectorAll('article')] : []
    const shown = rows.filter((r) => r.checkVisibility({ visibilityProperty: true }))
    const view = log && log.getBoundingClientRect()
    const inView = view ? shown.filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > view.top && b.top < view.bottom }) : []
    const line = log && [...log.querySelectorAll('[role=separator][aria-label="New messages"]')].find((l) => l.checkVisibility({ visibilityProperty: true }))
    const lineBox = line && view ? line.getBoundingClientRect() : null
    window.__frames.push({
      log: log ? log.getAttribute('aria-label') : null,
      lineAt: lineBox && lineBox.bottom > view.top && lineBox.top < view.bottom ? Math.round(lineBox.top - view.top) : null,
      rows: rows.length,
      shown: shown.length,
      inView: inView.map((r) => r.textContent.trim()),
      boxes: Object.fromEntries(inView.map((r) => { const b = r.getBoundingClientRect(); return [r.dataset.messageId, [b.top - view.top, b.width]] })),
      picture: inView.filter((r) => r.closest('.first-rows')).length,
      list: inView.filter((r) => r.closest('[data-virtuoso-scroller]')).length,
    })
    requestAnimationFrame(sample)
  }
  requestAnimationFrame(sample)
})()`

interface Frame {
  log: string | null
  /** Where the "new messages" line is in the list's view (px from its top), when it is in view. */
  lineAt: number | null
  rows: number
  shown: number
  inView: string[]
  /** Where each row in view is (px from the top of the view) and how wide, by message id. */
  boxes: Record<string, [number, number]>
  /** Rows in view drawn by the picture of the first rows (chat/first-rows.tsx), and by the list. */
  picture: number
  list: number
}

/** The rows two frames both show that are not at the same place or width in both (by more than 1 px). */
const moved = (a: Frame, b: Frame) =>
  Object.keys(a.boxes).filter((id) => id in b.boxes && a.boxes[id]!.some((v, i) => Math.abs(v - b.boxes[id]![i]!) > 1))

/** Whether a row in view says `text` (and not `text` with more digits after it). */
const hasRow = (f: Frame, text: string) => f.inView.some((row) => new RegExp(`${text}(?!\\d)`).test(row))

/** The frames from the one where `channel`'s list first has rows in the page. */
async function framesOf(tab: Tab, channel: string): Promise<Frame[]> {
  const frames = (await tab.page.evaluate(() => (window as unknown as { __frames: Frame[] }).__frames)) as Frame[]
  const first = frames.findIndex((f) => f.log === `Messages in ${channel}` && f.rows > 0)
  return first < 0 ? [] : frames.slice(first).filter((f) => f.log === `Messages in ${channel}`)
}

t.test('a conversation opens at its newest message (or its first unread), drawn in the frame its rows enter the page, and nothing moves when its list takes over', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const general = (await ada.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  const channel = async (name: string) => {
    const c = await ada.call('channel.create', { workspaceId: ws.id, name })
    await grace.call('conversation.join', { conversationId: c.id })
    return c
  }
  const say = async (conversationId: string, name: string, from: number, to: number) => {
    for (let i = from; i < to; i++) await grace.call('message.send', { clientId: randomUUID(), conversationId, text: `${name} line ${i}` })
  }
  const [random, busy, quiet] = [await channel('random'), await channel('busy'), await channel('quiet')]
  for (const [c, name] of [[general, 'general'], [random, 'random']] as const) {
    await say(c.id, name, 0, MESSAGES)
    await ada.call('read.mark', { conversationId: c.id })
  }
  // Unread: in #busy more than a window of them (all in the page the app reads first), in #quiet
  // three, each after twenty read.
  for (const [c, name, unread] of [[busy, 'busy', 40], [quiet, 'quiet', 3]] as const) {
    await say(c.id, name, 0, 20)
    await ada.call('read.mark', { conversationId: c.id })
    await say(c.id, name, 20, 20 + unread)
  }

  // Scrollbars as a desktop window draws them: the rows drawn at once keep the room of the list's.
  const browser = await launchChromium(t, { scrollbars: true })
  const A = await openTab(browser, server.url)
  await A.context.addInitScript(sampler)
  await A.page.goto('/signin')
  await A.page.getByLabel('Email', { exact: true }).fill(ada.email)
  await A.page.getByLabel('Password', { exact: true }).fill(password)
  await A.page.getByRole('button', { name: 'Sign in', exact: true }).click()

  const opens = async (channel: string, newest: string, expect: 'newest' | 'first unread' = 'newest') => {
    await A.page.getByRole('log', { name: `Messages in ${channel}` }).getByRole('article').filter({ hasText: new RegExp(`${expect === 'newest' ? newest : `${channel} line 20`}(?!\\d)`) }).waitFor()
    // Some frames more, to see that nothing moves once it is shown.
    await A.page.evaluate('new Promise((done) => { let n = 30; const next = () => (--n ? requestAnimationFrame(next) : done(null)); requestAnimationFrame(next) })')
    const frames = await framesOf(A, channel)
    const shownAt = frames.findIndex((f) => f.shown > 0)
    t.ok(shownAt >= 0, `${channel}: its rows are shown`)
    // The list used to stay hidden four frames after measuring its rows, and then 150 ms more
    // after scrolling to where it opens (react-virtuoso's initial location; patches/), and then
    // two frames. The rows are now drawn in the frame they enter the page, a picture of them until
    // the list, mounted after it, is shown (chat/first-rows.tsx).
    t.equal(shownAt, 0, `${channel}: shown in the frame its rows entered the page`)
    const shown = frames.slice(shownAt)
    const moves = shown.slice(1).flatMap((f, i) => moved(shown[i]!, f).map(() => i + 1))
    t.same(moves, [], `${channel}: nothing moves after it is shown`, { frames: moves.length ? shown.slice(Math.max(0, moves[0]! - 1), moves[0]! + 1).map((f) => [f.picture, f.list, f.boxes]) : [] })
    t.ok(shown.every((f) => f.inView.length > 0), `${channel}: no frame without rows once shown`)
    t.ok(shown.every((f) => !(f.picture > 0 && f.list > 0)), `${channel}: never the picture and the list at once`)
    t.ok(shown.at(-1)!.list > 0 && shown.at(-1)!.picture === 0, `${channel}: the list has taken over (${shown.findIndex((f) => f.list > 0)} frames after the rows were shown)`)
    if (expect === 'newest') {
      t.ok(hasRow(shown[0]!, newest), `${channel}: the first frame shown has the newest message in view`)
      t.ok(shown.every((f) => hasRow(f, newest)), `${channel}: and keeps it`)
      t.notOk(hasRow(shown[0]!, `${channel} line ${MESSAGES - 50}`), `${channel}: it does not open at the top of what was read`)
    } else {
      // The line near the top, with a little of what was read above it, the unread below.
      const at = shown[0]!.lineAt
      // 48 px: READ_CONTEXT_PX in chat/conversation.tsx.
      t.ok(at !== null && Math.abs(at - 48) <= 1, `${channel}: the first frame shown has the "new messages" line 48 px from the top (${at} px)`)
      t.ok(hasRow(shown[0]!, `${channel} line 19`) && hasRow(shown[0]!, `${channel} line 20`), `${channel}: the last message read and the first unread are in view`)
      t.notOk(hasRow(shown[0]!, newest), `${channel}: the newest, a window further down, is not`)
    }
  }
  const open = (name: string) => A.page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: new RegExp(`^${name}\\b`) }).click()

  // At the start (the app opens #general), then on changing conversation.
  await opens('general', `general line ${MESSAGES - 1}`)
  await open('random')
  await opens('random', `random line ${MESSAGES - 1}`)
  // Unread messages open at the "new messages" line when they fill more than the window...
  await open('busy')
  await opens('busy', 'busy line 59', 'first unread')
  await A.shot('web-opens-at-new-messages')
  // ... and at the newest when they fit, the line in view above them.
  await open('quiet')
  await opens('quiet', 'quiet line 22')
  t.ok((await framesOf(A, 'quiet')).find((f) => f.shown > 0)!.lineAt !== null, 'quiet: the "new messages" line is in view too')
  t.same(A.errors, [], 'no errors in the page')
})
