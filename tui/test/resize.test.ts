import t from 'tap'
import { renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

const fits = (frame: string, columns: number, rows: number) => {
  const lines = frame.split('\n')
  return lines.length <= rows && lines.every((l) => l.length <= columns)
}

t.test('the layout follows the terminal size on resize', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 120, rows: 30 })
  t.teardown(() => app.unmount())
  t.ok(fits(app.frame(), 120, 30), '120×30')
  t.match(app.frame(), /Acme/)

  app.resize({ columns: 80, rows: 24 })
  await tick(150)
  t.ok(fits(app.frame(), 80, 24), 'shrunk to 80×24')
  t.equal(app.frame().split('\n').length, 24, 'uses the full height')
  t.match(app.frame(), /fine!/, 'the newest message is still visible')
  t.match(app.frame(), /● connected/, 'status line kept')

  app.resize({ columns: 50, rows: 12 })
  await tick(150)
  t.ok(fits(app.frame(), 50, 12), '50×12')
  t.notMatch(app.frame(), /Direct messages/, 'the sidebar gives way on very narrow terminals')
  t.match(app.frame(), /fine!/)

  app.resize({ columns: 100, rows: 30 })
  await tick(150)
  t.match(app.frame(), /Direct messages/, 'and comes back')
})
