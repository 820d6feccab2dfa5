import type { Token } from 'markdown-it'
import { CHAT_TOKEN, type ChatToken } from './chat-tokens.js'
import { markdown, normalizeUrl } from './markdown.js'
import type { RichListItem, RichBlock, RichDoc, RichInline } from './types.js'
import { splitWwwLinks } from './www-links.js'

/**
 * Parses message text into a `RichDoc`. Never throws: any string is a message, and whatever is
 * not valid markup is text. The library's tokens stay in here; callers see only our types.
 */
export function parseRichText(text: string): RichDoc {
  if (PLAIN_TEXT.test(text)) return { type: 'doc', children: [{ type: 'paragraph', children: [{ type: 'text', text }] }] }
  return parseMarkup(text)
}

/**
 * Words of ASCII letters and digits (with `,` `?` `'`), one space apart: nothing in it is markup,
 * a link or a chat token, and markdown-it would answer one paragraph of this very text. Most chat
 * lines are like this, and parsing a screen of them was most of the first message list's
 * rendering, so the library is not asked (the property test holds the two answers equal).
 */
const PLAIN_TEXT = /^[A-Za-z0-9,?']+(?: [A-Za-z0-9,?']+)*$/

/** What markdown-it makes of the text: `parseRichText` without its shortcut for plain words. */
export function parseMarkup(text: string): RichDoc {
  const tokens = markdown.parse(text, {})
  return { type: 'doc', children: new BlockReader(tokens).blocks(null) }
}

/** Reads markdown-it's flat block token stream (open/close pairs) into nested blocks. */
class BlockReader {
  private pos = 0
  constructor(private readonly tokens: Token[]) {}

  /** Blocks until the token of type `until` (consumed) or the end. */
  blocks(until: string | null): RichBlock[] {
    const out: RichBlock[] = []
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++]!
      if (token.type === until) break
      const block = this.block(token)
      if (block) out.push(block)
    }
    return out
  }

  private block(token: Token): RichBlock | null {
    switch (token.type) {
      case 'paragraph_open':
        return { type: 'paragraph', children: this.inlineUntil('paragraph_close') }
      case 'heading_open': {
        // Chat has no document headings: `# Title` is shown as a bold line.
        const children = this.inlineUntil('heading_close', { ...top, bold: true })
        return { type: 'paragraph', children: children.length ? [{ type: 'bold', children }] : [] }
      }
      case 'fence': {
        const lang = token.info.trim().split(/\s+/)[0] ?? ''
        return { type: 'codeBlock', lang: lang || null, text: token.content.replace(/\n$/, '') }
      }
      case 'code_block':
        return { type: 'codeBlock', lang: null, text: token.content.replace(/\n$/, '') }
      case 'blockquote_open':
        return { type: 'quote', children: this.blocks('blockquote_close') }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const ordered = token.type === 'ordered_list_open'
        const start = ordered ? Number(token.attrGet('start') ?? 1) : 1
        return { type: 'list', ordered, start, children: this.items(ordered ? 'ordered_list_close' : 'bullet_list_close') }
      }
      case 'hr':
        return { type: 'rule' }
      case 'inline':
        return { type: 'paragraph', children: inlines(token.children ?? []) }
      case 'html_block':
        // Unreachable with `html: false`; kept so raw HTML could only ever become text.
        return token.content ? { type: 'paragraph', children: [{ type: 'text', text: token.content.replace(/\n$/, '') }] } : null
      default:
        return null
    }
  }

  private items(until: string): RichListItem[] {
    const items: RichListItem[] = []
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++]!
      if (token.type === until) break
      if (token.type === 'list_item_open') items.push({ type: 'listItem', children: this.blocks('list_item_close') })
    }
    return items
  }

  /** The inline content of a paragraph or heading, consuming its closing token. */
  private inlineUntil(close: string, ctx: Context = top): RichInline[] {
    const out: RichInline[] = []
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++]!
      if (token.type === close) break
      if (token.type === 'inline') out.push(...inlines(token.children ?? [], ctx))
    }
    return out
  }
}

// Where we are inside the inline tree: nested bold-in-bold (`***x***`) collapses, and a link
// label holds no mentions or channel links.
interface Context {
  bold: boolean
  italic: boolean
  strike: boolean
  link: boolean
}

const top: Context = { bold: false, italic: false, strike: false, link: false }

function inlines(tokens: Token[], ctx: Context = top): RichInline[] {
  return new InlineReader(tokens).read(ctx, null)
}

class InlineReader {
  private pos = 0
  constructor(private readonly tokens: Token[]) {}

  read(ctx: Context, until: string | null): RichInline[] {
    const out: RichInline[] = []
    const push = (node: RichInline) => {
      const last = out[out.length - 1]
      if (node.type === 'text' && last?.type === 'text') last.text += node.text
      else if (node.type !== 'text' || node.text) out.push(node)
    }
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++]!
      if (token.type === until) break
      switch (token.type) {
        case 'text':
        case 'text_special':
        case 'html_inline':
          push({ type: 'text', text: token.content })
          break
        case 'softbreak':
        case 'hardbreak':
          push({ type: 'break' })
          break
        case 'code_inline':
          push({ type: 'inlineCode', text: token.content })
          break
        case 'em_open':
        case 'strong_open': {
          // Chat convention (Slack): `*bold*`; `_italic_`; markdown's `**bold**`/`__bold__`.
          const bold = token.type === 'strong_open' || token.markup === '*'
          const close = token.type === 'em_open' ? 'em_close' : 'strong_close'
          if (bold) this.wrap('bold', { ...ctx, bold: true }, ctx.bold, close, push)
          else this.wrap('italic', { ...ctx, italic: true }, ctx.italic, close, push)
          break
        }
        case 's_open':
          this.wrap('strike', { ...ctx, strike: true }, ctx.strike, 's_close', push)
          break
        case 'link_open': {
          const url = token.attrGet('href')?.toString() ?? ''
          const auto = token.markup === 'linkify' || token.info === 'auto'
          const children = this.read({ ...ctx, link: true }, 'link_close')
          if (ctx.link) children.forEach(push)
          else push({ type: 'link', url, auto, children })
          break
        }
        case 'image': {
          // Images are not embedded in chat (no remote fetches on display): a link to them.
          const url = token.attrGet('src')?.toString() ?? ''
          const alt = new InlineReader(token.children ?? []).read({ ...ctx, link: true }, null)
          const children: RichInline[] = alt.length ? alt : [{ type: 'text', text: url }]
          if (ctx.link) children.forEach(push)
          else push({ type: 'link', url, auto: false, children })
          break
        }
        case CHAT_TOKEN:
          push(chatNode(token.meta as ChatToken, token.content, ctx))
          break
        default:
          // Closing tokens of a construct we did not open, and anything unknown: keep its text.
          if (token.content && token.nesting === 0) push({ type: 'text', text: token.content })
      }
    }
    // Bare `www.` addresses, in text only (never in code, never inside a link's label).
    return ctx.link ? out : out.flatMap((node) => (node.type === 'text' ? splitWwwLinks(node.text, normalizeUrl) : [node]))
  }

  /** Reads a styled span; the same style nested in itself adds nothing and is flattened. */
  private wrap(type: 'bold' | 'italic' | 'strike', inner: Context, already: boolean, close: string, push: (n: RichInline) => void) {
    const children = this.read(inner, close)
    if (already) children.forEach(push)
    else if (children.length) push({ type, children })
  }
}

function chatNode(token: ChatToken, source: string, ctx: Context): RichInline {
  switch (token.kind) {
    case 'emoji':
      return { type: 'emoji', shortcode: token.shortcode, emoji: token.emoji }
    case 'mention':
      return ctx.link ? { type: 'text', text: source } : { type: 'mention', handle: token.handle }
    case 'broadcast':
      return ctx.link ? { type: 'text', text: source } : { type: 'broadcast', target: token.target }
    case 'channel':
      return ctx.link ? { type: 'text', text: source } : { type: 'channelLink', name: token.name }
  }
}
