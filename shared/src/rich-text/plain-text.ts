import type { RichListItem, RichBlock, RichDoc, RichInline } from './types.js'

/**
 * The text of a document without markup, for notifications, previews, search snippets and
 * anywhere styling is impossible. Markers are gone (`*hi*` → `hi`), mentions and channel
 * links read as written (`@ana`, `#general`), emoji are characters, a link is its label.
 * Paragraphs are separated by a blank line; list items and quote lines keep a light prefix
 * (`- `, `1. `, `> `) so structure still reads. RichText with no markup comes back unchanged.
 */
export function plainText(doc: RichDoc): string {
  return blocks(doc.children, '\n\n', true)
}

/**
 * plainText without code: what a person wrote in prose, for keyword alerts (a keyword inside
 * `code` or a code block alerts nobody, as a mention there mentions nobody). Code blocks are
 * left out and inline code reads as a space, so the words around it stay apart.
 */
export function proseText(doc: RichDoc): string {
  return blocks(doc.children, '\n\n', false)
}

function blocks(nodes: RichBlock[], separator: string, code: boolean): string {
  return nodes.map((node) => block(node, code)).join(separator)
}

function block(node: RichBlock, code: boolean): string {
  switch (node.type) {
    case 'paragraph':
      return inline(node.children, code)
    case 'codeBlock':
      return code ? node.text : ''
    case 'quote':
      return prefixLines(blocks(node.children, '\n\n', code), '> ', '> ')
    case 'list':
      return node.children.map((item, i) => listItem(item, node.ordered ? `${node.start + i}. ` : '- ', code)).join('\n')
    case 'rule':
      return '---'
  }
}

function listItem(item: RichListItem, marker: string, code: boolean): string {
  return prefixLines(blocks(item.children, '\n', code), marker, ' '.repeat(marker.length))
}

function prefixLines(text: string, first: string, rest: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? first : rest) + line)
    .join('\n')
    .replace(/[ \t]+$/gm, '')
}

function inline(nodes: RichInline[], code: boolean): string {
  let out = ''
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += node.text
        break
      case 'inlineCode':
        out += code ? node.text : ' '
        break
      case 'bold':
      case 'italic':
      case 'strike':
      case 'link':
        out += inline(node.children, code)
        break
      case 'break':
        out += '\n'
        break
      case 'mention':
        out += `@${node.handle}`
        break
      case 'broadcast':
        out += `@${node.target}`
        break
      case 'channelLink':
        out += `#${node.name}`
        break
      case 'emoji':
        out += node.emoji
        break
    }
  }
  return out
}
