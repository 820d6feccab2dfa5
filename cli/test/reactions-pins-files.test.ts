import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message, PinnedMessage, SavedMessage } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { team, type Person } from './helpers/cli.js'

t.test('reactions, pins, saved items and files from the CLI', async (t) => {
  const server = await startTestServer(t)
  const [ann, bob, cara] = (await team(t, server.url, ['ann', 'bob', 'cara'])) as [Person, Person, Person]
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-files-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  await ann.json(['channel', 'create', 'dev'])
  await bob.json(['channel', 'join', 'dev'])
  const hello = await ann.json<Message>(['send', '#dev', 'ship it **today**'])

  // Reactions: a shortcode and the emoji are the same reaction.
  const reacted = await bob.json<Message>(['react', `#dev/${hello.seq}`, ':+1:'])
  t.match(reacted.reactions, [{ emoji: '👍', count: 1, members: ['bob'] }])
  const both = await ann.json<Message>(['react', hello.id, '👍'])
  t.match(both.reactions, [{ emoji: '👍', count: 2 }])
  const removed = await bob.json<Message>(['react', hello.id, ':+1:', '--remove'])
  t.match(removed.reactions, [{ emoji: '👍', count: 1, members: ['ann'] }])
  t.equal((await bob.run(['react', hello.id, ':no_such_emoji_at_all:'])).code, 1, 'an unknown shortcode is refused')

  // Pins.
  const pinned = await bob.json<Message>(['pin', `#dev/${hello.seq}`])
  t.equal(pinned.pinned, true)
  const pins = await ann.json<PinnedMessage[]>(['pins', '#dev'])
  t.same(pins.map((p) => p.id), [hello.id])
  t.match(pins[0], { pinnedBy: { handle: 'bob' }, pinnedAt: String })
  // Human output gives each message's ocomms:// link, which the desktop app opens at the message.
  t.match((await ann.run(['pins', '#dev'])).stdout, `ocomms://message/${hello.conversationId}/${hello.id}`)
  t.match((await ann.run(['send', '#dev', 'linked'])).stdout, /^\s+ocomms:\/\/message\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/m)
  t.equal((await cara.run(['pin', hello.id])).code, 1, 'a non-member cannot pin')

  // read shows reactions, the pin and rendered markdown.
  const human = await ann.run(['read', '#dev'])
  t.equal(human.code, 0)
  t.match(human.stdout, /@ann: ship it \*today\*/, 'markdown rendered (plain when piped)')
  t.match(human.stdout, /pinned/)
  t.match(human.stdout, /👍 1 \(@ann\)/)
  const asJson = await ann.json<Message[]>(['read', '#dev'])
  t.match(asJson[0], { text: 'ship it **today**', pinned: true, reactions: [{ emoji: '👍', count: 1, members: ['ann'] }], files: [] }, '--json stays plain')

  await ann.json(['unpin', hello.id])
  t.same(await ann.json(['pins', '#dev']), [])

  // Saved items are personal.
  await bob.json<SavedMessage>(['save', hello.id])
  t.same((await bob.json<SavedMessage[]>(['saved'])).map((m) => m.id), [hello.id])
  t.same(await ann.json(['saved']), [], 'nobody else sees them')
  await bob.json(['unsave', hello.id])
  t.same(await bob.json(['saved']), [])

  // Upload, then download to a path and to stdout.
  const bytes = randomBytes(200_000)
  const src = join(dir, 'data.bin')
  await writeFile(src, bytes)
  const carrier = await ann.json<Message>(['upload', '#dev', src, '--comment', 'the dump'])
  t.match(carrier, { text: 'the dump', files: [{ name: 'data.bin', size: bytes.length }] })
  const fileId = carrier.files[0]!.id
  const out = join(dir, 'copy.bin')
  const dl = await bob.run(['download', fileId, '-o', out])
  t.equal(dl.code, 0, dl.stderr)
  t.ok((await readFile(out)).equals(bytes), 'the same bytes, to a path')
  const piped = await bob.run(['download', fileId])
  t.equal(piped.code, 0)
  t.equal(Buffer.from(piped.stdout, 'latin1').length > 0, true)
  const readText = await ann.run(['read', '#dev'])
  t.match(readText.stdout, new RegExp(`📎 data.bin .*${fileId}`), 'read lists the file with its id')

  // An upload without a comment still posts a message carrying the file.
  await writeFile(join(dir, 'notes.txt'), 'plain notes\n')
  const bare = await bob.json<Message>(['upload', 'dev', join(dir, 'notes.txt')])
  t.match(bare.files, [{ name: 'notes.txt', size: 12 }])
  const text = await ann.run(['download', bare.files[0]!.id])
  t.equal(text.stdout, 'plain notes\n', 'stdout carries exactly the bytes')

  // send --file, repeatable.
  await writeFile(join(dir, 'a.txt'), 'a')
  await writeFile(join(dir, 'b.txt'), 'bb')
  const withFiles = await ann.json<Message>(['send', '#dev', 'two files', '--file', join(dir, 'a.txt'), '--file', join(dir, 'b.txt')])
  t.same(withFiles.files.map((f) => [f.name, f.size]), [['a.txt', 1], ['b.txt', 2]])
  t.equal((await ann.run(['send', '#dev', 'x', '--file', join(dir, 'missing.txt')])).code, 1, 'a missing file is refused')

  // A private channel's file: not for non-members.
  await ann.json(['channel', 'create', 'secret', '--private'])
  const secret = await ann.json<Message>(['upload', '#secret', join(dir, 'a.txt')])
  const denied = await cara.run(['--json', 'download', secret.files[0]!.id, '-o', join(dir, 'stolen.txt')])
  t.equal(denied.code, 1, 'a non-member cannot download it')
  t.match(JSON.parse(denied.stdout), { error: { code: 'not_found' } })
  await t.rejects(readFile(join(dir, 'stolen.txt')), 'and nothing was written')
})
