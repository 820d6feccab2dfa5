/**
 * Do-not-disturb schedules: the hours in which notifications are ALLOWED, per weekday, in
 * the member's time zone. Outside them, DND is on. The grammar (docs/attention.md):
 *
 *   spec    = rule *( ";" rule )
 *   rule    = days 1*space ranges
 *   days    = dayset *( "," dayset )
 *   dayset  = day [ "-" day ] | "daily" | "weekdays" | "weekends"
 *   day     = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun"   (full names too)
 *   ranges  = range *( "," range )
 *   range   = time "-" time         ; end before start runs past midnight into the next day
 *   time    = H[H]:MM  (00:00 to 24:00)
 *
 * Case and spaces around separators do not matter. `"mon-fri 09:00-12:00,13:00-18:00; sat 10:00-12:00"`.
 * A day range wraps (`fri-mon` = Fri, Sat, Sun, Mon). Days that no rule names have no
 * allowed hours (DND all day). A day named twice gets the union of its ranges.
 * A window past midnight belongs to the day it starts on: `fri 22:00-02:00` allows Saturday 01:00.
 */

/** ISO weekday numbers, as luxon uses them: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

/** Minutes after the day's local midnight; `end` is above 1440 for a window past midnight. */
export interface AllowedWindow {
  start: number
  end: number
}

/** Allowed windows by ISO weekday (1-7), each list sorted by start. */
export type DndSchedule = Record<Weekday, AllowedWindow[]>

export class DndScheduleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DndScheduleError'
  }
}

const dayNames: Record<string, Weekday> = {
  mon: 1, monday: 1,
  tue: 2, tues: 2, tuesday: 2,
  wed: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5,
  sat: 6, saturday: 6,
  sun: 7, sunday: 7,
}
const dayGroups: Record<string, Weekday[]> = {
  daily: [1, 2, 3, 4, 5, 6, 7],
  everyday: [1, 2, 3, 4, 5, 6, 7],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [6, 7],
}
const shortNames = ['', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

/** Longest SPEC accepted; a canonical form (days listed one by one) stays well inside it. */
export const MAX_SPEC_LENGTH = 2000
/** Most allowed windows on one day. */
export const MAX_WINDOWS_PER_DAY = 12

function day(word: string, rule: string): Weekday {
  const d = dayNames[word]
  if (d === undefined) throw new DndScheduleError(`"${word}" is not a day in "${rule}": use mon, tue, wed, thu, fri, sat, sun, daily, weekdays or weekends.`)
  return d
}

function parseDays(text: string, rule: string): Weekday[] {
  const days = new Set<Weekday>()
  for (const part of text.split(',').map((s) => s.trim())) {
    if (!part) throw new DndScheduleError(`An empty day in "${rule}".`)
    const group = dayGroups[part]
    if (group) {
      group.forEach((d) => days.add(d))
      continue
    }
    const range = part.split('-').map((s) => s.trim())
    if (range.length > 2) throw new DndScheduleError(`"${part}" is not a day or a day range (like mon-fri) in "${rule}".`)
    const from = day(range[0]!, rule)
    const to = range.length === 2 ? day(range[1]!, rule) : from
    // A range wraps past Sunday: fri-mon is Fri, Sat, Sun, Mon.
    for (let d = from; ; d = ((d % 7) + 1) as Weekday) {
      days.add(d)
      if (d === to) break
    }
  }
  return [...days].sort((a, b) => a - b)
}

function parseTime(text: string, rule: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text)
  if (!m) throw new DndScheduleError(`"${text}" is not a time (HH:MM) in "${rule}".`)
  const h = Number(m[1])
  const min = Number(m[2])
  if (min > 59 || h > 24 || (h === 24 && min > 0)) throw new DndScheduleError(`"${text}" is not a time of day (00:00 to 24:00) in "${rule}".`)
  return h * 60 + min
}

function parseRanges(text: string, rule: string): AllowedWindow[] {
  return text.split(',').map((part) => {
    const p = part.trim()
    const bounds = p.split('-').map((s) => s.trim())
    if (bounds.length !== 2 || !bounds[0] || !bounds[1]) throw new DndScheduleError(`"${p}" is not a time range (like 09:00-18:00) in "${rule}".`)
    const start = parseTime(bounds[0], rule)
    let end = parseTime(bounds[1], rule)
    if (start === 1440) throw new DndScheduleError(`A range cannot start at 24:00 in "${rule}"; use 00:00.`)
    if (end === start) throw new DndScheduleError(`"${p}" is empty: its start and end are the same in "${rule}".`)
    // An end before the start runs past midnight into the next day.
    if (end < start) end += 1440
    return { start, end }
  })
}

/** Sorts one day's windows and drops exact repeats (overlaps are harmless: any window allows). */
function tidy(windows: AllowedWindow[]): AllowedWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end)
  return sorted.filter((w, i) => i === 0 || w.start !== sorted[i - 1]!.start || w.end !== sorted[i - 1]!.end)
}

/** Parses a SPEC string; throws DndScheduleError with a sentence a person can act on. */
export function parseDndSchedule(spec: string): DndSchedule {
  if (spec.length > MAX_SPEC_LENGTH) throw new DndScheduleError(`A schedule is at most ${MAX_SPEC_LENGTH} characters.`)
  const rules = spec.toLowerCase().split(';').map((r) => r.trim())
  if (rules.every((r) => r === '')) throw new DndScheduleError('The schedule is empty: give days and hours, like "mon-fri 09:00-18:00".')
  const schedule: DndSchedule = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] }
  for (const rule of rules) {
    if (!rule) continue
    // The days end where the first time begins; spaces are allowed around the commas.
    const m = /^(.*?[a-z])\s*(\d.*)$/s.exec(rule)
    if (!m) {
      throw new DndScheduleError(
        /\d/.test(rule) ? `"${rule}" needs days before its hours, like "mon-fri 09:00-18:00".` : `"${rule}" needs hours after its days, like "mon-fri 09:00-18:00".`,
      )
    }
    const days = parseDays(m[1]!.trim(), rule)
    const ranges = parseRanges(m[2]!.trim(), rule)
    for (const d of days) schedule[d].push(...ranges)
  }
  for (const d of [1, 2, 3, 4, 5, 6, 7] as const) {
    schedule[d] = tidy(schedule[d])
    if (schedule[d].length > MAX_WINDOWS_PER_DAY) {
      throw new DndScheduleError(`At most ${MAX_WINDOWS_PER_DAY} time ranges per day; ${shortNames[d]} has ${schedule[d].length}.`)
    }
  }
  return schedule
}

const hhmm = (minutes: number) => {
  const m = minutes % 1440 === 0 && minutes > 0 ? 1440 : minutes % 1440
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

/**
 * The canonical SPEC of a schedule: days with identical windows grouped into runs, so
 * `formatDndSchedule(parseDndSchedule(s))` parses back to the same schedule.
 */
export function formatDndSchedule(schedule: DndSchedule): string {
  const key = (d: Weekday) => schedule[d].map((w) => `${hhmm(w.start)}-${hhmm(w.end)}`).join(',')
  const rules: string[] = []
  let d = 1
  while (d <= 7) {
    const k = key(d as Weekday)
    let e = d
    while (e < 7 && key((e + 1) as Weekday) === k) e++
    if (k) rules.push(`${e > d ? `${shortNames[d]}-${shortNames[e]}` : shortNames[d]} ${k}`)
    d = e + 1
  }
  return rules.join('; ')
}
