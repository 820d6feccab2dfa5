import type { RichBlock, RichDoc, RichInline, RichListItem } from './types.js'

/**
 * Calls `visit` for every inline node of the document, depth first, in reading order
 * (a link's label nodes after the link itself). Code blocks hold no inline nodes.
 */
export function visitInlines(doc: RichDoc, visit: (node: RichInline) => void): void {
  const inline = (nodes: RichInline[]) => {
    for (const node of nodes) {
      visit(node)
      if ('children' in node) inline(node.children)
    }
  }
  const blocks = (nodes: (RichBlock | RichListItem)[]) => {
    for (const node of nodes) {
      if (node.type === 'paragraph') inline(node.children)
      else if (node.type === 'quote' || node.type === 'list' || node.type === 'listItem') blocks(node.children)
    }
  }
  blocks(doc.children)
}
