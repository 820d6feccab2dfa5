import { basename } from 'node:path'
import { limits, OCommsError } from '@ocomms/shared'
import mime from 'mime'

/** Names, types and text of uploaded files. */

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-www-form-urlencoded'])
const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-sh|x-yaml|yaml|toml|sql|x-httpd-php)|.*\+(json|xml)$)/

/** A safe display name: no folders, no control characters, not empty, bounded. */
export function cleanName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const name = basename(raw.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (!name || name === '.' || name === '..') throw new OCommsError('invalid_input', 'The file needs a name (`name` or the X-File-Name header).')
  return [...name].slice(0, limits.fileName).join('')
}

/** The type the uploader declared, unless it says nothing; then a guess from the name. */
export function typeOf(declared: string | undefined, name: string): string {
  const type = (declared ?? '').split(';')[0]!.trim().toLowerCase()
  if (!GENERIC.has(type) && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return type
  return mime.getType(name) ?? 'application/octet-stream'
}

/**
 * The text of a small file kept for search: files of a textual type, or untyped files whose
 * bytes are valid UTF-8 without NULs. Returns the (possibly refined) type too.
 */
export function textOf(small: Buffer | null, type: string): { text: string | null; type: string } {
  if (!small) return { text: null, type }
  const textual = TEXTUAL.test(type)
  if (!textual && type !== 'application/octet-stream') return { text: null, type }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(small)
  } catch {
    return { text: null, type }
  }
  // Control characters other than whitespace and ESC (ANSI colours) mean binary.
  // eslint-disable-next-line no-control-regex
  if (!textual && /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text)) return { text: null, type }
  if (text.includes('\u0000')) return { text: null, type }
  return { text, type: textual ? type : 'text/plain' }
}
