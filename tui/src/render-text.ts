import { parseRichText, renderTerminal } from '@ocomms/shared/text'

/**
 * The one place message text becomes terminal text: the shared markdown parser and terminal
 * renderer (ANSI styles when `color`, wrapped to `width`; control characters made visible so a
 * message cannot drive the terminal). Wrapping non-ASCII text is costly (docs/rich-text.md), and
 * Ink repaints often, so results are kept per text, width, colour and viewer.
 */
export interface RenderTextOptions {
  color: boolean
  /** Columns to wrap to; default 80. */
  width?: number
  /** My handle: mentions of me stand out. */
  me?: string
}

const CACHE_SIZE = 2000
const cache = new Map<string, string>()

export function renderText(text: string, options: RenderTextOptions = { color: false }): string {
  const width = Math.floor(options.width ?? 80)
  const key = `${options.color ? 1 : 0}\u0000${width}\u0000${options.me ?? ''}\u0000${text}`
  const hit = cache.get(key)
  if (hit !== undefined) {
    // Least recently used goes first: a Map keeps insertion order.
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const out = renderTerminal(parseRichText(text), { width, color: options.color ? 1 : 0, me: options.me })
  cache.set(key, out)
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!)
  return out
}

/** Rendered lines of a message body. */
export const renderLines = (text: string, options: RenderTextOptions) => renderText(text, options).split('\n')
