import t from 'tap'
import fc from 'fast-check'
import { DndScheduleError, formatDndSchedule, parseDndSchedule } from '../src/attention/dnd-schedule.js'
import { dndState } from '../src/attention/dnd-state.js'

const W = (start: string, end: string) => {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3))
  const a = m(start)
  let b = m(end)
  if (b < a) b += 1440
  return { start: a, end: b }
}

t.test('parsing SPEC strings', async (t) => {
  const office = parseDndSchedule('mon-fri 09:00-18:00')
  for (const d of [1, 2, 3, 4, 5] as const) t.same(office[d], [W('09:00', '18:00')])
  t.same(office[6], [], 'days not named have no allowed hours')
  t.same(office[7], [])

  const split = parseDndSchedule('mon-fri 09:00-12:00,13:00-18:00; sat 10:00-12:00')
  t.same(split[3], [W('09:00', '12:00'), W('13:00', '18:00')])
  t.same(split[6], [W('10:00', '12:00')])
  t.same(split[7], [])

  const wrap = parseDndSchedule('fri-mon 10:00-11:00')
  t.same([1, 2, 3, 4, 5, 6, 7].map((d) => wrap[d as 1].length), [1, 0, 0, 0, 1, 1, 1], 'fri-mon wraps past Sunday')

  t.same(parseDndSchedule('daily 22:00-02:00')[4], [{ start: 1320, end: 1560 }], 'an end before the start runs past midnight')
  t.same(parseDndSchedule('Weekdays 9:00-17:30')[2], [W('09:00', '17:30')], 'case and one-digit hours')
  t.same(parseDndSchedule('weekends 00:00-24:00')[7], [{ start: 0, end: 1440 }], '24:00 ends the day')
  const listed = parseDndSchedule(' Monday , wed 08:00 - 09:00 ;; sun 10:00-11:00 ')
  t.same(listed[1], [W('08:00', '09:00')])
  t.same(listed[3], [W('08:00', '09:00')])
  t.same(listed[2], [])
  t.same(listed[7], [W('10:00', '11:00')])
  t.same(parseDndSchedule('mon 13:00-14:00; mon 09:00-10:00')[1], [W('09:00', '10:00'), W('13:00', '14:00')], 'a day named twice gets both')
})

t.test('bad SPEC strings get a sentence that says what is wrong', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ;  ', /empty/],
    ['mon', /needs hours/],
    ['09:00-18:00', /needs days/],
    ['funday 09:00-10:00', /"funday" is not a day/],
    ['mon-fri-sat 09:00-10:00', /not a day or a day range/],
    ['mon 25:00-26:00', /not a time of day/],
    ['mon 09:60-10:00', /not a time of day/],
    ['mon 9-17', /not a time \(HH:MM\)/],
    ['mon 09:00', /not a time range/],
    ['mon 09:00-09:00', /empty: its start and end are the same/],
    ['mon 24:00-01:00', /cannot start at 24:00/],
    ['mon,,tue 09:00-10:00', /empty day/],
    ['mon 09:00-10:00,', /not a time range/],
    ['x'.repeat(2001), /at most 2000/],
    [`mon ${Array.from({ length: 13 }, (_, i) => `${String(i + 1).padStart(2, '0')}:00-${String(i + 1).padStart(2, '0')}:30`).join(',')}`, /At most 12 time ranges per day/],
  ]
  for (const [spec, message] of cases) {
    t.throws(() => parseDndSchedule(spec), message, JSON.stringify(spec.slice(0, 40)))
    t.throws(() => parseDndSchedule(spec), DndScheduleError)
  }
})

t.test('canonical form', async (t) => {
  t.equal(formatDndSchedule(parseDndSchedule('Monday-Friday 9:00-18:00')), 'mon-fri 09:00-18:00')
  t.equal(
    formatDndSchedule(parseDndSchedule('sat 10:00-12:00; mon-fri 09:00-12:00,13:00-18:00')),
    'mon-fri 09:00-12:00,13:00-18:00; sat 10:00-12:00',
  )
  t.equal(formatDndSchedule(parseDndSchedule('daily 22:00-02:00')), 'mon-sun 22:00-02:00')
  t.equal(formatDndSchedule(parseDndSchedule('sun 00:00-24:00')), 'sun 00:00-24:00')
})

const at = (iso: string) => new Date(iso)

t.test('DND from a schedule, in the member\'s time zone', async (t) => {
  const spec = 'mon-fri 09:00-18:00'
  // Wednesday 2026-01-14.
  t.same(dndState(at('2026-01-14T10:00:00Z'), null, spec, 'UTC'), { active: false, reason: null, until: null })
  t.same(dndState(at('2026-01-14T19:00:00Z'), null, spec, 'UTC'), { active: true, reason: 'schedule', until: '2026-01-15T09:00:00.000Z' })
  t.same(dndState(at('2026-01-14T08:59:59Z'), null, spec, 'UTC').until, '2026-01-14T09:00:00.000Z')
  t.equal(dndState(at('2026-01-14T18:00:00Z'), null, spec, 'UTC').active, true, 'the end is exclusive')

  // 10:00 UTC is 05:00 in New York (EST, -5): before hours there, inside hours in Berlin (11:00).
  t.same(dndState(at('2026-01-14T10:00:00Z'), null, spec, 'America/New_York'), {
    active: true,
    reason: 'schedule',
    until: '2026-01-14T14:00:00.000Z',
  })
  t.equal(dndState(at('2026-01-14T10:00:00Z'), null, spec, 'Europe/Berlin').active, false)
  // 04:00 UTC is 09:30 in Kolkata (+5:30): allowed; 03:00 UTC is 08:30: held until 03:30 UTC.
  t.equal(dndState(at('2026-01-14T04:00:00Z'), null, spec, 'Asia/Kolkata').active, false)
  t.equal(dndState(at('2026-01-14T03:00:00Z'), null, spec, 'Asia/Kolkata').until, '2026-01-14T03:30:00.000Z')
  // Friday evening in Tokyo holds until Monday 09:00 Tokyo = Monday 00:00 UTC.
  t.same(dndState(at('2026-01-16T10:00:00Z'), null, spec, 'Asia/Tokyo'), {
    active: true,
    reason: 'schedule',
    until: '2026-01-19T00:00:00.000Z',
  })
  // The date line: it is already Saturday in Kiribati (+14) while Friday afternoon in UTC.
  t.equal(dndState(at('2026-01-16T12:00:00Z'), null, spec, 'Pacific/Kiritimati').active, true)
  t.equal(dndState(at('2026-01-16T12:00:00Z'), null, spec, 'UTC').active, false)
})

t.test('across midnight', async (t) => {
  const night = 'fri 22:00-02:00'
  t.equal(dndState(at('2026-01-16T23:00:00Z'), null, night, 'UTC').active, false, 'Friday 23:00')
  t.equal(dndState(at('2026-01-17T01:59:00Z'), null, night, 'UTC').active, false, 'Saturday 01:59 still allowed by Friday\'s window')
  t.same(dndState(at('2026-01-17T02:00:00Z'), null, night, 'UTC'), {
    active: true,
    reason: 'schedule',
    until: '2026-01-23T22:00:00.000Z',
  })
  t.equal(dndState(at('2026-01-15T01:00:00Z'), null, night, 'UTC').active, true, 'Thursday 01:00 belongs to no window')
  // Sunday's window past midnight spills into Monday.
  t.equal(dndState(at('2026-01-19T00:30:00Z'), null, 'sun 23:00-01:00', 'UTC').active, false)
  t.equal(dndState(at('2026-01-18T23:30:00Z'), null, 'sun 23:00-01:00', 'UTC').active, false)
  // A snooze across midnight.
  t.same(dndState(at('2026-01-14T23:00:00Z'), at('2026-01-15T01:00:00Z'), null, 'UTC'), {
    active: true,
    reason: 'snooze',
    until: '2026-01-15T01:00:00.000Z',
  })
})

t.test('across daylight-saving changes', async (t) => {
  const spec = 'daily 09:00-18:00'
  // Berlin: CET (+1) until Sunday 2026-03-29 02:00, then CEST (+2).
  t.equal(dndState(at('2026-03-28T08:00:00Z'), null, spec, 'Europe/Berlin').active, false, 'Saturday 09:00 CET')
  t.equal(dndState(at('2026-03-29T07:30:00Z'), null, spec, 'Europe/Berlin').active, false, 'Sunday 09:30 CEST')
  t.equal(dndState(at('2026-03-29T07:00:00Z'), null, spec, 'Europe/Berlin').until, null, 'Sunday 09:00 CEST is allowed')
  t.same(
    dndState(at('2026-03-28T20:00:00Z'), null, spec, 'Europe/Berlin'),
    { active: true, reason: 'schedule', until: '2026-03-29T07:00:00.000Z' },
    'Saturday night holds until 09:00 CEST, one hour earlier in UTC than the day before',
  )
  // New York: EDT (-4) until Sunday 2026-11-01 02:00, then EST (-5).
  t.same(
    dndState(at('2026-10-31T23:00:00Z'), null, spec, 'America/New_York'),
    { active: true, reason: 'schedule', until: '2026-11-01T14:00:00.000Z' },
    'after the clocks go back, 09:00 is 14:00 UTC',
  )
  t.equal(dndState(at('2026-11-01T13:30:00Z'), null, spec, 'America/New_York').active, true, '08:30 EST')

  // A window inside the skipped hour opens when the clock jumps: 02:30-04:00 on 2026-03-08 in New York.
  const skipped = 'sun 02:30-04:00'
  t.same(dndState(at('2026-03-08T06:00:00Z'), null, skipped, 'America/New_York'), {
    active: true,
    reason: 'schedule',
    until: '2026-03-08T07:00:00.000Z',
  })
  t.equal(dndState(at('2026-03-08T07:00:00Z'), null, skipped, 'America/New_York').active, false, '03:00 EDT is inside 02:30-04:00')
  // A window entirely in the skipped hour opens nothing that day.
  t.equal(dndState(at('2026-03-08T06:00:00Z'), null, 'sun 02:00-02:30', 'America/New_York').until, '2026-03-15T06:00:00.000Z')

  // The repeated hour (01:00-02:00 twice on 2026-11-01 in New York) is judged by wall time.
  const repeated = 'sun 01:00-01:30'
  t.equal(dndState(at('2026-11-01T05:15:00Z'), null, repeated, 'America/New_York').active, false, '01:15 EDT')
  t.equal(dndState(at('2026-11-01T06:15:00Z'), null, repeated, 'America/New_York').active, false, '01:15 EST')
  t.same(
    dndState(at('2026-11-01T05:45:00Z'), null, repeated, 'America/New_York'),
    { active: true, reason: 'schedule', until: '2026-11-01T06:00:00.000Z' },
    '01:45 EDT holds until 01:00 comes round again',
  )
  // Lord Howe Island moves its clocks by half an hour.
  t.equal(dndState(at('2026-01-14T00:00:00Z'), null, 'mon-fri 09:00-18:00', 'Australia/Lord_Howe').active, false, '11:00 LHDT')
})

t.test('snooze and schedule together', async (t) => {
  const spec = 'mon-fri 09:00-18:00'
  t.same(
    dndState(at('2026-01-14T10:00:00Z'), at('2026-01-14T11:00:00Z'), spec, 'UTC'),
    { active: true, reason: 'snooze', until: '2026-01-14T11:00:00.000Z' },
  )
  t.same(
    dndState(at('2026-01-14T17:00:00Z'), at('2026-01-14T19:00:00Z'), spec, 'UTC'),
    { active: true, reason: 'snooze', until: '2026-01-15T09:00:00.000Z' },
    'a snooze ending in scheduled DND lasts until the schedule allows',
  )
  t.same(dndState(at('2026-01-14T12:00:00Z'), at('2026-01-14T11:00:00Z'), spec, 'UTC'), { active: false, reason: null, until: null }, 'a past snooze')
  t.same(dndState(at('2026-01-14T12:00:00Z'), null, null, 'UTC'), { active: false, reason: null, until: null })
  t.same(dndState(at('2026-01-14T12:00:00Z'), null, '', 'UTC'), { active: false, reason: null, until: null })
  t.equal(dndState(at('2026-01-14T12:00:00Z'), null, spec, 'Not/AZone').active, false, 'an unknown zone reads as UTC')
})

t.test('turning DND off during scheduled hours suspends the schedule until it would allow', async (t) => {
  const spec = 'mon-fri 09:00-18:00'
  const off = '2026-01-15T09:00:00.000Z' // Wednesday evening's scheduled DND would end here
  t.same(dndState(at('2026-01-14T19:00:00Z'), null, spec, 'UTC', off), { active: false, reason: null, until: null })
  t.same(dndState(at('2026-01-15T08:59:00Z'), null, spec, 'UTC', off), { active: false, reason: null, until: null })
  t.same(
    dndState(at('2026-01-15T19:00:00Z'), null, spec, 'UTC', off),
    { active: true, reason: 'schedule', until: '2026-01-16T09:00:00.000Z' },
    'the next scheduled period starts as usual',
  )
  t.same(
    dndState(at('2026-01-14T19:00:00Z'), at('2026-01-14T20:00:00Z'), spec, 'UTC', off),
    { active: true, reason: 'snooze', until: '2026-01-14T20:00:00.000Z' },
    'a snooze inside the suspension ends on time',
  )
  t.same(dndState(at('2026-01-14T19:00:00Z'), null, { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] }, 'UTC'), { active: true, reason: 'schedule', until: null }, 'no allowed hours at all')
})

const dayWord = fc.constantFrom('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'Monday', 'SUN', 'daily', 'weekdays', 'weekends')
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)
const range = fc.tuple(time, time).filter(([a, b]) => a !== b).map(([a, b]) => `${a}-${b}`)
const days = fc.array(fc.oneof(dayWord, fc.tuple(dayWord.filter((d) => d.length === 3), dayWord.filter((d) => d.length === 3)).map(([a, b]) => `${a}-${b}`)), { minLength: 1, maxLength: 3 })
const rule = fc.tuple(days, fc.array(range, { minLength: 1, maxLength: 3 })).map(([d, r]) => `${d.join(',')} ${r.join(',')}`)
const spec = fc.array(rule, { minLength: 1, maxLength: 4 }).map((rules) => rules.join('; '))
const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Pacific/Kiritimati')
const instant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) })

t.test('fuzz: the parser either parses or explains, never crashes', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z ,;:0-9-]{0,40}$/)), (input) => {
      try {
        parseDndSchedule(input)
      } catch (err) {
        if (!(err instanceof DndScheduleError)) throw err
      }
    }),
    { numRuns: 2000 },
  )
  t.pass('2000 inputs')
})

t.test('fuzz: every valid SPEC survives its canonical form', async (t) => {
  fc.assert(
    fc.property(spec, (s) => {
      const parsed = parseDndSchedule(s)
      const canonical = formatDndSchedule(parsed)
      t.same(parseDndSchedule(canonical), parsed)
      t.equal(formatDndSchedule(parseDndSchedule(canonical)), canonical)
    }),
    { numRuns: 300 },
  )
})

t.test('fuzz: while DND is on, `until` is the moment notifications are allowed again', async (t) => {
  fc.assert(
    fc.property(spec, zone, instant, (s, z, now) => {
      const state = dndState(now, null, s, z)
      if (!state.active) return state.until === null && state.reason === null
      const until = Date.parse(state.until!)
      if (!(until > now)) return false
      // Allowed at `until`, and still held a moment before it.
      if (dndState(until, null, s, z).active) return false
      return until - 1 <= now || dndState(until - 1, null, s, z).active
    }),
    { numRuns: 400 },
  )
  t.pass('400 schedules, zones and instants')
})
