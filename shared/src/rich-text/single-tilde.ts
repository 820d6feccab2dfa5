import type { MarkdownIt, StateInline } from 'markdown-it'

/**
 * `~strike~` with one tilde, as chat users type it (Slack), beside markdown's `~~strike~~`.
 * markdown-it's strikethrough rule only opens on runs of two or more tildes; this rule turns a
 * run of exactly one into the same kind of delimiter, so the library's own strikethrough
 * post-processing pairs and converts it (same flanking rules, same nesting behaviour).
 */
const TILDE = 0x7e

function singleTildeRule(state: StateInline, silent: boolean): boolean {
  if (silent || state.src.charCodeAt(state.pos) !== TILDE) return false
  const scanned = state.scanDelims(state.pos, true)
  if (scanned.length !== 1) return false
  const token = state.push('text', '', 0)
  token.content = '~'
  state.delimiters.push({
    marker: TILDE,
    length: 0, // as the library's rule: keeps tildes out of the "rule of 3" of emphasis
    token: state.tokens.length - 1,
    end: -1,
    open: scanned.can_open,
    close: scanned.can_close,
  })
  state.pos += 1
  return true
}

/** markdown-it plugin: single-tilde strikethrough (needs the `strikethrough` rule enabled). */
export function singleTilde(md: MarkdownIt): void {
  md.inline.ruler.after('strikethrough', 'single_tilde', singleTildeRule)
}
