import t from 'tap'
import { send } from './helpers/search.js'
import { startTestServer } from './helpers/server.js'

t.test('search finds words inside web addresses', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await send(alice, general!.id, 'runbook: https://docs.example.com/deploy-guide?step=rollback#kubernetes')
  await send(alice, general!.id, 'pricing at www.acme.io/pricing_plans')
  await send(alice, general!.id, 'nothing linked here')
  const found = async (query: string) => (await alice.call('search', { workspaceId: ws.id, query, type: 'messages' })).messages.map((m) => m.text)
  t.same(await found('deploy'), ['runbook: https://docs.example.com/deploy-guide?step=rollback#kubernetes'], 'a word of the path')
  t.same(await found('rollback'), ['runbook: https://docs.example.com/deploy-guide?step=rollback#kubernetes'], 'of the query')
  t.same(await found('kubernetes'), ['runbook: https://docs.example.com/deploy-guide?step=rollback#kubernetes'], 'of the fragment')
  t.same(await found('plans'), ['pricing at www.acme.io/pricing_plans'], 'of a www address, stemmed like any word')
  t.same(await found('acme'), ['pricing at www.acme.io/pricing_plans'], 'of the host')
  t.same(await found('runbook deploy'), ['runbook: https://docs.example.com/deploy-guide?step=rollback#kubernetes'], 'with words of the text')
})
