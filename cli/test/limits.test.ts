import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { limits, type Conversation, type Message } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

// Every size limit a person can reach from the command line, at its boundary: the largest
// value goes through, one more is refused with a sentence that says the limit, and nothing
// a person types can take their connection down.
t.test('size limits through the CLI', async (t) => {
  const fileLimit = 4096
  const server = await startTestServer(t, { fileSizeLimit: fileLimit })
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  await ann.json(['channel', 'create', 'dev'])

  t.test('message text', async (t) => {
    const longest = 'x'.repeat(limits.messageText)
    const sent = await ann.json<Message>(['send', '#dev', '-'], { stdin: longest })
    t.equal(sent.text.length, limits.messageText, 'the longest message is sent')
    const over = await ann.run(['send', '#dev', '-'], { stdin: longest + 'x' })
    t.equal(over.code, 1, 'one character more is refused')
    t.match(over.stderr, /at most 40,000 characters; this one has 40,001/)
    t.notMatch(over.stderr, /queued/)

    const edit = await ann.run(['edit', sent.id, '-'], { stdin: longest + 'y' })
    t.equal(edit.code, 1, 'an edit over the limit is refused')
    t.match(edit.stderr, /at most 40,000 characters/)
    t.equal((await ann.json<Message>(['edit', sent.id, '-'], { stdin: 'y'.repeat(limits.messageText) })).text.length, limits.messageText)
  })

  t.test('a 1 MiB message is refused and the connection stays up', async (t) => {
    const huge = await ann.run(['send', '#dev', '-'], { stdin: 'x'.repeat(1024 * 1024) })
    t.equal(huge.code, 1, 'refused, not queued')
    t.match(huge.stderr, /at most 40,000 characters/)
    t.notMatch(huge.stderr, /queued|unreachable/)
    const after = await ann.json<Message>(['send', '#dev', 'still here'])
    t.equal(after.text, 'still here', 'the next send is delivered at once')
    const status = await ann.json<{ profiles: Array<{ connection: string; outbox: number }> }>(['daemon', 'status'])
    t.same(status.profiles.map((p) => [p.connection, p.outbox]), [['connected', 0]], 'still connected, nothing left in the outbox')
  })

  t.test('blank messages are refused', async (t) => {
    for (const text of ['   ', '\n\n\n', ' \t \n ']) {
      const res = await ann.run(['send', '#dev', text])
      t.equal(res.code, 1, `${JSON.stringify(text)} is refused`)
      t.match(res.stderr, /A message needs some text: this one is blank/)
    }
    const last = (await ann.json<Message[]>(['read', '#dev', '--limit', '1']))[0]!
    t.equal(last.text, 'still here', 'nothing blank was stored')
    const edit = await ann.run(['edit', last.id, '  '])
    t.equal(edit.code, 1, 'an edit to blank text is refused')
    t.match(edit.stderr, /blank/)
  })

  t.test('channel topic', async (t) => {
    await ann.json(['channel', 'topic', 'dev', 't'.repeat(limits.topic)])
    t.equal((await ann.json<Conversation>(['channel', 'info', '#dev'])).topic.length, limits.topic)
    const over = await ann.run(['channel', 'topic', 'dev', 't'.repeat(limits.topic + 1)])
    t.equal(over.code, 1)
    t.match(over.stderr, /topic can be at most 250 characters; this one has 251/)
  })

  t.test('custom status', async (t) => {
    await ann.json(['status', '--text', 's'.repeat(limits.statusText)])
    const over = await ann.run(['status', '--text', 's'.repeat(limits.statusText + 1)])
    t.equal(over.code, 1)
    t.match(over.stderr, /text can be at most 100 characters; this one has 101/)
  })

  t.test('draft', async (t) => {
    await ann.json(['draft', '#dev', '-'], { stdin: 'd'.repeat(limits.messageText) })
    const over = await ann.run(['draft', '#dev', '-'], { stdin: 'd'.repeat(limits.messageText + 1) })
    t.equal(over.code, 1, 'refused before it is kept anywhere')
    t.match(over.stderr, /at most 40,000 characters; this one has 40,001/)
    const drafts = await ann.json<Array<{ text: string }>>(['drafts'])
    t.equal(drafts[0]?.text.length, limits.messageText, 'the draft kept is the last one accepted')
  })

  t.test('file size', async (t) => {
    const fits = join(ann.home, 'fits.bin')
    const over = join(ann.home, 'over.bin')
    await writeFile(fits, Buffer.alloc(fileLimit, 1))
    await writeFile(over, Buffer.alloc(fileLimit + 1, 1))
    const ok = await ann.json<Message>(['upload', '#dev', fits])
    t.equal(ok.files[0]?.size, fileLimit, 'a file of exactly the limit is taken')
    const refused = await ann.run(['upload', '#dev', over])
    t.equal(refused.code, 1)
    t.match(refused.stderr, /too large|at most/i)
  })
})
