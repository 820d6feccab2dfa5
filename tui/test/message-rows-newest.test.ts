import t from 'tap'
import { messageRows } from '../src/ui/rows.js'
import { channel, keys, message, person, renderApp } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

/**
 * The pane lays out only the newest messages that fill it until messages are selected: the rows
 * it gets must be exactly the tail of the full layout (grouping, day separators, the new-messages
 * line), and selecting messages must lay out the rest.
 */
t.test('a partial layout is the tail of the full one', async (t) => {
  const ana = person('ana')
  const bob = person('bob')
  const c = channel('general')
  // Authors alternate in runs, so grouping depends on the message before each one.
  const messages = Array.from({ length: 60 }, (_, i) =>
    message(c, i % 7 < 3 ? ana : bob, i % 5 === 0 ? `**line** ${i}\n- a\n- b` : `line ${i}`, { seq: i + 1, reactions: i % 4 === 0 ? [{ emoji: '👍', count: 1, members: [ana.id] }] : [] }),
  )
  const options = { width: 60, meId: ana.id, meHandle: 'ana', color: false, newAfterSeq: 55 }
  const full = messageRows(messages, options)
  t.ok(full.complete)
  const part = messageRows(messages, { ...options, newest: 12 })
  t.notOk(part.complete, 'not every message was laid out')
  t.ok(part.length >= 12 && part.length < full.length, `${part.length} rows of ${full.length}`)
  t.same(part, full.slice(full.length - part.length), 'the same rows as the end of the full layout')
  t.ok(part.some((r) => r.key.startsWith('new-')), 'the new-messages line is in the tail')
  const all = messageRows(messages, { ...options, newest: 10_000 })
  t.ok(all.complete)
  t.same([...all], [...full])
})

t.test('selecting messages lays out the whole page, back to the beginning', async (t) => {
  const w = world()
  // Fewer than a page (no older history), far more lines than the pane holds.
  w.d.add(...Array.from({ length: 40 }, (_, i) => message(w.random, w.bob, `random ${i + 1}`)))
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.altDown, keys.altDown)
  t.match(app.frame(), /random 40/)
  t.notMatch(app.frame(), /very beginning/)
  await app.press(keys.escape)
  for (let i = 0; i < 6; i++) await app.press(keys.pageUp)
  t.match(app.frame(), /random 1\b/, 'the oldest message is reachable')
  t.match(app.frame(), /This is the very beginning of #random/)
})
