/**
 * Personal keywords: a message notifies a member when it contains one of their words as a
 * whole word, in any letter case (`deploy` matches "Deploy failed" but not "redeployed").
 */

export const KEYWORD_MAX_LENGTH = 64
export const KEYWORDS_MAX = 50

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Normalises a keyword as stored: trimmed, lowercase, inner spaces collapsed. */
export function normalizeKeyword(word: string): string {
  return word.trim().replace(/\s+/g, ' ').toLowerCase()
}

/** The first of `keywords` that `text` contains as a whole word (case-insensitive), or null. */
export function matchKeyword(text: string, keywords: readonly string[]): string | null {
  for (const raw of keywords) {
    const word = normalizeKeyword(raw)
    if (!word) continue
    // A word boundary that knows letters beyond ASCII: no letter, digit or _ on either side.
    const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escape(word)}(?![\\p{L}\\p{N}_])`, 'iu')
    if (re.test(text)) return word
  }
  return null
}
