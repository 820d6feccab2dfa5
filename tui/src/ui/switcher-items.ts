import fuzzysort from 'fuzzysort'

/** One entry of the quick switcher: a conversation, a person (opens the DM) or a view. */
export interface SwitcherItem {
  key: string
  label: string
  detail?: string
  kind: 'conversation' | 'person' | 'view'
  /** A conversation id, an `@handle` target, or a view name. */
  target: string
  /** Sorts items with unread messages first when the query is empty. */
  unread?: number
}

/**
 * Fuzzy match over the labels (fuzzysort: subsequence matching that favours word starts and
 * consecutive letters, as in Slack's and editors' switchers). Conversations win ties over people
 * and views; an empty query lists unread conversations first.
 */
export function matchSwitcher(items: SwitcherItem[], query: string, limit = 8): SwitcherItem[] {
  const q = query.replace(/^[#@]/, '').trim()
  if (!q) {
    return [...items]
      .filter((i) => i.kind !== 'person')
      .sort((a, b) => (b.unread ?? 0) - (a.unread ?? 0))
      .slice(0, limit)
  }
  const rank = { conversation: 0, view: 1, person: 2 } as const
  return fuzzysort
    .go(q, items, { key: 'label', limit: limit * 3, threshold: 0.2 })
    .map((r) => ({ item: r.obj, score: r.score - rank[r.obj.kind] * 0.01 }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((r) => r.item)
}
