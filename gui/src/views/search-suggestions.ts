import { searchHasValues, searchOperators } from '@ocomms/shared'

/** What is being typed at the caret: the word from the last space to the caret. */
export interface QueryToken {
  start: number
  end: number
  text: string
}

export interface QuerySuggestion {
  /** What replaces the word being typed. */
  insert: string
  /** What the list shows. */
  label: string
}

export interface SuggestionSources {
  handles: { handle: string; name: string }[]
  channels: string[]
  today: Date
}

export function tokenAt(query: string, caret: number): QueryToken {
  const before = query.slice(0, caret)
  const start = before.search(/\S*$/)
  return { start, end: caret, text: before.slice(start) }
}

const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
const daysAgo = (today: Date, n: number) => new Date(today.getFullYear(), today.getMonth(), today.getDate() - n)

/**
 * Suggestions for the word being typed in a search, following the shared grammar
 * (shared/src/search-query): operator names for a prefix of one, then values for `from:`,
 * `in:`, `has:`, `is:` and the date operators. A leading `-` (exclusion) is kept.
 */
export function querySuggestions(token: QueryToken, sources: SuggestionSources, limit = 8): QuerySuggestion[] {
  const negated = token.text.startsWith('-')
  const word = negated ? token.text.slice(1) : token.text
  const sign = negated ? '-' : ''
  const op = /^([a-z]+):(.*)$/i.exec(word)
  if (!op) {
    if (word.length === 0) return []
    const lower = word.toLowerCase()
    return searchOperators.filter((o) => o.startsWith(lower) && o !== lower).map((o) => ({ insert: `${sign}${o}:`, label: `${o}:` }))
  }
  const name = op[1]!.toLowerCase()
  const value = op[2]!.toLowerCase()
  const values = (list: { value: string; label: string }[]) =>
    list
      .filter((v) => v.value.toLowerCase().startsWith(value) && v.value.toLowerCase() !== value)
      .slice(0, limit)
      .map((v) => ({ insert: `${sign}${name}:${v.value} `, label: v.label }))
  switch (name) {
    case 'from':
      return values([
        { value: '@me', label: '@me (you)' },
        ...sources.handles.map((h) => ({ value: `@${h.handle}`, label: `@${h.handle} (${h.name})` })),
      ])
    case 'in':
      return values([
        ...sources.channels.map((c) => ({ value: `#${c}`, label: `#${c}` })),
        ...sources.handles.map((h) => ({ value: `@${h.handle}`, label: `@${h.handle} (direct messages)` })),
      ])
    case 'has':
      return values(searchHasValues.map((v) => ({ value: v, label: v })))
    case 'is':
      return values([{ value: 'thread', label: 'thread' }])
    case 'before':
    case 'after':
    case 'on':
    case 'during': {
      const t = sources.today
      return values([
        { value: 'today', label: `today (${day(t)})` },
        { value: 'yesterday', label: `yesterday (${day(daysAgo(t, 1))})` },
        { value: day(daysAgo(t, 7)), label: `${day(daysAgo(t, 7))} (a week ago)` },
        { value: day(daysAgo(t, 30)), label: `${day(daysAgo(t, 30))} (30 days ago)` },
        // Only during: takes a whole year or month.
        ...(name === 'during' ? [{ value: String(t.getFullYear()), label: `${t.getFullYear()} (this year)` }] : []),
      ])
    }
    default:
      return []
  }
}

/** The query with the token replaced by the suggestion, and where the caret goes. */
export function applyQuerySuggestion(query: string, token: QueryToken, suggestion: QuerySuggestion): { query: string; caret: number } {
  const next = query.slice(0, token.start) + suggestion.insert + query.slice(token.end).replace(/^ /, suggestion.insert.endsWith(' ') ? '' : ' ')
  return { query: next, caret: token.start + suggestion.insert.length }
}
