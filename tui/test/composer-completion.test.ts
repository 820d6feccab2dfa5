import t from 'tap'
import { keys, renderApp } from './helpers/scripted-daemon.js'
import { world } from './helpers/world.js'
import { tokenAt } from '../src/ui/completion.js'

t.test('tokens: @ and # at once, emoji from two letters, not inside words or times', async (t) => {
  t.match(tokenAt({ text: 'hi @bo', cursor: 6 }), { trigger: '@', query: 'bo', start: 3 })
  t.match(tokenAt({ text: '#ge', cursor: 3 }), { trigger: '#', query: 'ge' })
  t.equal(tokenAt({ text: 'at 10:3', cursor: 7 }), null)
  t.equal(tokenAt({ text: 'mail@host', cursor: 9 }), null)
  t.equal(tokenAt({ text: 'x :t', cursor: 4 }), null)
  t.match(tokenAt({ text: 'x :ta', cursor: 5 }), { trigger: ':', query: 'ta' })
})

t.test('@people, #channels and :emoji: complete with Tab and Enter, then Enter sends', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.type('hey @bo')
  t.match(app.frame(), /> @bob\s+Bob/, 'the person is suggested')
  await app.press(keys.tab)
  await app.type('see #ran')
  t.match(app.frame(), /> #random/)
  await app.press(keys.enter)
  await app.type(':tad')
  t.match(app.frame(), /🎉 :tada:/)
  await app.press(keys.enter)
  t.match(app.frame(), /hey @bob see #random :tada: /)
  await app.press(keys.enter)
  const sent = w.d.callsOf('messages.send')
  t.equal(sent.length, 1)
  t.equal(sent[0]!.params.text, 'hey @bob see #random :tada:')
  t.equal(sent[0]!.params.conversationId, w.general.id)
  t.match(app.frame(), /Type a message/, 'the composer is empty again')
})

t.test('Esc dismisses a completion; Alt+Enter makes a new line', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.type('yo @an')
  t.match(app.frame(), /> @ana/)
  await app.press(keys.escape)
  t.notMatch(app.frame(), /> @ana/)
  await app.press(keys.altEnter)
  await app.type('second line')
  await app.press(keys.enter)
  t.equal(w.d.callsOf('messages.send')[0]!.params.text, 'yo @an\nsecond line')
})

t.test('Up in an empty composer edits my last message', async (t) => {
  const w = world()
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.press(keys.up)
  t.match(app.frame(), /editing \(Enter saves, Esc cancels\)/)
  t.match(app.frame(), /hi bob, how are you\?/)
  await app.type(' now')
  await app.press(keys.enter)
  const edits = w.d.callsOf('message.edit')
  t.equal(edits.length, 1)
  t.same(edits[0]!.params, { messageId: w.mine.id, text: 'hi bob, how are you? now' })
  t.match(app.frame(), /how are you\? now \(edited\)/, 'the edited mark shows')
  t.equal(w.d.callsOf('messages.send').length, 0, 'an edit is not a new message')
})

t.test('drafts are kept per conversation and restored', async (t) => {
  const w = world()
  w.d.drafts.push({ conversationId: w.random.id, threadRootId: null, text: 'saved on another device' })
  const app = await renderApp(w.d, { columns: 80, rows: 24 })
  t.teardown(() => app.unmount())
  await app.type('half a thought')
  await app.press(keys.altDown, keys.altDown) // to #random
  t.match(app.frame(), /saved on another device/, 'the server draft of #random')
  await app.press(keys.altUp, keys.altUp)
  t.match(app.frame(), /half a thought/, 'my draft in #general is back')
  await new Promise((r) => setTimeout(r, 700))
  t.ok(w.d.callsOf('draft.set').some((c) => c.params.text === 'half a thought' && c.params.conversationId === w.general.id), 'the draft was saved through the daemon')
})
