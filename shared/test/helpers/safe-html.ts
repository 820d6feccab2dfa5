/**
 * What the HTML renderer may emit, checked independently of how it is written: every `<`
 * starts one of a few tags with a few attributes, attribute values are quoted and hold no
 * markup, links go only to http, https or mailto, and no text outside a tag holds `<` or `>`.
 * Returns the problems found (empty when the fragment is safe).
 */
const TAGS = new Set(['p', 'pre', 'code', 'blockquote', 'ul', 'ol', 'li', 'hr', 'br', 'strong', 'em', 'del', 'a', 'span'])
const ATTRIBUTES = new Set(['class', 'href', 'rel', 'target', 'start', 'data-handle', 'data-broadcast', 'data-channel', 'title', 'role', 'aria-label'])
const TAG = /<(\/?)([a-z]+)((?: [a-z-]+="[^"<>]*")*)>/y
const ATTRIBUTE = / ([a-z-]+)="([^"<>]*)"/g

export function htmlProblems(html: string): string[] {
  const problems: string[] = []
  let pos = 0
  while (pos < html.length) {
    const lt = html.indexOf('<', pos)
    const text = html.slice(pos, lt === -1 ? html.length : lt)
    if (text.includes('>')) problems.push(`bare > in text: ${JSON.stringify(text.slice(0, 80))}`)
    if (lt === -1) break
    TAG.lastIndex = lt
    const tag = TAG.exec(html)
    if (!tag) {
      problems.push(`not an allowed tag at ${lt}: ${JSON.stringify(html.slice(lt, lt + 80))}`)
      break
    }
    const [, closing, name, attrs] = tag
    if (!TAGS.has(name!)) problems.push(`tag <${name}>`)
    if (closing && attrs) problems.push(`attributes on a closing tag </${name}>`)
    for (const [, attr, value] of attrs!.matchAll(ATTRIBUTE)) {
      if (!ATTRIBUTES.has(attr!)) problems.push(`attribute ${attr} on <${name}>`)
      if (/^on/i.test(attr!)) problems.push(`event handler ${attr}`)
      if (attr === 'href' && !/^(?:https?:\/\/|mailto:)/i.test(value!)) problems.push(`href ${value}`)
    }
    if (name === 'a' && !closing && !attrs!.includes(' rel="noopener noreferrer nofollow" target="_blank"')) problems.push('a link without rel/target')
    pos = lt + tag[0].length
  }
  if (/<script/i.test(html)) problems.push('<script')
  return problems
}
