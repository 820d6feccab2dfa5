/** What {@link scrollBack} answers. */
export interface ScrollBack {
  ms: number
  /** Frames scrolled. */
  frames: number
  /** Frames in which the scroll could not go on: at the top of what was loaded, waiting for the next page. */
  stalled: number
  /**
   * For each frame drawn, how far the row that was in the middle of the view moved other than
   * with the scroll, in px (0 when it moved exactly with it).
   */
  shifts: number[]
}

/**
 * Runs in the page (give it to `page.evaluate`: it is self-contained): scrolls the message list
 * back `step` px a frame, as a wheel or a flick does, until a row saying `until` is drawn (with
 * `toTop`, and the list is scrolled to its top: the rows above the view are measured last there).
 *
 * From one drawn frame to the next, the row in the middle of the view should have moved down by
 * exactly what the scroll moved; anything else is the list putting rows where its sums say rather
 * than where they were (older pages put on top, rows measured as they render): what someone reading
 * sees jump. It is read after each frame is drawn (a task after the animation frame): inside the
 * frame the list is still correcting itself, and what is read there is never seen.
 */
export async function scrollBack({ step, until, toTop = false, timeoutMs = 120_000 }: { step: number; until: string; toTop?: boolean; timeoutMs?: number }): Promise<ScrollBack> {
  const scroller = document.querySelector('[role="log"] [data-virtuoso-scroller]') as HTMLElement | null
  if (!scroller) throw new Error('no message list')
  const view = scroller.getBoundingClientRect()
  const drawn = () => [...scroller.querySelectorAll('article')].some((a) => a.textContent!.includes(until))
  const shifts: number[] = []
  let anchor: { id: string; top: number } | null = null
  let moved = 0
  const afterFrame = () => {
    const row = anchor && scroller.querySelector(`article[data-message-id="${anchor.id}"]`)
    if (anchor && row) shifts.push(row.getBoundingClientRect().top - anchor.top - moved)
    const middle = document.elementFromPoint(view.left + view.width / 2, view.top + view.height / 2)?.closest('article')
    anchor = middle?.dataset.messageId ? { id: middle.dataset.messageId, top: middle.getBoundingClientRect().top } : null
    moved = 0
  }
  const started = performance.now()
  let frames = 0
  let stalled = 0
  await new Promise<void>((resolve, reject) => {
    const tick = () => {
      // The rows' text is read every 8th frame (reading it costs the page too), and at the top.
      if ((frames % 8 === 0 || scroller.scrollTop === 0) && (!toTop || scroller.scrollTop === 0) && drawn()) return resolve()
      if (performance.now() - started > timeoutMs) return reject(new Error(`"${until}" not reached in ${timeoutMs} ms (${frames} frames)`))
      const before = scroller.scrollTop
      scroller.scrollTop = Math.max(0, before - step)
      moved += before - scroller.scrollTop
      if (scroller.scrollTop === before) stalled++
      frames++
      setTimeout(afterFrame, 0)
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  return { ms: performance.now() - started, frames, stalled, shifts }
}
