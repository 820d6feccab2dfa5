import t from 'tap'
import { keys, renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

t.test('a blank message is not sent, and the composer says why', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.type('   ')
  await app.press(keys.altEnter, keys.altEnter)
  await app.press(keys.enter)
  await tick()
  t.same(w.d.callsOf('messages.send'), [], 'nothing is sent')
  t.match(app.frame(), /Not sent: A message needs some text: this one is blank/)
  await app.press(keys.backspace, keys.backspace, keys.backspace, keys.backspace, keys.backspace)
  await app.type('hello')
  await app.press(keys.enter)
  await tick()
  t.same(w.d.callsOf('messages.send').map((c) => c.params.text), ['hello'], 'real text still goes')
})
