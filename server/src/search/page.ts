import type { SearchSort, SearchType } from '@ocomms/shared'
import { encodeCursor, type Cursor } from './cursor.js'

/** One page of one result type: ids in order, and the cursor of the next page if any. */
export interface Page<T> {
  items: T[]
  next: string | null
}

/** Cuts `limit + 1` fetched rows to a page and derives the next cursor. */
export function pageOf<R extends { id: string; at: string }>(rows: R[], limit: number, type: SearchType, sort: SearchSort, offset: number | null): Page<R> {
  const items = rows.slice(0, limit)
  if (rows.length <= limit) return { items, next: null }
  const last = items[items.length - 1]!
  const cursor: Cursor = offset === null ? { type, sort, after: { at: last.at, id: last.id } } : { type, sort, offset: offset + limit }
  return { items, next: encodeCursor(cursor) }
}

export const snippetLength = 200

/** A snippet for a hit without highlighted words: the start of the text on one line. */
export function plainSnippet(text: string): string {
  const flat = text.replace(/[\u0002\u0003]/g, '').replace(/\s+/gu, ' ').trim() // eslint-disable-line no-control-regex
  return flat.length > snippetLength ? `${flat.slice(0, snippetLength)}…` : flat
}

/** ts_headline's options: our marks; a short text whole, a long one as about 15 to 35 words around the best hit. */
export const headlineOptions = 'StartSel=\u0002, StopSel=\u0003, MaxWords=35, MinWords=15, ShortWord=3'
