import { stemmerFor } from './stem.js'
import type { SearchQuery } from './ast.js'
import { textWords } from './match.js'

/**
 * Search snippets mark each hit between these two control characters (STX, ETX), which
 * never occur in stored text (the server strips them before highlighting). A terminal turns
 * them into ANSI styles, a browser into <mark> after escaping the rest.
 */
export const snippetMarks = { start: '\u0002', end: '\u0003' } as const

// eslint-disable-next-line no-control-regex -- the marks are control characters on purpose
const MARKS = /[\u0002\u0003]/g

/** Replaces the marks, escaping the text between them with `escape` (e.g. HTML escaping). */
export function renderSnippet(snippet: string, open: string, close: string, escape: (text: string) => string = (s) => s): string {
  return snippet
    .split(snippetMarks.start)
    .map((part, i) => {
      if (i === 0) return escape(part.replace(MARKS, ''))
      const end = part.indexOf(snippetMarks.end)
      if (end < 0) return escape(part.replace(MARKS, ''))
      return open + escape(part.slice(0, end)) + close + escape(part.slice(end + 1).replace(MARKS, ''))
    })
    .join('')
}

/** Removes the marks from text before it is highlighted, so marks are only ever ours. */
export const stripSnippetMarks = (text: string) => text.replace(MARKS, '')

/**
 * A local snippet: the text around the first hit, with the query's words and phrase words
 * marked. For offline results; the server builds its own with PostgreSQL's ts_headline.
 */
export function highlightText(text: string, q: SearchQuery, { maxLength = 200, stem = stemmerFor('english') } = {}): string {
  const clean = stripSnippetMarks(text).replace(/\s+/gu, ' ').trim()
  const wanted = new Set([...q.words, ...q.phrases].flatMap((w) => textWords(w).map((t) => stem(t.word))))
  const hits = textWords(clean).filter((w) => wanted.has(stem(w.word)))
  let start = 0
  if (clean.length > maxLength && hits.length > 0) start = Math.max(0, Math.min(hits[0]!.start - 40, clean.length - maxLength))
  const end = Math.min(clean.length, start + maxLength)
  let out = ''
  let at = start
  for (const h of hits) {
    if (h.start < start || h.end > end) continue
    out += clean.slice(at, h.start) + snippetMarks.start + clean.slice(h.start, h.end) + snippetMarks.end
    at = h.end
  }
  out += clean.slice(at, end)
  return (start > 0 ? '…' : '') + out + (end < clean.length ? '…' : '')
}
