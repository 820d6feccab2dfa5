import { emojiToName, gemoji, nameToEmoji } from 'gemoji'

/**
 * Emoji by shortcode and by character, from GitHub's gemoji data (the shortcodes Slack
 * users already type: `:+1:`, `:tada:`, `:white_check_mark:`). Reactions store the emoji
 * character itself, so `:+1:` and 👍 are the same reaction.
 */

const SKIN_TONE = /[\u{1F3FB}-\u{1F3FF}]/gu
const VARIATION = /\uFE0F/g

/** The key an emoji is known by in the data: without skin tone or presentation selector. */
const bare = (emoji: string) => emoji.replace(SKIN_TONE, '').replace(VARIATION, '')
const byBare = new Map(gemoji.map((g) => [bare(g.emoji), g.emoji]))

/**
 * The emoji character for `:shortcode:`, `shortcode` or an emoji character (a skin tone is
 * kept); null when it is not an emoji.
 */
export function resolveEmoji(input: string): string | null {
  const text = input.trim()
  const name = /^:?([a-z0-9_+-]+):?$/i.exec(text)?.[1]?.toLowerCase()
  if (name !== undefined) return Object.hasOwn(nameToEmoji, name) ? nameToEmoji[name]! : null
  const canonical = byBare.get(bare(text))
  if (!canonical) return null
  // Keep a skin tone the person chose, on the canonical base.
  const tone = text.match(SKIN_TONE)?.[0]
  return tone ? canonical.replace(VARIATION, '') + tone : canonical
}

/** The primary shortcode of an emoji character (`👍` → `+1`), or null. */
export function emojiShortcode(emoji: string): string | null {
  const canonical = byBare.get(bare(emoji))
  return canonical ? (emojiToName[canonical] ?? null) : null
}

export interface EmojiMatch {
  shortcode: string
  emoji: string
}

/** Completion for `:pre`: shortcodes starting with the prefix first, then ones containing it. */
export function searchEmoji(prefix: string, limit = 10): EmojiMatch[] {
  const p = prefix.replace(/^:/, '').toLowerCase()
  if (!p) return []
  const starts: EmojiMatch[] = []
  const contains: EmojiMatch[] = []
  for (const g of gemoji) {
    for (const shortcode of g.names) {
      if (shortcode.startsWith(p)) starts.push({ shortcode, emoji: g.emoji })
      else if (shortcode.includes(p)) contains.push({ shortcode, emoji: g.emoji })
    }
  }
  return [...starts, ...contains].slice(0, limit)
}
