import t from 'tap'
import type { SearchResults } from '@ocomms/shared'
import { team, type Person } from './helpers/cli.js'
import { killableServer } from './helpers/server-process.js'

t.test('search through the daemon: only what the searcher may read; the cache answers offline, marked local', async (t) => {
  const server = await killableServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]

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
  await server.kill()
  const local = await bob.run(['--json', 'search', 'billing'])
  t.equal(local.code, 0, local.stderr)
  const results = JSON.parse(local.stdout) as SearchResults
  t.equal(results.local, true, 'marked local')
  t.same(results.messages.map((m) => m.text), ['the deployment of the billing service is done'])
  t.match(local.stderr, /unreachable/)
  t.same((JSON.parse((await bob.run(['--json', 'search', 'secret'])).stdout) as SearchResults).messages, [], 'the cache holds nothing private')
})
