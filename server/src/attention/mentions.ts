import { extractMentions, parseRichText } from '@ocomms/shared'

/**
 * Mentions in a message's markdown: `@handle`, `@channel` (also `@everyone`) and `@here`.
 * Text inside inline code and code blocks mentions nobody. Detection is the shared
 * markdown parser's, the same one clients render with.
 */

export interface FoundMentions {
  /** Lowercase handles, each once, in order of appearance. */
  handles: string[]
  channel: boolean
  here: boolean
}

/** The text with fenced code blocks and inline code spans blanked out. */
export function withoutCode(text: string): string {
  return text
    // Fenced blocks (``` or ~~~), up to the matching fence or the end of the text.
    .replace(/^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ \t]*\2[ \t]*$|(?![\s\S]))/gm, ' ')
    // Inline code: a run of backticks up to the same run.
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, ' ')
}

/** Mentions as the shared markdown parser finds them, so server and clients agree on what a mention is. */
export function findMentions(text: string): FoundMentions {
  return extractMentions(parseRichText(text))
}
