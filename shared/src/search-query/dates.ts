import type { SearchDate } from './ast.js'

/** Calendar-day arithmetic on YYYY-MM-DD strings; no time zones involved. */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTH = /^(\d{4})-(\d{2})$/
const YEAR = /^(\d{4})$/

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function ymd(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** A real calendar day between years 1970 and 9999, or false. */
export function isValidDay(value: string): boolean {
  const m = DAY.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return false
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

export function isValidMonth(value: string): boolean {
  const m = MONTH.exec(value)
  return m !== null && Number(m[1]) >= 1970 && Number(m[2]) >= 1 && Number(m[2]) <= 12
}

export function isValidYear(value: string): boolean {
  const m = YEAR.exec(value)
  return m !== null && Number(m[1]) >= 1970
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return ymd(new Date(Date.UTC(y, m - 1, d + n)))
}

/** The calendar day an instant falls on in a time zone (IANA name, default UTC). */
export function localDay(instant: Date | string, timeZone = 'UTC'): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date)
}


/** The first day of a period and the first day after it. */
function periodBounds(value: string): [string, string] {
  if (YEAR.test(value)) return [`${value}-01-01`, `${pad(Number(value) + 1, 4)}-01-01`]
  if (MONTH.test(value)) {
    const [y, m] = value.split('-').map(Number) as [number, number]
    return [`${value}-01`, m === 12 ? `${pad(y + 1, 4)}-01-01` : `${pad(y, 4)}-${pad(m + 1)}-01`]
  }
  return [value, addDays(value, 1)]
}

/**
 * The days every date filter allows, as a half-open range of calendar days [from, to):
 * `from` inclusive, `to` exclusive, null for unbounded. `empty` when the filters contradict.
 * Like Slack, before: and after: exclude the day they name.
 */
export function dayRange(dates: SearchDate[]): { from: string | null; to: string | null; empty: boolean } {
  let from: string | null = null
  let to: string | null = null
  const later = (a: string | null, b: string) => (a === null || b > a ? b : a)
  const earlier = (a: string | null, b: string) => (a === null || b < a ? b : a)
  for (const d of dates) {
    if (d.op === 'before') to = earlier(to, d.value)
    else if (d.op === 'after') from = later(from, addDays(d.value, 1))
    else {
      const [lo, hi] = periodBounds(d.value)
      from = later(from, lo)
      to = earlier(to, hi)
    }
  }
  return { from, to, empty: from !== null && to !== null && from >= to }
}
