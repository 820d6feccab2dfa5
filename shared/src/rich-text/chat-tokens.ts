import type { MarkdownIt, StateInline } from 'markdown-it'
import { resolveEmoji } from '../emoji.js'
import { channelNamePattern, handlePattern } from '../limits.js'

/**
 * The chat tokens of a message: `@handle`, `@channel`, `@here`, `#channel-name` and
 * `:shortcode:`, recognised by an inline rule of the markdown parser. Being an inline rule
 * (not a pass over the finished text) is what keeps them out of inline code, code blocks and
 * link addresses, and lets a backslash escape them (`\@here` stays text).
 */

export type ChatToken =
  | { kind: 'mention'; handle: string }
  | { kind: 'broadcast'; target: 'channel' | 'here' }
  | { kind: 'channel'; name: string }
  | { kind: 'emoji'; shortcode: string; emoji: string }

const HANDLE = new RegExp(handlePattern)
const CHANNEL = new RegExp(channelNamePattern)

// Sticky scanners: each reads the longest run of the token's characters at a position;
// the authoritative patterns from limits.ts then decide whether the run is a real name.
const HANDLE_RUN = /@([a-z0-9][a-z0-9._-]*)/iy
const CHANNEL_RUN = /#([a-z0-9][a-z0-9_-]*)/iy
const SHORTCODE_RUN = /:([a-z0-9_+-]+):/iy

/**
 * A mention or channel link starts a word: not after a letter or digit (`bob@example.com`,
 * `a#b`) nor after characters that put it inside a path or query (`/@user`, `?x=#y`,
 * `&#39;`). Emphasis markers (`*`, `_`, `~`) and brackets may precede it.
 */
const GLUED_BEFORE_NAME = /[\p{L}\p{N}\p{M}./&@#:+=?%\\-]/u
/** An emoji shortcode may follow another one (`:+1::tada:`) but not a word (`10:30:00`). */
const GLUED_BEFORE_EMOJI = /[\p{L}\p{N}\p{M}]/u

/** The previous character, whole even when it is outside the Basic Multilingual Plane. */
function charBefore(src: string, pos: number): string {
  if (pos === 0) return ''
  const low = src.charCodeAt(pos - 1)
  if (low >= 0xdc00 && low <= 0xdfff && pos >= 2) return src.slice(pos - 2, pos)
  return src[pos - 1]!
}

function scan(re: RegExp, src: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos
  return re.exec(src)
}

/** The chat token starting at `pos` in `src`, with its length; null when there is none. */
export function matchChatToken(src: string, pos: number): { token: ChatToken; length: number } | null {
  const ch = src[pos]
  if (ch === '@' || ch === '#') {
    if (GLUED_BEFORE_NAME.test(charBefore(src, pos))) return null
    if (ch === '@') {
      const run = scan(HANDLE_RUN, src, pos)
      if (!run) return null
      // A sentence ending in a mention ("thanks @ana.") does not make the dot part of it.
      const name = run[1]!.replace(/\.+$/, '')
      const handle = name.toLowerCase()
      // `@everyone` is Slack's other name for `@channel`; people type both.
      if (handle === 'channel' || handle === 'here' || handle === 'everyone') {
        return { token: { kind: 'broadcast', target: handle === 'here' ? 'here' : 'channel' }, length: 1 + name.length }
      }
      // Longer than a handle can be (or not a handle at all): plain text, never a truncated mention.
      if (!HANDLE.test(handle)) return null
      return { token: { kind: 'mention', handle }, length: 1 + name.length }
    }
    const run = scan(CHANNEL_RUN, src, pos)
    if (!run) return null
    const name = run[1]!.toLowerCase()
    // `#42` is an issue number far more often than a channel: a channel link needs a letter.
    if (!CHANNEL.test(name) || !/[a-z]/.test(name)) return null
    return { token: { kind: 'channel', name }, length: 1 + name.length }
  }
  if (ch === ':') {
    if (GLUED_BEFORE_EMOJI.test(charBefore(src, pos))) return null
    const run = scan(SHORTCODE_RUN, src, pos)
    if (!run) return null
    const shortcode = run[1]!.toLowerCase()
    const emoji = resolveEmoji(shortcode)
    if (emoji === null) return null
    return { token: { kind: 'emoji', shortcode, emoji }, length: run[0].length }
  }
  return null
}

/** markdown-it token type carrying a chat token in `meta`. */
export const CHAT_TOKEN = 'chat_token'

function chatTokenRule(state: StateInline, silent: boolean): boolean {
  const match = matchChatToken(state.src, state.pos)
  if (!match || state.pos + match.length > state.posMax) return false
  if (!silent) {
    const token = state.push(CHAT_TOKEN, '', 0)
    token.meta = match.token
    token.content = state.src.slice(state.pos, state.pos + match.length)
  }
  state.pos += match.length
  return true
}

/** markdown-it plugin: adds the chat token rule. */
export function chatTokens(md: MarkdownIt): void {
  // After `linkify` so `https://…` is claimed as a link before its `:`/`#` are looked at.
  md.inline.ruler.after('linkify', 'chat_tokens', chatTokenRule)
}
