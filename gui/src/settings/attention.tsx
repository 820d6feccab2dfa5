import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { formatDndSchedule, parseDndSchedule, type CallOutput, type DndSchedule, type Weekday, type Workspace } from '@ocomms/shared'
import { call } from '../backend/call'
import { problem } from '../backend/http'
import { navigate } from '../router'
import { ErrorLine } from '../ui/error-line'

type Dnd = CallOutput<'dnd.get'>
type NotifyPref = CallOutput<'notify.get'>

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' }) : '')

/** Tomorrow at 09:00 in this browser's time zone: "until tomorrow" means until the working day. */
export function tomorrowMorning(now = new Date()): Date {
  const d = new Date(now)
  d.setDate(d.getDate() + 1)
  d.setHours(9, 0, 0, 0)
  return d
}

/**
 * Status and notifications (/settings/notifications): my custom status with its expiry and my
 * presence; do-not-disturb on and off, snoozes and the weekly schedule; my keywords; and how each
 * conversation of the workspace notifies me. All existing operations, with the meaning they
 * have in the terminal UI and the CLI (docs/attention.md); the server keeps the state.
 */
export function AttentionSettings(props: { workspaces: Workspace[] }) {
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (work: () => Promise<string>) => {
    setError(null)
    work().then(setNotice, (err: unknown) => setError(problem(err)))
  }
  const workspaceId = localStorage.getItem('ocomms.workspace') ?? props.workspaces[0]?.id
  return (
    <main className="page settings" aria-labelledby="attention-title">
      <p>
        <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          ← Back to the workspace
        </a>
      </p>
      <h1 id="attention-title">Status and notifications</h1>
      {notice && <p role="status">{notice}</p>}
      <ErrorLine error={error} />
      <StatusSection act={act} />
      <DndSection act={act} />
      <KeywordsSection act={act} />
      {workspaceId && <ConversationsSection workspaceId={workspaceId} act={act} />}
    </main>
  )
}

type Act = (work: () => Promise<string>) => void

const expiries: Array<[string, number | null]> = [
  ["Don't clear", null],
  ['30 minutes', 30],
  ['1 hour', 60],
  ['4 hours', 240],
  ['Today', -1],
  ['This week', 7 * 24 * 60],
]

function StatusSection(props: { act: Act }) {
  const [emoji, setEmoji] = useState(':spiral_calendar_pad:')
  const [text, setText] = useState('')
  const [expiry, setExpiry] = useState(0)
  const ids = { emoji: useId(), text: useId(), expiry: useId(), presence: useId() }
  const [current, setCurrent] = useState<CallOutput<'status.set'>>(null)
  const [mode, setMode] = useState<'auto' | 'away' | 'busy'>('auto')
  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      {current && (
        <p>
          Now: {current.emoji} {current.text}
          {current.expiresAt ? ` (until ${when(current.expiresAt)})` : ''}
        </p>
      )}
      <form
        aria-label="Custom status"
        onSubmit={(e) => {
          e.preventDefault()
          const [, minutes] = expiries[expiry]!
          const endOfDay = new Date()
          endOfDay.setHours(23, 59, 0, 0)
          props.act(async () => {
            const set = await call('status.set', {
              text,
              emoji: emoji.trim() || null,
              ...(minutes === -1 ? { expiresAt: endOfDay.toISOString() } : minutes ? { expiresInMinutes: minutes } : {}),
            })
            setCurrent(set)
            return 'Status set.'
          })
        }}
      >
        <div className="row">
          <div className="field narrow">
            <label htmlFor={ids.emoji}>Emoji</label>
            <input id={ids.emoji} value={emoji} onChange={(e) => setEmoji(e.currentTarget.value)} />
          </div>
          <div className="field grow">
            <label htmlFor={ids.text}>What are you up to?</label>
            <input id={ids.text} value={text} onChange={(e) => setText(e.currentTarget.value)} maxLength={100} />
          </div>
          <div className="field">
            <label htmlFor={ids.expiry}>Clear after</label>
            <select id={ids.expiry} value={expiry} onChange={(e) => setExpiry(Number(e.currentTarget.value))}>
              {expiries.map(([label], i) => (
                <option key={label} value={i}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="buttons">
          <button type="submit" className="primary">
            Set status
          </button>
          <button type="button" onClick={() => props.act(async () => (await call('status.clear', {}), setCurrent(null), 'Status cleared.'))}>
            Clear status
          </button>
        </div>
      </form>
      <div className="field">
        <label htmlFor={ids.presence}>Presence</label>
        <select
          id={ids.presence}
          value={mode}
          onChange={(e) => {
            const next = e.currentTarget.value as typeof mode
            setMode(next)
            props.act(async () => (await call('presence.set', { mode: next }), next === 'auto' ? 'Shown as active when you are.' : `Shown as ${next}.`))
          }}
        >
          <option value="auto">Automatic (active when you are)</option>
          <option value="away">Away</option>
          <option value="busy">Busy</option>
        </select>
      </div>
    </section>
  )
}

const days: Array<[Weekday, string]> = [
  [1, 'Monday'],
  [2, 'Tuesday'],
  [3, 'Wednesday'],
  [4, 'Thursday'],
  [5, 'Friday'],
  [6, 'Saturday'],
  [7, 'Sunday'],
]
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
const minutesOf = (value: string) => {
  const [h, m] = value.split(':').map(Number)
  return h! * 60 + m!
}

interface DayRow {
  on: boolean
  from: string
  to: string
}

/** The editor's rows from the server's schedule: one window a day (the CLI takes more). */
function rowsOf(spec: string | null): Record<Weekday, DayRow> {
  const schedule = spec ? parseDndSchedule(spec) : null
  const rows = {} as Record<Weekday, DayRow>
  for (const [day] of days) {
    const windows = schedule?.[day] ?? []
    rows[day] = windows.length > 0 ? { on: true, from: hhmm(windows[0]!.start), to: hhmm(windows[windows.length - 1]!.end) } : { on: !schedule && day <= 5, from: '09:00', to: '18:00' }
  }
  return rows
}

function DndSection(props: { act: Act }) {
  const [dnd, setDnd] = useState<Dnd | null>(null)
  const [rows, setRows] = useState<Record<Weekday, DayRow> | null>(null)
  const load = useCallback(() => {
    call('dnd.get', {}).then((d) => (setDnd(d), setRows(rowsOf(d.schedule))), () => {})
  }, [])
  useEffect(load, [load])
  const changed = (d: Dnd, message: string) => (setDnd(d), message)
  const saveSchedule = (on: boolean) =>
    props.act(async () => {
      let spec: string | null = null
      if (on && rows) {
        const schedule = {} as DndSchedule
        for (const [day] of days) {
          const r = rows[day]
          const start = minutesOf(r.from)
          let end = minutesOf(r.to)
          if (end <= start) end += 24 * 60 // past midnight, into the next day
          schedule[day] = r.on ? [{ start, end }] : []
        }
        spec = formatDndSchedule(schedule)
      }
      const d = await call('dnd.schedule', { spec, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone })
      setRows(rowsOf(d.schedule))
      return changed(d, spec ? 'Schedule saved.' : 'Schedule removed.')
    })

  return (
    <section aria-labelledby="dnd-heading">
      <h2 id="dnd-heading">Do not disturb</h2>
      <p role="status" aria-live="polite" className="dnd-now">
        {dnd === null ? 'Loading…' : dnd.active ? `Notifications are paused${dnd.until ? ` until ${when(dnd.until)}` : ''}${dnd.reason === 'schedule' ? ' (schedule)' : ''}.` : 'Notifications are on.'}
      </p>
      <div className="buttons" role="group" aria-label="Pause notifications">
        <button type="button" onClick={() => props.act(async () => changed(await call('dnd.snooze', { minutes: 30 }), 'Paused for 30 minutes.'))}>
          For 30 minutes
        </button>
        <button type="button" onClick={() => props.act(async () => changed(await call('dnd.snooze', { minutes: 60 }), 'Paused for 1 hour.'))}>
          For 1 hour
        </button>
        <button type="button" onClick={() => props.act(async () => changed(await call('dnd.snooze', { until: tomorrowMorning().toISOString() }), 'Paused until tomorrow.'))}>
          Until tomorrow
        </button>
        <button type="button" disabled={!dnd?.active} onClick={() => props.act(async () => changed(await call('dnd.off', {}), 'Notifications are on.'))}>
          Turn off
        </button>
      </div>
      {rows && (
        <fieldset className="schedule">
          <legend>Notify me only during these hours{dnd ? ` (${dnd.timeZone})` : ''}</legend>
          {days.map(([day, name]) => {
            const r = rows[day]
            const set = (change: Partial<DayRow>) => setRows({ ...rows, [day]: { ...r, ...change } })
            return (
              <div className="schedule-day" key={day}>
                <label>
                  <input type="checkbox" checked={r.on} onChange={(e) => set({ on: e.currentTarget.checked })} /> {name}
                </label>
                <input type="time" aria-label={`${name} from`} value={r.from} disabled={!r.on} onChange={(e) => set({ from: e.currentTarget.value })} />
                <span aria-hidden="true">–</span>
                <input type="time" aria-label={`${name} to`} value={r.to} disabled={!r.on} onChange={(e) => set({ to: e.currentTarget.value })} />
              </div>
            )
          })}
          <div className="buttons">
            <button type="button" className="primary" onClick={() => saveSchedule(true)}>
              Save schedule
            </button>
            <button type="button" disabled={!dnd?.schedule} onClick={() => saveSchedule(false)}>
              No schedule
            </button>
          </div>
          {dnd?.schedule && (
            <p>
              <small>
                Now: <code>{dnd.schedule}</code>
              </small>
            </p>
          )}
        </fieldset>
      )}
    </section>
  )
}

function KeywordsSection(props: { act: Act }) {
  const [keywords, setKeywords] = useState<string[]>([])
  const [word, setWord] = useState('')
  const id = useId()
  useEffect(() => {
    call('keywords.get', {}).then((k) => setKeywords(k.keywords), () => {})
  }, [])
  return (
    <section aria-labelledby="keywords-heading">
      <h2 id="keywords-heading">Keywords</h2>
      <p>A message with one of these words (whole word, any case) notifies you like a mention.</p>
      {keywords.length > 0 && (
        <ul className="chips" aria-label="Keywords">
          {keywords.map((k) => (
            <li key={k}>
              {k}{' '}
              <button type="button" className="link" aria-label={`Remove ${k}`} onClick={() => props.act(async () => (setKeywords((await call('keywords.remove', { word: k })).keywords), `Removed ${k}.`))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        aria-label="Add a keyword"
        className="row"
        onSubmit={(e) => {
          e.preventDefault()
          const w = word.trim()
          if (!w) return
          props.act(async () => (setKeywords((await call('keywords.add', { word: w })).keywords), setWord(''), `Added ${w}.`))
        }}
      >
        <div className="field grow">
          <label htmlFor={id}>New keyword</label>
          <input id={id} value={word} onChange={(e) => setWord(e.currentTarget.value)} />
        </div>
        <button type="submit">Add</button>
      </form>
    </section>
  )
}

function ConversationsSection(props: { workspaceId: string; act: Act }) {
  const [rows, setRows] = useState<Array<{ id: string; label: string; pref: NotifyPref }> | null>(null)
  useEffect(() => {
    ;(async () => {
      const conversations = (await call('conversation.list', { workspaceId: props.workspaceId })).filter((c) => c.kind === 'public' || c.kind === 'private')
      const prefs = await Promise.all(conversations.map((c) => call('notify.get', { conversationId: c.id })))
      setRows(conversations.map((c, i) => ({ id: c.id, label: `#${c.name}`, pref: prefs[i]! })))
    })().catch(() => setRows([]))
  }, [props.workspaceId])
  // Per channel, writes go to the server one after another, in the order they were made, and
  // only the answer to the latest replaces what is shown: an earlier answer arriving after a
  // newer click would otherwise flip that click back on the screen.
  const writes = useRef(new Map<string, { latest: number; queue: Promise<unknown> }>())
  const show = (id: string, pref: Partial<NotifyPref>) => setRows((all) => all?.map((r) => (r.id === id ? { ...r, pref: { ...r.pref, ...pref } } : r)) ?? null)
  const set = (id: string, change: { level?: 'all' | 'mentions' | 'none' | null; muted?: boolean; ignoreChannelMentions?: boolean }) => {
    show(id, change) // at once; the server's answer replaces it, or the error says why not
    const w = writes.current.get(id) ?? { latest: 0, queue: Promise.resolve() }
    writes.current.set(id, w)
    const mine = ++w.latest
    const write = w.queue.then(() => call('notify.set', { conversationId: id, ...change }))
    w.queue = write.catch(() => undefined)
    props.act(async () => {
      try {
        const pref = await write
        if (w.latest === mine) show(id, pref)
        return 'Saved.'
      } catch (err) {
        // Refused: show what is saved, not what was clicked.
        if (w.latest === mine) call('notify.get', { conversationId: id }).then((pref) => show(id, pref), () => {})
        throw err
      }
    })
  }
  return (
    <section aria-labelledby="channels-notify-heading">
      <h2 id="channels-notify-heading">Channels</h2>
      {rows === null ? (
        <p>Loading…</p>
      ) : (
        <table className="notify">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Notify me about</th>
              <th scope="col">Mute</th>
              <th scope="col">Ignore @channel</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.label}</th>
                <td>
                  <select aria-label={`Notifications for ${r.label}`} value={r.pref.level ?? 'default'} onChange={(e) => set(r.id, { level: e.currentTarget.value === 'default' ? null : (e.currentTarget.value as 'all') })}>
                    <option value="default">Default{r.pref.level === null ? ` (${r.pref.effectiveLevel})` : ''}</option>
                    <option value="all">All messages</option>
                    <option value="mentions">Mentions</option>
                    <option value="none">Nothing</option>
                  </select>
                </td>
                <td>
                  <input type="checkbox" aria-label={`Mute ${r.label}`} checked={r.pref.muted} onChange={(e) => set(r.id, { muted: e.currentTarget.checked })} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`Ignore @channel in ${r.label}`} checked={r.pref.ignoreChannelMentions} onChange={(e) => set(r.id, { ignoreChannelMentions: e.currentTarget.checked })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
