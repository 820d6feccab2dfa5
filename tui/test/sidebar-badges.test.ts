import t from 'tap'
import { keys, message, renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

const line = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text)) ?? ''

t.test('unread counts, mention badges, muted marks and DM presence in the sidebar', async (t) => {
  const w = world()
  w.d.unreads.push({ conversation: { id: w.random.id }, unread: 4, mentions: 0 }, { conversation: { id: w.ops.id }, unread: 2, mentions: 1 })
  w.d.muted.push(w.ops.id)
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  const frame = app.frame()
  t.match(line(frame, '# random'), /# random\s+4│/, 'unread count beside the channel')
  t.match(line(frame, '# ops'), /# ops~\s+@1│/, 'a mention shows as @N; muted is marked ~ without colour')
  t.match(line(frame, 'bob'), /◐ bob/, 'away DM partner')
  t.match(line(frame, 'ana'), /● ana/, 'online DM partner')
  t.match(line(frame, 'Unreads'), /Unreads\s+2│/, 'the unreads view counts conversations with unread messages')
  t.match(line(frame, 'Mentions'), /Mentions\s+1│/)
})

t.test('a live message elsewhere raises the badge; a DM counts as a mention; opening clears it', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  w.d.receive(message(w.random, w.bob, 'lunch?'))
  w.d.receive(message(w.random, w.bob, 'anyone?'))
  w.d.receive(message(w.withBob, w.bob, 'psst'))
  await tick()
  t.match(line(app.frame(), '# random'), /# random\s+2│/)
  t.match(line(app.frame(), 'bob'), /bob\s+@1│/)
  // A message in the open conversation is read at once: no badge, and the daemon is told.
  w.d.receive(message(w.general, w.bob, 'in general'))
  await tick()
  t.match(line(app.frame(), '# general'), /# general\s+│/)
  t.ok(w.d.callsOf('read.mark').some((c) => c.params.conversationId === w.general.id), 'mark read sent for the open conversation')
  await app.press(keys.altDown) // #general -> #ops -> ... next conversation in sidebar order
  await app.press(keys.altDown)
  t.match(app.frame(), /lunch\?/, 'Alt+Down reached #random')
  t.match(line(app.frame(), '# random'), /# random\s+│/, 'opening it cleared the badge')
})

t.test('a @mention of me in a channel counts as a mention', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  w.d.receive(message(w.random, w.bob, 'hey @maria, look'))
  await tick()
  t.match(line(app.frame(), '# random'), /@1│/)
})
