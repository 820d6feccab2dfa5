import t from 'tap'
import { keys, message, renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

const order = (frame: string, ...texts: string[]) => texts.map((x) => frame.indexOf(x))

t.test('the "new messages" line sits at the read marker and stays while I read', async (t) => {
  const w = world()
  w.d.add(message(w.random, w.bob, 'old news'), message(w.random, w.ana, 'first unread'), message(w.random, w.bob, 'second unread'))
  w.d.unreads.push({ conversation: { id: w.random.id }, unread: 2, mentions: 0 })
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.altDown, keys.altDown)
  const [old, line, first] = order(app.frame(), 'old news', 'new messages', 'first unread')
  t.ok(old! >= 0 && line! > old! && first! > line!, 'between what I read and the first unread message')
  t.ok(w.d.callsOf('read.mark').some((c) => c.params.conversationId === w.random.id && c.params.seq === 3), 'opening marks read up to the newest')
  w.d.receive(message(w.random, w.bob, 'third'))
  await tick()
  t.equal(app.frame().split('new messages').length, 2, 'still exactly one line, in the same place')
  t.ok(app.frame().indexOf('new messages') < app.frame().indexOf('first unread'))
})

t.test('the marker from the server (lastReadSeq) wins', async (t) => {
  const w = world()
  w.d.add(message(w.random, w.bob, 'm1'), message(w.random, w.bob, 'm2'), message(w.random, w.bob, 'm3'))
  w.d.unreads.push({ conversation: { id: w.random.id }, unread: 1, mentions: 0, lastReadSeq: 1 })
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.altDown, keys.altDown)
  const [m1, line, m2] = order(app.frame(), 'm1', 'new messages', 'm2')
  t.ok(m1! < line! && line! < m2!)
})

t.test('mark unread (u) moves the line to the selected message and keeps the badge', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  t.notMatch(app.frame(), /new messages/, 'nothing unread at first')
  await app.press(keys.escape, keys.up, keys.up, 'u')
  const calls = w.d.callsOf('read.markUnread')
  t.same(calls.map((c) => c.params.messageId), [w.hello.id])
  const [line, hello] = order(app.frame(), 'new messages', 'hello there')
  t.ok(line! >= 0 && line! < hello!, 'the line is above the message marked unread')
  t.match(app.frame().split('\n').find((l) => l.includes('# general')) ?? '', /# general\s+3│/, 'the sidebar counts it unread')
  w.d.receive(message(w.general, w.bob, 'more'))
  await tick()
  t.notOk(w.d.callsOf('read.mark').some((c) => c.params.seq === w.general.lastSeq), 'a new message does not mark it read again while I stay')
})
