/**
 * The document tree of a message, as `parseRichText` returns it. It is OUR format, not the
 * markdown library's: small, plain JSON (no classes, no cycles, no positions) so it can be
 * sent, cached and compared as is. Renderers and helpers walk it; nobody re-parses markdown.
 *
 * Every node has a `type`. Containers have `children`; leaves carry their text.
 * See docs/rich-text.md for the syntax each node comes from.
 */

/** The root of a parsed message. */
export interface RichDoc {
  type: 'doc'
  children: RichBlock[]
}

export type RichBlock = RichParagraph | RichCodeBlock | RichQuote | RichList | RichRule

/** A run of inline content; a newline inside it is a `break`. */
export interface RichParagraph {
  type: 'paragraph'
  children: RichInline[]
}

/** A fenced code block, verbatim (no markup, no mentions inside). */
export interface RichCodeBlock {
  type: 'codeBlock'
  /** The first word of the fence's info string (```ts → "ts"), or null. */
  lang: string | null
  /** The code without its final newline. */
  text: string
}

/** A block quote (`> ...`); may hold any blocks, quotes included. */
export interface RichQuote {
  type: 'quote'
  children: RichBlock[]
}

export interface RichList {
  type: 'list'
  ordered: boolean
  /** Number of the first item of an ordered list (1 for unordered lists). */
  start: number
  children: RichListItem[]
}

export interface RichListItem {
  type: 'listItem'
  children: RichBlock[]
}

/** A thematic break (`---`, `***`). */
export interface RichRule {
  type: 'rule'
}

export type RichInline = RichText | RichBold | RichItalic | RichStrike | RichInlineCode | RichLink | RichBreak | RichMention | RichBroadcast | RichChannelLink | RichEmoji

export interface RichText {
  type: 'text'
  text: string
}

export interface RichBold {
  type: 'bold'
  children: RichInline[]
}

export interface RichItalic {
  type: 'italic'
  children: RichInline[]
}

export interface RichStrike {
  type: 'strike'
  children: RichInline[]
}

export interface RichInlineCode {
  type: 'inlineCode'
  text: string
}

/**
 * A link: written `[label](url)`, `<url>`, or a bare `https://…`, `www.…` or e-mail address
 * (then `auto` is true and the label is the address as written). `url` is normalised
 * (percent-encoded, `www.` given `http://`, e-mail given `mailto:`). Mentions and channel
 * links are not recognised inside a label: a link is one thing.
 */
export interface RichLink {
  type: 'link'
  url: string
  auto: boolean
  children: RichInline[]
}

/** A line break: a newline typed inside a paragraph (chat keeps the lines as typed). */
export interface RichBreak {
  type: 'break'
}

/** `@handle`: `handle` is lowercased, as handles are stored. */
export interface RichMention {
  type: 'mention'
  handle: string
}

/** `@channel` (everyone in the conversation) or `@here` (everyone active in it). */
export interface RichBroadcast {
  type: 'broadcast'
  target: 'channel' | 'here'
}

/** `#name`: `name` is lowercased, as channel names are stored. */
export interface RichChannelLink {
  type: 'channelLink'
  name: string
}

/** `:shortcode:` that names a known emoji. */
export interface RichEmoji {
  type: 'emoji'
  /** The shortcode as it will be shown back (lowercase, without colons). */
  shortcode: string
  /** The emoji character(s). */
  emoji: string
}

/** Every node type, for exhaustive switches. */
export type RichNode = RichDoc | RichBlock | RichListItem | RichInline
