import t from 'tap'
import { keys, message, renderApp, tick } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'

function threadWorld() {
  const w = world()
  const [root] = w.d.add(message(w.general, w.bob, 'deploy at 5?', { replyCount: 1, replyParticipants: [{ id: w.ana.id, handle: 'ana', name: 'Ana' }] }))
  const [reply] = w.d.add(message(w.general, w.ana, 'yes, after standup', { threadRootId: root!.id }))
  return { ...w, root: root!, reply: reply! }
}

t.test('at 80 columns the thread replaces the channel; Esc goes back', async (t) => {
  const w = threadWorld()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  t.match(app.frame(), /↳ 1 reply/, 'the reply count shows under the root')
  t.notMatch(app.frame(), /after standup/, 'replies stay out of the channel')
  await app.press(keys.escape) // composer -> messages, the last message (the root) selected
  await app.press(keys.enter)
  const frame = app.frame()
  t.match(frame, /Thread in #general/)
  t.match(frame, /yes, after standup/)
  t.notMatch(frame, /── message #general/, 'the channel pane is not shown beside it')
  t.ok(frame.split('\n').every((l) => l.length <= 80), 'nothing wider than the terminal')
  await app.type('on it')
  await app.press(keys.enter)
  const sent = w.d.callsOf('messages.send').at(-1)!
  t.same([sent.params.text, sent.params.threadRootId], ['on it', w.root.id], 'the reply went to the thread')
  t.match(app.frame(), /on it/)
  await app.press(keys.escape)
  t.notMatch(app.frame(), /Thread in/, 'one Esc from the thread\'s composer closes it')
  t.match(app.frame(), /── message #general/)
})

t.test('at 140 columns the thread sits beside the channel', async (t) => {
  const w = threadWorld()
  const app = await renderApp(w.d, { columns: 140, rows: 30 })
  t.teardown(() => app.unmount())
  await app.press(keys.escape, 't')
  const frame = app.frame()
  t.match(frame, /Thread in #general/)
  t.match(frame, /── message #general/, 'the channel stays visible')
  t.match(frame, /── reply in thread/)
  const row = frame.split('\n').find((l) => l.includes('Thread in #general'))!
  t.match(row, /#general.*│ *Thread in #general/, 'channel on the left, thread on the right, a rule between them')
  const column = row.lastIndexOf('│', row.indexOf('Thread in'))
  t.ok(frame.split('\n').filter((l) => l[column] === '│').length >= 25, 'the rule runs down the whole height')
  await app.type('x')
  await app.press(keys.escape)
  t.notMatch(app.frame(), /Thread in/, 'one Esc from the thread\'s composer closes it')
})

t.test('a live reply lands in the open thread and bumps the count in the channel', async (t) => {
  const w = threadWorld()
  const app = await renderApp(w.d, { columns: 140, rows: 30 })
  t.teardown(() => app.unmount())
  await app.press(keys.escape, 't')
  const reply = message(w.general, w.bob, 'great, thanks', { threadRootId: w.root.id })
  w.d.add(reply)
  w.d.emit({
    stream: 'conversation', streamId: w.general.id, seq: reply.seq, type: 'message.created', at: reply.createdAt, conversationId: w.general.id,
    data: { message: reply, root: { id: w.root.id, replyCount: 2, lastReplyAt: reply.createdAt, replyParticipants: [] } },
  })
  await tick()
  t.match(app.frame(), /great, thanks/)
  t.match(app.frame(), /↳ 2 replies/)
})

t.test('a thread keeps its own draft, apart from the channel', async (t) => {
  const w = threadWorld()
  const app = await renderApp(w.d, { columns: 140, rows: 30 })
  t.teardown(() => app.unmount())
  await app.type('channel draft')
  await app.press(keys.escape, 't')
  await app.type('thread draft')
  await app.press(keys.escape, keys.escape)
  t.notMatch(app.frame(), /Thread in/)
  t.match(app.frame(), /channel draft/)
  t.notMatch(app.frame(), /thread draft/)
  await app.press('t')
  t.match(app.frame(), /thread draft/, 'reopening the thread restores its draft')
  await new Promise((r) => setTimeout(r, 700))
  t.ok(w.d.callsOf('draft.set').some((c) => c.params.threadRootId === w.root.id && c.params.text === 'thread draft'), 'saved with its thread')
})
