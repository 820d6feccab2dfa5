import t from 'tap'
import { renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

/**
 * Presence signals are not replayed: what changed while the daemon was cut off from the server
 * is asked again when it is back, and the sidebar follows.
 */
t.test('presence missed while the daemon was offline is asked again on reconnect', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  t.match(app.frame(), /◐ bob/, 'bob is away at start')
  w.d.emit({ type: 'daemon.connection', connection: 'offline' })
  await tick()
  // Bob came online meanwhile; the signal went nowhere.
  w.bob.presence = 'online'
  const asked = w.d.callsOf('member.list').length
  w.d.emit({ type: 'daemon.connection', connection: 'connected' })
  await tick(150)
  t.ok(w.d.callsOf('member.list').length > asked, 'the people were asked again')
  t.match(app.frame(), /● bob/, 'the sidebar shows him online')
})
