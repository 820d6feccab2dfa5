import type { RichListItem, RichBlock, RichDoc, RichInline } from './types.js'

/**
 * The text of a document without markup, for notifications, previews, search snippets and
 * anywhere styling is impossible. Markers are gone (`*hi*` → `hi`), mentions and channel
 * links read as written (`@ana`, `#general`), emoji are characters, a link is its label.
 * Paragraphs are separated by a blank line; list items and quote lines keep a light prefix
 * (`- `, `1. `, `> `) so structure still reads. RichText with no markup comes back unchanged.
 */
export function plainText(doc: RichDoc): string {
  return blocks(doc.children, '\n\n')
}

function blocks(nodes: RichBlock[], separator: string): string {
  return nodes.map(block).join(separator)
}

function block(node: RichBlock): string {
  switch (node.type) {
    case 'paragraph':
      return inline(node.children)
    case 'codeBlock':
      return node.text
    case 'quote':
      return prefixLines(blocks(node.children, '\n\n'), '> ', '> ')
    case 'list':
      return node.children.map((item, i) => listItem(item, node.ordered ? `${node.start + i}. ` : '- ')).join('\n')
    case 'rule':
      return '---'
  }
}

function listItem(item: RichListItem, marker: string): string {
  return prefixLines(blocks(item.children, '\n'), marker, ' '.repeat(marker.length))
}

function prefixLines(text: string, first: string, rest: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? first : rest) + line)
    .join('\n')
    .replace(/[ \t]+$/gm, '')
}

function inline(nodes: RichInline[]): string {
  let out = ''
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
      case 'inlineCode':
        out += node.text
        break
      case 'bold':
      case 'italic':
      case 'strike':
      case 'link':
        out += inline(node.children)
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
