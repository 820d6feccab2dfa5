import { forwardRef, useLayoutEffect, useRef, type ReactNode } from 'react'
import type { ContextProp, ListProps } from 'react-virtuoso'

/** Where the list opens: at its last row, at the bottom; or with one row's top `offset` px below the top of the view. */
export type FirstRowsAt = 'end' | { index: number; offset: number }

/**
 * A conversation's rows where it opens, drawn in the frame they enter the page, until the message
 * list can draw them itself.
 *
 * The list (react-virtuoso) opens at the newest message, or at the "new messages" line, by
 * rendering its rows hidden, measuring them, scrolling there, and only then showing itself. At a
 * start, with the page's main thread busy, that was 100–150 ms after the rows were in the page
 * (three frames and the list's own passes); at a change of conversation, the same frames. This
 * draws the same rows at once, laid out the way the list lays out its rows (its list one block
 * of its own, each row in a block of its own, in the width its scroller leaves) and placed where
 * the list's scroll will put them: the row to open at `offset` px from the top, unless that would
 * leave room below the last row or above the first, where the scroll stops (so rows that all fit
 * sit at the bottom, as the list aligns them). It steps aside in the very render in which the list
 * shows itself ({@link ListShown}), so no frame has both or neither.
 *
 * `rows` are the rows around where it opens, as many as fill the window on either side, or all
 * there are (`all`). They are a picture of the list, not a second list: out of the accessibility
 * tree and inert (nothing in them can be focused or clicked), for the few frames until the list
 * takes over.
 */
export function FirstRows<Row>(props: {
  rows: Row[]
  all: boolean
  at: FirstRowsAt
  keyOf: (index: number, row: Row) => string
  render: (index: number, row: Row) => ReactNode
}) {
  const box = useRef<HTMLDivElement>(null)
  const list = useRef<HTMLDivElement>(null)
  const { at, all } = props
  useLayoutEffect(() => {
    const view = box.current
    const rows = list.current
    if (!view || !rows) return
    // The list's scroller has a scrollbar when its rows overflow it, and lays them out in the
    // width the scrollbar leaves: so does this picture. (CSS's scrollbar-gutter cannot say it: it
    // keeps room where the browser draws no scrollbar, as headless Chromium.)
    if (!all || rows.offsetHeight > view.clientHeight) {
      const room = scrollbarWidth(view)
      if (room > 0) rows.style.marginRight = `${room}px`
    }
    const height = rows.offsetHeight
    const bottom = view.clientHeight - height
    const row = at === 'end' ? undefined : (rows.children[at.index] as HTMLElement | undefined)
    const wanted = at !== 'end' && row ? at.offset - row.offsetTop : bottom
    // Rows that all fit sit at the bottom (react-virtuoso's alignToBottom).
    const top = height <= view.clientHeight ? bottom : Math.min(0, Math.max(wanted, bottom))
    rows.style.transform = `translateY(${top}px)`
  })
  return (
    <div className="first-rows" ref={box} aria-hidden="true" inert>
      <div ref={list}>
        {props.rows.map((row, i) => (
          <div key={props.keyOf(i, row)} style={{ overflowAnchor: 'none' }}>
            {props.render(i, row)}
          </div>
        ))}
      </div>
    </div>
  )
}

let knownScrollbarWidth: number | null = null
/** How wide this browser draws a vertical scrollbar (none where scrollbars overlay the content). */
function scrollbarWidth(inside: HTMLElement): number {
  if (knownScrollbarWidth === null) {
    const probe = document.createElement('div')
    probe.style.cssText = 'position:absolute;visibility:hidden;width:100px;height:10px;overflow-y:scroll'
    inside.append(probe)
    knownScrollbarWidth = probe.offsetWidth - probe.clientWidth
    probe.remove()
  }
  return knownScrollbarWidth
}

export interface ListShownContext {
  /** Called once the list is shown (it keeps itself hidden until it is where it opens). */
  onShown(): void
}

/**
 * The message list's own element for its rows, as react-virtuoso draws it, and which says when the
 * list has stopped hiding itself: it does so by the `visibility` of this element's style.
 */
export const ListShown = forwardRef<HTMLDivElement, ListProps & ContextProp<ListShownContext>>(function ListShown({ context, ...props }, ref) {
  const hidden = (props.style as { visibility?: string } | undefined)?.visibility === 'hidden'
  useLayoutEffect(() => {
    if (!hidden) context.onShown()
  }, [hidden, context])
  return <div {...props} ref={ref} />
})
