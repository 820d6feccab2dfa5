import { OCommsError, type SearchSort, type SearchType } from '@ocomms/shared'

/**
 * Opaque page cursors. Newest-first pages continue after the last (created_at, id) seen, so
 * messages arriving meanwhile neither repeat nor shift a page; ranked pages use an offset.
 */
export type Cursor = { type: SearchType; sort: SearchSort; after?: { at: string; id: string }; offset?: number }

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url')
}

const invalid = () => new OCommsError('invalid_input', 'That cursor does not belong to this search; start again without it.')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function decodeCursor(text: string, type: SearchType | undefined, sort: SearchSort): Cursor {
  if (!type) throw new OCommsError('invalid_input', 'A cursor pages one type of result: give `type` with it.')
  let c: Cursor
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor
  } catch {
    throw invalid()
  }
  if (typeof c !== 'object' || c === null || c.type !== type || c.sort !== sort) throw invalid()
  if (c.after !== undefined) {
    const { at, id } = c.after
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !UUID.test(id)) throw invalid()
  }
  if (c.offset !== undefined && (!Number.isInteger(c.offset) || c.offset < 0 || c.offset > 10_000)) throw invalid()
  return c
}
