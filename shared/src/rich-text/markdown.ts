import MarkdownIt from 'markdown-it'
import { chatTokens } from './chat-tokens.js'
import { quoteLinesOnly } from './quote-lines.js'
import { singleTilde } from './single-tilde.js'

/**
 * The one configured markdown-it instance behind `parseRichText`. Chat flavour of CommonMark:
 *
 * - raw HTML is never HTML: `html: false` leaves `<b>` as the text "<b>";
 * - bare links with a scheme (`https://…`, `mailto:…`) are found by the library's linkify;
 *   `www.…` addresses by www-links.ts; bare domains and e-mail addresses are not links
 *   (`readme.md` is a file name; linkify-it's schemeless matching is quadratic on hostile input);
 * - `~~strike~~` and `~strike~`;
 * - no indented code blocks (chat text is often indented by accident; fences are explicit);
 * - no setext headings (a line of `---` under text is a rule, not a heading underline);
 * - no reference definitions (`[1]: https://…` stays visible instead of disappearing);
 * - a quote holds only its `>` lines: the next line is not swallowed (quote-lines.ts);
 * - tables are off (the preset has none): pipes stay text;
 * - nesting is capped so hostile input cannot exhaust the stack.
 */
export const markdown = new MarkdownIt('commonmark', {
  html: false,
  linkify: true,
  typographer: false,
  // Quotes/lists nested deeper than this stop being parsed (the library's guard). Chat never
  // needs more; a cap keeps recursion (here and in renderers) bounded.
  maxNesting: 40,
})
  .enable(['linkify', 'strikethrough'])
  .disable(['code', 'lheading', 'reference'])
  .use(singleTilde)
  .use(chatTokens)
  .use(quoteLinesOnly)

markdown.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })

/** The stored form of a detected address, or null when the library would not link it. */
export function normalizeUrl(url: string): string | null {
  const normalized = markdown.normalizeLink(url)
  return markdown.validateLink(normalized) ? normalized : null
}
