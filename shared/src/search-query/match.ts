import { stemmerFor, type Stem } from './stem.js'
import type { SearchQuery } from './ast.js'
import { dayRange, localDay } from './dates.js'

/**
 * The same query over messages held locally (the daemon's cache while the server is
 * unreachable). Words are stemmed (Snowball, as PostgreSQL does) and case-insensitive, phrases are exact words
 * in order; this follows the server's PostgreSQL search closely but not to the letter
 * (the server drops stop words and uses its configured language).
 */

/** What the matcher needs of a message; the protocol's message plus its conversation fits. */
export interface SearchableMessage {
  text: string
  createdAt: string | Date
  author: { handle: string }
  threadRootId: string | null
  replyCount: number
  deleted?: boolean
  reactions?: readonly unknown[]
  pinned?: boolean
  files?: readonly unknown[]
  conversation: {
    kind: 'public' | 'private' | 'dm' | 'group_dm'
    name: string | null
    /** For DMs: everyone in it, the searcher included. */
    members?: ReadonlyArray<{ handle: string }>
  }
}

export interface MatchContext {
  /** The searcher's handle: `from:me` and `in:@h` are relative to them. */
  me: string
  /** IANA time zone the query's dates are days in (default UTC). */
  timeZone?: string
  /** Replaces the stemmer (e.g. for another language). */
  stem?: Stem
}

/** Links as has:link sees them; the server uses the same rule (see the migration). */
export const linkPattern = /(^|[^a-z0-9])(https?:\/\/|www\.)[^\s<>]/i

const WORD = /[\p{L}\p{N}]+/gu

/** The words of a text, lowercased, with their positions. */
export function textWords(text: string): Array<{ word: string; start: number; end: number }> {
  return [...text.matchAll(WORD)].map((m) => ({ word: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length }))
}

const wordsOf = (text: string) => textWords(text).map((w) => w.word)

function containsSequence(haystack: string[], needle: string[]): boolean {
  if (needle.length === 0) return false
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

export function matchesQuery(q: SearchQuery, m: SearchableMessage, ctx: MatchContext): boolean {
  if (m.deleted) return false
  const stem = ctx.stem ?? stemmerFor('english')
  const plain = wordsOf(m.text)
  const stems = new Set(plain.map(stem))
  const hasWord = (w: string) => {
    const parts = wordsOf(w)
    return parts.length > 0 && parts.every((p) => stems.has(stem(p)))
  }
  if (!q.words.every(hasWord)) return false
  if (q.excludedWords.some(hasWord)) return false
  if (!q.phrases.every((p) => containsSequence(plain, wordsOf(p)))) return false
  if (q.excludedPhrases.some((p) => containsSequence(plain, wordsOf(p)))) return false

  const me = ctx.me.toLowerCase()
  const author = m.author.handle.toLowerCase()
  if (q.from.length > 0 && !q.from.some((f) => (f.kind === 'me' ? author === me : author === f.handle))) return false

  if (q.in.length > 0) {
    const c = m.conversation
    const found = q.in.some((l) => {
      if (l.kind === 'channel') return (c.kind === 'public' || c.kind === 'private') && c.name === l.name
      if (c.kind !== 'dm' && c.kind !== 'group_dm') return false
      const members = new Set((c.members ?? []).map((p) => p.handle.toLowerCase()))
      const wanted = new Set([me, ...l.handles])
      return members.size === wanted.size && [...wanted].every((h) => members.has(h))
    })
    if (!found) return false
  }

  for (const h of q.has) {
    if (h === 'link' && !linkPattern.test(m.text)) return false
    if (h === 'file' && !(m.files?.length ?? 0)) return false
    if (h === 'reaction' && !(m.reactions?.length ?? 0)) return false
    if (h === 'pin' && !m.pinned) return false
  }
  if (q.isThread && m.threadRootId === null && m.replyCount === 0) return false

  if (q.dates.length > 0) {
    const range = dayRange(q.dates)
    if (range.empty) return false
    const day = localDay(m.createdAt, ctx.timeZone)
    if (range.from !== null && day < range.from) return false
    if (range.to !== null && day >= range.to) return false
  }
  return true
}
