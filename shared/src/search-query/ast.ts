/**
 * The parsed form of a search query (see docs/search.md for the grammar). Server and daemon
 * both work from this, so a query means the same online and offline.
 */

export const searchHasValues = ['link', 'file', 'reaction', 'pin'] as const
export type SearchHas = (typeof searchHasValues)[number]

/** `from:` — the searcher themself (`from:me`) or a member by handle. */
export type SearchAuthor = { kind: 'me' } | { kind: 'handle'; handle: string }

/** `in:` — a channel by name, or the DM (one handle) / group DM (several) with those people. */
export type SearchLocation = { kind: 'channel'; name: string } | { kind: 'dm'; handles: string[] }

/**
 * A date filter as written, with `today`/`yesterday` already turned into dates.
 * before/after/on take YYYY-MM-DD; during takes YYYY, YYYY-MM or YYYY-MM-DD.
 * All dates are calendar days in the searcher's time zone.
 */
export interface SearchDate {
  op: 'before' | 'after' | 'on' | 'during'
  value: string
}

export interface SearchQuery {
  /** Free words: every one must match (stemmed: "meetings" finds "meeting"). */
  words: string[]
  /** "Quoted phrases": these words, in this order, next to each other. */
  phrases: string[]
  /** -word: no message containing it (stemmed). */
  excludedWords: string[]
  /** -"phrase": no message containing the phrase. */
  excludedPhrases: string[]
  /** from: — any of these authors. */
  from: SearchAuthor[]
  /** in: — any of these conversations. */
  in: SearchLocation[]
  /** has: — all of these. */
  has: SearchHas[]
  /** is:thread — thread replies and thread roots that have replies. */
  isThread: boolean
  /** All of these (their intersection). */
  dates: SearchDate[]
}

export const emptySearchQuery = (): SearchQuery => ({
  words: [],
  phrases: [],
  excludedWords: [],
  excludedPhrases: [],
  from: [],
  in: [],
  has: [],
  isThread: false,
  dates: [],
})

/** True when the query asks nothing at all. */
export function isEmptyQuery(q: SearchQuery): boolean {
  return (
    q.words.length + q.phrases.length + q.excludedWords.length + q.excludedPhrases.length + q.from.length + q.in.length +
      q.has.length + q.dates.length === 0 && !q.isThread
  )
}

/** True when the query is only text (words and phrases): what people and channel search use. */
export function isPlainText(q: SearchQuery): boolean {
  return (
    q.words.length + q.phrases.length > 0 &&
    q.excludedWords.length + q.excludedPhrases.length + q.from.length + q.in.length + q.has.length + q.dates.length === 0 &&
    !q.isThread
  )
}

/** The free text of a query (words and phrases), for name searches. */
export function queryPlainText(q: SearchQuery): string {
  return [...q.words, ...q.phrases].join(' ')
}
