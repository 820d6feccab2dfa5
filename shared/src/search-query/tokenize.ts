/**
 * Splits a query into raw tokens. Hand-written on purpose: the grammar is three rules
 * (whitespace separates, "..." groups, a leading - excludes), and the parser needs exact
 * control over them so that printing a parsed query and parsing it again is lossless.
 * The maintained candidates do not fit: search-query-parser folds repeated keywords into
 * objects, lowercases values and treats commas and dashes as lists and ranges, and
 * shell-quote/string-argv apply shell escaping and variable rules a chat user would not expect.
 */

export type RawToken =
  | { type: 'word'; text: string; negated: boolean }
  | { type: 'phrase'; text: string; negated: boolean }

const isSpace = (ch: string) => /\s/u.test(ch)

export function tokenize(input: string): RawToken[] {
  const tokens: RawToken[] = []
  const chars = Array.from(input)
  let i = 0
  while (i < chars.length) {
    if (isSpace(chars[i]!)) {
      i++
      continue
    }
    const negated = chars[i] === '-' && chars[i + 1] === '"'
    if (chars[i] === '"' || negated) {
      // A phrase runs to the next quote; an unclosed one runs to the end of the query.
      i += negated ? 2 : 1
      let text = ''
      while (i < chars.length && chars[i] !== '"') text += chars[i++]
      i++
      tokens.push({ type: 'phrase', text, negated })
      continue
    }
    let text = ''
    while (i < chars.length && !isSpace(chars[i]!) && chars[i] !== '"') text += chars[i++]
    if (text.length > 1 && text.startsWith('-')) tokens.push({ type: 'word', text: text.slice(1), negated: true })
    else tokens.push({ type: 'word', text, negated: false })
  }
  return tokens
}
