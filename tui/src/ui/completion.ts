import { searchEmoji } from '@ocomms/shared/text'
import fuzzysort from 'fuzzysort'
import type { EditorState } from './editor.js'

/** What is being completed at the cursor: `@pe`, `#gen`, `:tad`. */
export interface CompletionToken {
  trigger: '@' | '#' | ':'
  query: string
  /** Where the token (trigger included) starts in the text. */
  start: number
}

export interface Suggestion {
  label: string
  detail?: string
  /** What replaces the token, a trailing space included. */
  insert: string
}

export interface CompletionSources {
  people: Array<{ handle: string; name: string }>
  channels: string[]
}

export function tokenAt(s: EditorState): CompletionToken | null {
  const before = s.text.slice(0, s.cursor)
  const m = /(^|[\s(])([@#:])([\w.+-]*)$/.exec(before)
  if (!m) return null
  const trigger = m[2] as CompletionToken['trigger']
  const query = m[3] ?? ''
  // Emoji completion starts at two characters, as in Slack, so "a:b" and times like 10:30 stay quiet.
  if (trigger === ':' && query.length < 2) return null
  return { trigger, query, start: before.length - query.length - 1 }
}

const SPECIAL_MENTIONS = [
  { handle: 'channel', name: 'notify everyone in this channel' },
  { handle: 'here', name: 'notify everyone online in this channel' },
]

export function suggestions(token: CompletionToken, sources: CompletionSources, limit = 5): Suggestion[] {
  if (token.trigger === ':') {
    return searchEmoji(token.query, limit).map((e) => ({ label: `${e.emoji} :${e.shortcode}:`, insert: `:${e.shortcode}: ` }))
  }
  if (token.trigger === '#') {
    const names = token.query
      ? fuzzysort.go(token.query, sources.channels, { limit }).map((r) => r.target)
      : [...sources.channels].sort().slice(0, limit)
    return names.map((name) => ({ label: `#${name}`, insert: `#${name} ` }))
  }
  const people = [...sources.people, ...SPECIAL_MENTIONS]
  const found = token.query
    ? fuzzysort.go(token.query, people, { keys: ['handle', 'name'], limit }).map((r) => r.obj)
    : sources.people.slice(0, limit)
  return found.map((p) => ({ label: `@${p.handle}`, detail: p.name, insert: `@${p.handle} ` }))
}

export function applySuggestion(s: EditorState, token: CompletionToken, suggestion: Suggestion): EditorState {
  const text = s.text.slice(0, token.start) + suggestion.insert + s.text.slice(s.cursor)
  return { text, cursor: token.start + suggestion.insert.length }
}
