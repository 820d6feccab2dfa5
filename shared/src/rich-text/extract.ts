import { parseRichText } from './parse.js'
import type { RichDoc } from './types.js'
import { visitInlines } from './walk.js'

/** Who a message notifies, as written (whether those people exist is the server's question). */
export interface ExtractedMentions {
  /** Handles mentioned with `@handle`: unique, lowercased, in order of first appearance. */
  handles: string[]
  /** `@channel` appears: everyone in the conversation. */
  channel: boolean
  /** `@here` appears: everyone in the conversation who is active. */
  here: boolean
}

/** The mentions in a document. Mentions inside code or inside a link's label do not count. */
export function extractMentions(doc: RichDoc): ExtractedMentions {
  const handles = new Set<string>()
  let channel = false
  let here = false
  visitInlines(doc, (node) => {
    if (node.type === 'mention') handles.add(node.handle)
    else if (node.type === 'broadcast') {
      if (node.target === 'channel') channel = true
      else here = true
    }
  })
  return { handles: [...handles], channel, here }
}

/** Channel names linked with `#name`: unique, lowercased, in order of first appearance. */
export function extractChannelLinks(doc: RichDoc): string[] {
  const names = new Set<string>()
  visitInlines(doc, (node) => {
    if (node.type === 'channelLink') names.add(node.name)
  })
  return [...names]
}

/** The (normalised) URLs of every link, written or detected: unique, in order. */
export function extractLinks(doc: RichDoc): string[] {
  const urls = new Set<string>()
  visitInlines(doc, (node) => {
    if (node.type === 'link') urls.add(node.url)
  })
  return [...urls]
}

/**
 * Whether a message (text or parsed) contains a link: what search's `has:link` stores.
 * A URL inside code is not a link; a bare `example.com` is not one either (see docs/rich-text.md).
 */
export function hasLink(message: string | RichDoc): boolean {
  let found = false
  visitInlines(typeof message === 'string' ? parseRichText(message) : message, (node) => {
    if (node.type === 'link') found = true
  })
  return found
}
