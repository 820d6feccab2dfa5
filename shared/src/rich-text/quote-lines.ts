import type { MarkdownIt } from 'markdown-it'

/**
 * A quote holds only the lines that start with `>`. CommonMark lets a paragraph inside a quote
 * continue onto the next line without one ("lazy continuation"), so `> quote` followed by a
 * reply on the next line quoted the reply too: not what anyone typing in a chat means.
 *
 * markdown-it asks the rules listed as able to interrupt a blockquote, in silent mode, whether a
 * line without `>` ends it. This one always says yes; in the ordinary block pass it matches
 * nothing.
 */
export function quoteLinesOnly(md: MarkdownIt): void {
  md.block.ruler.before('fence', 'quote_lines_only', (_state: unknown, _startLine: number, _endLine: number, silent: boolean) => silent, { alt: ['blockquote'] })
}
