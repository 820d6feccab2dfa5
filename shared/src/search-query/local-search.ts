import type { SearchQuery } from './ast.js'
import { matchesQuery, type MatchContext, type SearchableMessage } from './match.js'
import { highlightText } from './snippet.js'

/**
 * The messages a query finds among locally held ones (the daemon's cache), newest first, each
 * with a snippet marked like the server's. The caller marks the whole answer as local.
 */
export function searchLocally<M extends SearchableMessage>(
  q: SearchQuery,
  messages: Iterable<M>,
  ctx: MatchContext,
  { limit = 20 }: { limit?: number } = {},
): Array<M & { snippet: string }> {
  const time = (m: M) => (typeof m.createdAt === 'string' ? Date.parse(m.createdAt) : m.createdAt.getTime())
  return [...messages]
    .filter((m) => matchesQuery(q, m, ctx))
    .sort((a, b) => time(b) - time(a))
    .slice(0, limit)
    .map((m) => ({ ...m, snippet: highlightText(m.text, q, ctx.stem ? { stem: ctx.stem } : {}) }))
}
