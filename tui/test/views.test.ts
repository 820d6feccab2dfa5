import t from 'tap'
import { keys, message, renderApp } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

t.test('unreads, mentions and search views list messages and open them where they are', async (t) => {
  const w = world()
  const [ping] = w.d.add(message(w.random, w.bob, 'ping @maria about the release'))
  w.d.unreads.push({ conversation: { id: w.random.id }, unread: 1, mentions: 1 })
  w.d.operations.set('mentions.list', () => [ping])
  w.d.operations.set('search', (input) => ({ query: String(input.query), messages: String(input.query).includes('release') ? [{ ...ping, conversation: w.random, snippet: 'release' }] : [], files: [], people: [], channels: [] }))
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())

  await app.press(keys.escape, 'U')
  t.match(app.frame(), /│Unreads/)
  t.match(app.frame(), /#random\s+1 unread, 1 mention/)

  await app.press('M')
  t.match(app.frame(), /#random · bob \d\d:\d\d/)
  t.match(app.frame(), /ping @maria about the release/)

  await app.press('/')
  await app.type('release from:@bob')
  await app.press(keys.enter)
  t.same(w.d.callsOf('search').map((c) => c.params.query), ['release from:@bob'], 'the query goes to the server as typed (the shared grammar)')
  t.match(app.frame(), /│Search/)
  t.match(app.frame(), /ping @maria about the release/)
  await app.press(keys.enter)
  t.match(app.frame(), /── message #random/, 'Enter opened the conversation of the result')
  t.match(app.frame(), /▌|>.*ping @maria|ping @maria/, 'with the message in view')
})

t.test('views that the server does not offer yet leave a clear note, not a crash', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.escape, 'P')
  t.match(app.frame(), /Pins in #general/)
  t.match(app.frame(), /Nothing here/)
})
