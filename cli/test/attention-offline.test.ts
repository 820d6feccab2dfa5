import t from 'tap'
import { person, signup, until } from './helpers/cli.js'
import { killableServer } from './helpers/server-process.js'

process.env.OCOMMS_NOTIFY = 'off'

t.test('a draft written while the server is down is kept and written through on reconnect', async (t) => {
  const server = await killableServer(t)
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  await ann.json(['draft', '#general', 'first version'])

  await server.kill()
  const res = await ann.run(['--json', 'draft', '#general', 'written offline'])
  t.equal(res.code, 0, 'accepted while the server is down')
  t.match(JSON.parse(res.stdout), { queued: true, draft: null })
  t.match(res.stderr, /queued/)

  await server.restart()
  const drafts = await until(async () => {
    try {
      const list = await ann.call('draft.list', {})
      return list.some((d) => d.text === 'written offline') ? list : null
    } catch {
      return null
    }
  }, 60_000)
  t.same(drafts.map((d) => d.text), ['written offline'], 'the offline text replaced the earlier draft on the server')
})
