import t from 'tap'
import { randomUUID } from 'node:crypto'
import { startTestServer } from './helpers/server.js'
import { send, sleep, team } from './helpers/attention.js'

t.test('mentions are found at send time, stored, listed newest first', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol', 'dave'])
  const [alice, bob, carol, dave] = users as [typeof users[0], typeof users[0], typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })

  // @here reaches only who is online: bob connects, carol and dave do not.
  const bobSocket = await server.connect(bob.token)
  await sleep(150)
  await carol.call('keywords.add', { word: 'Deploy' })

  const m1 = await send(alice, general.id, 'hey @bob, see `@carol` in code')
  const m2 = await send(alice, general.id, '@here standup')
  const m3 = await send(alice, general.id, 'Deploy failed again')
  const m4 = await send(alice, general.id, '@channel release day')

  const bobs = await bob.call('mentions.list', { workspaceId: ws.id })
  t.same(bobs.map((m) => [m.id, m.mention.kind]), [[m4.id, 'channel'], [m2.id, 'here'], [m1.id, 'user']], 'bob: newest first, each with how')
  const carols = await carol.call('mentions.list', { workspaceId: ws.id })
  t.same(carols.map((m) => [m.id, m.mention.kind, m.mention.keyword]), [[m4.id, 'channel', null], [m3.id, 'keyword', 'deploy']], 'carol: keyword, not the code span, not @here while offline')
  t.same((await dave.call('mentions.list', { workspaceId: ws.id })).map((m) => m.id), [m4.id])
  t.same(await alice.call('mentions.list', { workspaceId: ws.id }), [], 'the author is not mentioned by her own @channel')
  t.equal(bobs[0]!.text, '@channel release day', 'items are whole messages')
  t.same((await bob.call('mentions.list', { workspaceId: ws.id, limit: 1, before: bobs[0]!.mention.at })).map((m) => m.id), [m2.id], 'paging with before')

  // Re-evaluated on edit: bob's mention goes, carol's arrives.
  await alice.call('message.edit', { messageId: m1.id, text: 'hey @carol' })
  t.notOk((await bob.call('mentions.list', { workspaceId: ws.id })).some((m) => m.id === m1.id), 'edited away')
  t.ok((await carol.call('mentions.list', { workspaceId: ws.id })).some((m) => m.id === m1.id && m.mention.kind === 'user'), 'edited in')

  // A deleted message mentions nobody any more.
  await alice.call('message.delete', { messageId: m4.id })
  t.notOk((await dave.call('mentions.list', { workspaceId: ws.id })).some((m) => m.id === m4.id), 'deleted')
  bobSocket.close()
})

t.test('only conversations I can still read: a private channel I left drops out', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const m = await send(alice, secret.id, 'psst @bob')
  await send(alice, secret.id, 'and @carol who is not here')
  t.same((await bob.call('mentions.list', { workspaceId: ws.id })).map((x) => x.id), [m.id])
  t.same(await carol.call('mentions.list', { workspaceId: ws.id }), [], 'mentioning a non-member stores nothing for them')
  await bob.call('conversation.leave', { conversationId: secret.id })
  t.same(await bob.call('mentions.list', { workspaceId: ws.id }), [], 'gone once he left')
  await t.rejects(carol.call('mentions.list', { workspaceId: randomUUID() }), { code: 'not_found' }, 'another workspace is not found')
})

t.test('who may use @channel and @here in large channels', async (t) => {
  const server = await startTestServer(t)
  const { ws, users } = await team(server, ['alice', 'bob', 'carol'])
  const [alice, bob, carol] = users as [typeof users[0], typeof users[0], typeof users[0]]
  const general = await alice.call('channel.find', { workspaceId: ws.id, name: 'general' })
  t.same(await bob.call('mentionPolicy.get', { workspaceId: ws.id }), { workspaceId: ws.id, who: 'everyone', minMembers: 6 }, 'the default')
  await t.rejects(bob.call('mentionPolicy.set', { workspaceId: ws.id, who: 'admins' }), { code: 'forbidden' }, 'members cannot change it')
  t.same(await alice.call('mentionPolicy.set', { workspaceId: ws.id, who: 'admins', minMembers: 2 }), { workspaceId: ws.id, who: 'admins', minMembers: 2 })

  const before = await bob.call('message.list', { conversationId: general.id })
  await t.rejects(send(bob, general.id, '@channel look'), { code: 'forbidden', message: /Only workspace admins can use @channel in channels of more than 2 members/ })
  await t.rejects(send(bob, general.id, 'ok @here'), { code: 'forbidden', message: /@here/ })
  t.same(await bob.call('message.list', { conversationId: general.id }), before, 'nothing was stored')
  t.same(await carol.call('mentions.list', { workspaceId: ws.id }), [])
  await send(bob, general.id, 'in code it is fine: `@channel`')

  const small = await bob.call('channel.create', { workspaceId: ws.id, name: 'small' })
  await bob.call('conversation.invite', { conversationId: small.id, userIds: [carol.id] })
  await send(bob, small.id, '@channel two of us is not more than 2')
  t.equal((await carol.call('mentions.list', { workspaceId: ws.id })).length, 1, 'small channels are open to everyone')

  const sent = await send(alice, general.id, '@channel from an admin')
  t.equal((await carol.call('mentions.list', { workspaceId: ws.id }))[0]!.id, sent.id, 'admins may')
  // An edit is held to the same rule.
  const plain = await send(bob, general.id, 'plain')
  await t.rejects(bob.call('message.edit', { messageId: plain.id, text: '@channel sneaky' }), { code: 'forbidden' })
  t.equal((await bob.call('message.get', { messageId: plain.id })).text, 'plain')
})
