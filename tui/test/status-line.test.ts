import t from 'tap'
import { detectColor } from '../src/ui/theme.js'
import { renderApp } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

t.test('the status line shows DND and my status', async (t) => {
  const w = world()
  w.me.status = { text: 'in a meeting', emoji: '📅', expiresAt: null }
  const until = new Date(Date.now() + 3600_000)
  w.d.operations.set('dnd.get', () => ({ active: true, reason: 'snooze', until: until.toISOString(), snoozeUntil: until.toISOString(), scheduleOffUntil: null, schedule: null, timeZone: 'UTC' }))
  const app = await renderApp(w.d, { columns: 100, rows: 24 })
  t.teardown(() => app.unmount())
  const last = app.frame().split('\n').at(-1)!
  const hhmm = `${String(until.getHours()).padStart(2, '0')}:${String(until.getMinutes()).padStart(2, '0')}`
  t.match(last, new RegExp(`● connected · z DND until ${hhmm} · 📅 in a meeting · @maria`))
})

t.test('colours degrade: NO_COLOR, TERM=dumb and pipes turn them off', async (t) => {
  const tty = { isTTY: true, hasColors: () => true }
  t.equal(detectColor({}, tty), true)
  t.equal(detectColor({ NO_COLOR: '1' }, tty), false)
  t.equal(detectColor({ TERM: 'dumb' }, tty), false)
  t.equal(detectColor({}, { isTTY: false }), false)
  t.equal(detectColor({}, { isTTY: true, hasColors: () => false }), false)
  t.equal(detectColor({ FORCE_COLOR: '1' }, { isTTY: false }), true)
})
