import { extractMentions, parseRichText, proseText } from '@ocomms/shared'

/**
 * Mentions in a message's markdown: `@handle`, `@channel` (also `@everyone`) and `@here`.
 * Text inside inline code and code blocks mentions nobody, and a keyword there alerts nobody.
 * Detection is the shared markdown parser's, the same one clients render with.
 */

export interface FoundMentions {
  /** Lowercase handles, each once, in order of appearance. */
  handles: string[]
  channel: boolean
  here: boolean
  /** The message's prose, without code: what keyword alerts match (shared proseText). */
  prose: string
}

/**
 * Mentions as the shared markdown parser finds them, so server and clients agree on what a
 * mention is, and the prose keywords are matched in, from the same parse.
 */
export function findMentions(text: string): FoundMentions {
  if (!text.includes('@')) {
    // Every mention is written with an @ (an entity such as &#64; is text, not a mention), so
    // most messages need no parse for mentions; the prose is parsed only if a keyword asks.
    let prose: string | undefined
    return { handles: [], channel: false, here: false, get prose() { return (prose ??= proseText(parseRichText(text))) } }
  }
  const doc = parseRichText(text)
  return { ...extractMentions(doc), prose: proseText(doc) }
}
