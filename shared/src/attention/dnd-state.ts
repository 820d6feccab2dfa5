import { DateTime, IANAZone } from 'luxon'
import { parseDndSchedule, type DndSchedule, type Weekday } from './dnd-schedule.js'

/**
 * Whether do-not-disturb is on at an instant, and until when. Server (the `dnd` mark others
 * see, busy presence) and daemon (holding back desktop notifications, also offline) both
 * call this, so every device agrees.
 *
 * Schedules are wall-clock hours in the member's IANA time zone: "09:00-18:00" means nine to
 * six local time on every date, whatever the UTC offset that day. On a daylight-saving
 * change a boundary that falls into the skipped hour moves forward by the gap (02:30 on a
 * spring-forward night starts at 03:30); a repeated hour is allowed or not by its wall time.
 */

export type DndReason = 'snooze' | 'schedule'

export interface DndState {
  active: boolean
  reason: DndReason | null
  /** When notifications are allowed again (ISO 8601), while active; null when not active. */
  until: string | null
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone)
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

/** The first instant after `from` at which an allowed window begins (within the next 8 days). */
function nextAllowedStart(from: DateTime, schedule: DndSchedule): DateTime | null {
  let best: DateTime | null = null
  const midnight = from.startOf('day')
  for (let i = 0; i <= 8; i++) {
    const date = midnight.plus({ days: i })
    for (const w of schedule[date.weekday as Weekday]) {
      // From the calendar date and wall time, not midnight + minutes: days are 23 or 25 hours on DST changes.
      const start = DateTime.fromObject(
        { year: date.year, month: date.month, day: date.day, hour: Math.floor(w.start / 60), minute: w.start % 60 },
        { zone: from.zone },
      )
      if (start > from && (!best || start < best)) best = start
    }
    if (best) return best
  }
  return best
}

/**
 * DND at `now`: a snooze until `snoozeUntil`, or outside the allowed hours of `schedule`
 * (a SPEC string or a parsed schedule) in `timeZone`. `until` is when notifications are next
 * allowed: a snooze that ends inside scheduled DND lasts, in effect, until the schedule allows.
 */
export function dndState(
  now: Date | string | number,
  snoozeUntil: Date | string | number | null | undefined,
  schedule: DndSchedule | string | null | undefined,
  timeZone = 'UTC',
): DndState {
  const nowMs = toMillis(now)
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC'
  const parsed = typeof schedule === 'string' ? (schedule.trim() ? parseDndSchedule(schedule) : null) : (schedule ?? null)
  const snoozeMs = snoozeUntil === null || snoozeUntil === undefined ? null : toMillis(snoozeUntil)
  const snoozing = snoozeMs !== null && snoozeMs > nowMs

  const at = (ms: number) => DateTime.fromMillis(ms, { zone })
  const endOfScheduledDnd = (ms: number): string | null => {
    if (!parsed || allowedAt(at(ms), parsed)) return null
    return nextAllowedStart(at(ms), parsed)?.toUTC().toISO() ?? null
  }

  if (snoozing) {
    const later = endOfScheduledDnd(snoozeMs)
    return { active: true, reason: 'snooze', until: later ?? new Date(snoozeMs).toISOString() }
  }
  if (parsed && !allowedAt(at(nowMs), parsed)) {
    return { active: true, reason: 'schedule', until: endOfScheduledDnd(nowMs) }
  }
  return { active: false, reason: null, until: null }
}
