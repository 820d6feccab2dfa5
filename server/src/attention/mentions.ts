/**
 * Mentions in a message's markdown: `@handle`, `@channel` (also `@everyone`) and `@here`.
 * Text inside inline code and code blocks mentions nobody. Kept to this one function so the
 * call site switches to the shared markdown parser in one place.
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

// Not after a word character, '@', '/', '.' or '-' (emails, paths, "a@b").
const MENTION = /(?<![\p{L}\p{N}_@/.-])@([a-z0-9][a-z0-9._-]{0,31})/giu

const BROADCAST_CHANNEL = new Set(['channel', 'everyone'])

export function findMentions(text: string): FoundMentions {
  const handles = new Set<string>()
  let channel = false
  let here = false
  for (const m of withoutCode(text).matchAll(MENTION)) {
    // Sentence punctuation after a handle is not part of it: "thanks @bob."
    const name = m[1]!.toLowerCase().replace(/[._-]+$/, '')
    if (!name) continue
    if (BROADCAST_CHANNEL.has(name)) channel = true
    else if (name === 'here') here = true
    else handles.add(name)
  }
  return { handles: [...handles], channel, here }
}
