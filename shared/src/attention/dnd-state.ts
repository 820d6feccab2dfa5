import { DateTime, IANAZone } from 'luxon'
import { parseDndSchedule, type DndSchedule, type Weekday } from './dnd-schedule.js'

/**
 * Whether do-not-disturb is on at an instant, and until when. Server (the `dnd` mark others
 * see, busy presence) and daemon (holding back desktop notifications, also offline) both
 * call this, so every device agrees.
 *
 * Schedules are wall-clock hours in the member's IANA time zone: "09:00-18:00" means nine to
 * six local time on every date, whatever the UTC offset that day. On a daylight-saving
 * change, hours are judged by the wall clock: a window starting in the skipped hour opens
 * when the clock jumps (02:30-04:00 opens at 03:00 on a spring-forward night), and a
 * repeated hour is allowed or not, both times, by its wall time.
 */

export type DndReason = 'snooze' | 'schedule'

export interface DndState {
  active: boolean
  reason: DndReason | null
  /** When notifications are allowed again (ISO 8601), while active; null when not active. */
  until: string | null
}

// luxon checks a zone by building an Intl.DateTimeFormat, which costs more than the rest of a
// DND decision; presence decides on every connect and disconnect. Zones in use are few.
const zoneValidity = new Map<string, boolean>()

export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone)
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone)
    if (zoneValidity.size < 1000) zoneValidity.set(zone, valid)
  }
  return valid
}

const toMillis = (t: Date | string | number) => (t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t)

/** True when the local wall time of `at` falls inside an allowed window. */
function allowedAt(at: DateTime, schedule: DndSchedule): boolean {
  const minutes = at.hour * 60 + at.minute
  const today = at.weekday as Weekday
  const yesterday = (((today + 5) % 7) + 1) as Weekday
  if (schedule[today].some((w) => minutes >= w.start && minutes < w.end)) return true
  // Windows past midnight spill into this morning.
  return schedule[yesterday].some((w) => w.end > 1440 && minutes < w.end - 1440)
}

/** The instants a local wall time occurs on a date: one; for a skipped time, the end of the gap; two in a repeated hour. */
function occurrences(date: DateTime, minutes: number): DateTime[] {
  const first = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: date.zone },
  )
  if (first.hour * 60 + first.minute !== minutes) {
    // Skipped by a spring-forward change: the window opens at the jump, the first instant after the gap.
    let lo = first.minus({ hours: 3 }).toMillis()
    let hi = first.toMillis()
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (DateTime.fromMillis(mid, { zone: date.zone }).offset === first.offset) hi = mid
      else lo = mid
    }
    return [DateTime.fromMillis(hi, { zone: date.zone })]
  }
  // In a repeated hour luxon picks the earlier offset; the same wall time recurs after the shift.
  const shift = first.offset - first.plus({ hours: 3 }).offset
  if (shift > 0) {
    const again = first.plus({ minutes: shift })
    if (again.hour === first.hour && again.minute === first.minute) return [first, again]
  }
  return [first]
}

/** The first instant after `from` at which notifications become allowed (looking 8 days ahead). */
function nextAllowedStart(from: DateTime, schedule: DndSchedule): DateTime | null {
  let best: DateTime | null = null
  const midnight = from.startOf('day')
  for (let i = 0; i <= 8; i++) {
    // From the calendar date and wall time, not midnight + minutes: days are 23 or 25 hours on DST changes.
    const date = midnight.plus({ days: i })
    for (const w of schedule[date.weekday as Weekday]) {
      for (const start of occurrences(date, w.start)) {
        // A start moved forward out of a short window by a skipped hour opens nothing.
        if (start > from && (!best || start < best) && allowedAt(start, schedule)) best = start
      }
    }
    if (best) return best
  }
  return best
}

/**
 * DND at `now`: a snooze until `snoozeUntil`, or outside the allowed hours of `schedule`
 * (a SPEC string or a parsed schedule) in `timeZone`. `until` is when notifications are next
 * allowed: a snooze that ends inside scheduled DND lasts, in effect, until the schedule allows.
 * `scheduleOffUntil` suspends the schedule before that instant: "DND off" during scheduled
 * hours sets it to the end of the current scheduled period, so the next period starts as usual.
 */
export function dndState(
  now: Date | string | number,
  snoozeUntil: Date | string | number | null | undefined,
  schedule: DndSchedule | string | null | undefined,
  timeZone = 'UTC',
  scheduleOffUntil: Date | string | number | null = null,
): DndState {
  const nowMs = toMillis(now)
  const offMs = scheduleOffUntil === null ? null : toMillis(scheduleOffUntil)
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC'
  const parsed = typeof schedule === 'string' ? (schedule.trim() ? parseDndSchedule(schedule) : null) : (schedule ?? null)
  const snoozeMs = snoozeUntil === null || snoozeUntil === undefined ? null : toMillis(snoozeUntil)
  const snoozing = snoozeMs !== null && snoozeMs > nowMs

  const at = (ms: number) => DateTime.fromMillis(ms, { zone })
  /** Whether the schedule holds notifications back at `ms`, and until when (null: no window ahead). */
  const scheduledAt = (ms: number): { held: boolean; until: string | null } => {
    if (!parsed || (offMs !== null && ms < offMs) || allowedAt(at(ms), parsed)) return { held: false, until: null }
    return { held: true, until: nextAllowedStart(at(ms), parsed)?.toUTC().toISO() ?? null }
  }

  if (snoozing) {
    const after = scheduledAt(snoozeMs)
    return { active: true, reason: 'snooze', until: after.held ? after.until : new Date(snoozeMs).toISOString() }
  }
  const scheduled = scheduledAt(nowMs)
  if (scheduled.held) return { active: true, reason: 'schedule', until: scheduled.until }
  return { active: false, reason: null, until: null }
}
