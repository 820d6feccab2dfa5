import type { RichInline } from './types.js'

/**
 * Bare `www.` addresses as links, by GitHub Flavored Markdown's "extended www autolink" rule:
 * `www.` at the start of a word, a domain, then anything up to a space or `<`, minus trailing
 * punctuation (`?!.,:*_~`), an unbalanced `)` and an entity-like `&name;`. One linear pass.
 *
 * (The link detector of the markdown library can do this, but its schemeless mode rescans
 * the rest of the text for every match: quadratic on long hostile messages. Addresses with a
 * scheme, `https://…`, are still found by the library.)
 */
const CANDIDATE = /(?<=^|[\s*_~(])www\.[^\s<]+/gu
const DOMAIN = /^www\.[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*/u
const TRAILING_ENTITY = /&[a-z0-9]+;$/i

/** The candidate without what GFM says does not end a link; linear in its length. */
function trimEnd(candidate: string): string {
  let open = 0
  let close = 0
  for (const c of candidate) {
    if (c === '(') open++
    else if (c === ')') close++
  }
  let end = candidate.length
  for (;;) {
    const ch = candidate[end - 1]
    if (ch !== undefined && '?!.,:*_~'.includes(ch)) end--
    else if (ch === ')' && open < close) {
      end--
      close--
    } else if (ch === ';') {
      // An entity name is short: look at a bounded window, not the whole rest.
      const entity = TRAILING_ENTITY.exec(candidate.slice(Math.max(0, end - 40), end))
      if (!entity) break
      end -= entity[0].length
    } else break
  }
  return candidate.slice(0, end)
}

/**
 * Splits text into text and link nodes; `normalize` turns `http://www.…` into the stored URL
 * (or null to leave it as text).
 */
export function splitWwwLinks(text: string, normalize: (url: string) => string | null): RichInline[] {
  if (!text.includes('www.')) return [{ type: 'text', text }]
  const out: RichInline[] = []
  let last = 0
  for (const match of text.matchAll(CANDIDATE)) {
    const address = trimEnd(match[0])
    const domain = DOMAIN.exec(address)?.[0]
    // The domain needs a name after `www.`, and GFM allows no `_` in its last two labels.
    if (!domain || domain.length <= 4 || /_[^.]*\.[^.]*$|_[^.]*$/.test(domain.slice(4))) continue
    const url = normalize(`http://${address}`)
    if (url === null) continue
    if (match.index > last) out.push({ type: 'text', text: text.slice(last, match.index) })
    out.push({ type: 'link', url, auto: true, children: [{ type: 'text', text: address }] })
    last = match.index + address.length
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) })
  return out
}
