import t from 'tap'
import { keys, renderApp } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'
import { matchSwitcher, type SwitcherItem } from '../src/ui/switcher-items.js'

t.test('fuzzy matching ranks subsequences, conversations before people', async (t) => {
  const items: SwitcherItem[] = [
    { key: '1', kind: 'conversation', label: '#random', target: 'c1' },
    { key: '2', kind: 'conversation', label: '#release-notes', target: 'c2' },
    { key: '3', kind: 'person', label: '@randall', target: '@randall' },
    { key: '4', kind: 'view', label: 'Threads', target: 'threads' },
  ]
  t.same(matchSwitcher(items, 'rnd').map((i) => i.label)[0], '#random', '"rnd" finds #random')
  t.same(matchSwitcher(items, 'relnot').map((i) => i.label), ['#release-notes'])
  t.same(matchSwitcher(items, 'thr').map((i) => i.label), ['Threads'], 'views are in the switcher')
  t.same(matchSwitcher(items, 'zzz'), [])
})

t.test('Ctrl+K, type, arrows and Enter open the chosen conversation', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.ctrlK)
  t.match(app.frame(), /Jump to/)
  await app.type('o')
  const listed = app.frame().split('\n').filter((l) => /│[> ] [#@]/.test(l))
  t.ok(listed.length >= 2, 'several matches for "o"')
  await app.press(keys.down)
  const chosen = app.frame().split('\n').find((l) => /│> [#@]/.test(l))!
  const label = /│> ([#@][\w-]+)/.exec(chosen)![1]!
  await app.press(keys.enter)
  t.notMatch(app.frame(), /Jump to/, 'the switcher closed')
  t.match(app.frame(), new RegExp(`── message ${label.replace(/[#@]/, '[#@]')} `), `opened the second match, ${label}`)
})

t.test('a person without a DM yet opens one through resolve.target', async (t) => {
  const w = world()
  w.d.conversations = w.d.conversations.filter((c) => c.id !== w.withAna.id)
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.ctrlK)
  await app.type('ana')
  t.match(app.frame(), /> @ana/)
  await app.press(keys.enter)
  t.ok(w.d.calls.some((c) => c.method === 'resolve.target' && c.params.target === '@ana'))
  t.match(app.frame(), /@ana\s+Ana · online · DND · 🌴 on holiday/, 'the DM header shows presence, DND and status')
})

t.test('Esc closes the switcher without moving', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.ctrlK)
  await app.type('rand')
  await app.press(keys.escape)
  t.match(app.frame(), /── message #general/)
})
