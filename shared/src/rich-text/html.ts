import type { RichBlock, RichDoc, RichInline } from './types.js'

export interface HtmlRenderOptions {
  /** The viewer's handle (`ana` or `@ana`): mentions of it get the extra class `oc-mention-me`. */
  me?: string
}

/**
 * Renders a document as an HTML fragment for the GUI. Safe by construction: the output is
 * built only from a fixed set of tags and attributes, every piece of message text and every
 * attribute value is escaped, and links are made only for http, https and mailto addresses
 * (other addresses are shown as text). Raw HTML in a message never reaches here as HTML: the
 * parser keeps it as text. Classes (all `oc-` prefixed) are listed in docs/rich-text.md.
 */
export function renderHtml(doc: RichDoc, options: HtmlRenderOptions = {}): string {
  return blocks(doc.children, options.me?.replace(/^@/, '').toLowerCase())
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text and attribute values alike (quotes included). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!)
}

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** The address to put in `href`, or null when it must not be a link. */
export function safeHref(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null // relative or malformed: nothing a chat message should point at
  }
  // The href written is the one the check ran on, serialised by the same URL parser browsers use.
  return LINK_PROTOCOLS.has(parsed.protocol) ? parsed.href : null
}

function blocks(nodes: RichBlock[], me: string | undefined): string {
  return nodes.map((node) => block(node, me)).join('')
}

function block(node: RichBlock, me: string | undefined): string {
  switch (node.type) {
    case 'paragraph':
      return `<p>${inline(node.children, me)}</p>`
    case 'codeBlock': {
      const lang = node.lang?.replace(/[^\w+#.-]/g, '')
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : ''
      return `<pre><code${cls}>${escapeHtml(node.text)}</code></pre>`
    }
    case 'quote':
      return `<blockquote>${blocks(node.children, me)}</blockquote>`
    case 'list': {
      const items = node.children.map((item) => `<li>${blocks(item.children, me)}</li>`).join('')
      if (!node.ordered) return `<ul>${items}</ul>`
      const start = Number.isSafeInteger(node.start) && node.start !== 1 ? ` start="${node.start}"` : ''
      return `<ol${start}>${items}</ol>`
    }
    case 'rule':
      return '<hr>'
  }
}

function inline(nodes: RichInline[], me: string | undefined): string {
  let out = ''
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += escapeHtml(node.text)
        break
      case 'bold':
        out += `<strong>${inline(node.children, me)}</strong>`
        break
      case 'italic':
        out += `<em>${inline(node.children, me)}</em>`
        break
      case 'strike':
        out += `<del>${inline(node.children, me)}</del>`
        break
      case 'inlineCode':
        out += `<code>${escapeHtml(node.text)}</code>`
        break
      case 'link': {
        const label = inline(node.children, me)
        const href = safeHref(node.url)
        if (href) out += `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`
        else out += node.auto ? label : `${label} (${escapeHtml(node.url)})`
        break
      }
      case 'break':
        out += '<br>'
        break
      case 'mention': {
        const cls = node.handle === me ? 'oc-mention oc-mention-me' : 'oc-mention'
        out += `<span class="${cls}" data-handle="${escapeHtml(node.handle)}">@${escapeHtml(node.handle)}</span>`
        break
      }
      case 'broadcast':
        out += `<span class="oc-mention oc-broadcast" data-broadcast="${node.target === 'here' ? 'here' : 'channel'}">@${node.target === 'here' ? 'here' : 'channel'}</span>`
        break
      case 'channelLink':
        out += `<span class="oc-channel" data-channel="${escapeHtml(node.name)}">#${escapeHtml(node.name)}</span>`
        break
      case 'emoji':
        out += `<span class="oc-emoji" role="img" aria-label="${escapeHtml(node.shortcode)}" title=":${escapeHtml(node.shortcode)}:">${escapeHtml(node.emoji)}</span>`
        break
    }
  }
  return out
}
