import type { SearchQuery } from './ast.js'

/**
 * The canonical text of a parsed query: parsing it again gives the same query. Used to show
 * what was searched and to store recent searches.
 */
export function printSearchQuery(q: SearchQuery): string {
  return [
    ...q.words,
    ...q.phrases.map((p) => `"${p}"`),
    ...q.excludedWords.map((w) => `-${w}`),
    ...q.excludedPhrases.map((p) => `-"${p}"`),
    ...q.from.map((f) => (f.kind === 'me' ? 'from:me' : `from:@${f.handle}`)),
    ...q.in.map((l) => (l.kind === 'channel' ? `in:#${l.name}` : `in:${l.handles.map((h) => `@${h}`).join(',')}`)),
    ...q.has.map((h) => `has:${h}`),
    ...(q.isThread ? ['is:thread'] : []),
    ...q.dates.map((d) => `${d.op}:${d.value}`),
  ].join(' ')
}
