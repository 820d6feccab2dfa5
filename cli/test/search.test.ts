import t from 'tap'
import type { SearchResults } from '@ocomms/shared'
import { freshDatabase } from '../../server/test/helpers/database.js'
import { person, signup } from './helpers/cli.js'
import { exited, freePort, startServerProcess } from './helpers/server-process.js'

t.test('search through the daemon: only what the searcher may read; the cache answers offline, marked local', async (t) => {
  const db = await freshDatabase()
  const server = await startServerProcess(await freePort(), db.url)
  t.teardown(async () => {
    server.child.kill('SIGKILL')
    await exited(server.child)
    await db.drop()
  })
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.call('invite.create', {})
  await signup(bob, server.url, { invite: invite.code })

  await ann.json(['send', '#general', 'the deployment of the billing service is done'])
  await ann.json(['channel', 'create', 'secret', '--private'])
  await ann.json(['send', '#secret', 'secret deployment plans'])
  await bob.json(['send', '#general', 'lunch at noon'])

  const found = await bob.json<SearchResults>(['search', 'deploying'])
  t.same(found.messages.map((m) => m.text), ['the deployment of the billing service is done'], 'stemmed; the private channel stays hidden')
  t.match(found.messages[0], { conversation: { name: 'general' }, author: { handle: 'ann' } })
  t.ok(found.messages[0]!.snippet.includes('\u0002deployment\u0003'), 'the snippet marks the hit')
  t.notOk(found.local)
  t.same(Object.keys(found).filter((k) => ['messages', 'files', 'people', 'channels'].includes(k)).sort(), ['channels', 'files', 'messages', 'people'])

  const annSees = await ann.json<SearchResults>(['search', 'deployment', '--type', 'messages'])
  t.equal(annSees.messages.length, 2, 'a member finds both')
  const fromBob = await ann.json<SearchResults>(['search', 'from:@bob', '--limit', '5'])
  t.same(fromBob.messages.map((m) => m.text), ['lunch at noon'])
  const people = await ann.json<SearchResults>(['search', 'bob', '--type', 'people'])
  t.same(people.people.map((p) => p.handle), ['bob'])

  const human = await bob.run(['search', 'billing'])
  t.equal(human.code, 0)
  t.match(human.stdout, /#general\/\d+ .*@ann: .*\[billing\]/, 'snippets highlighted (brackets when piped)')
  t.equal((await bob.run(['search', 'x', '--type', 'nonsense'])).code, 2, 'a bad --type is a usage error')

  // Offline: bob's daemon searches its cache.
  await bob.json(['read', '#general'])
  server.child.kill('SIGKILL')
  await exited(server.child)
  const local = await bob.run(['--json', 'search', 'billing'])
  t.equal(local.code, 0, local.stderr)
  const results = JSON.parse(local.stdout) as SearchResults
  t.equal(results.local, true, 'marked local')
  t.same(results.messages.map((m) => m.text), ['the deployment of the billing service is done'])
  t.match(local.stderr, /unreachable/)
  t.same((JSON.parse((await bob.run(['--json', 'search', 'secret'])).stdout) as SearchResults).messages, [], 'the cache holds nothing private')
})
