import t from 'tap'
import { startTeam } from './helpers/team.js'

t.test('audit log: admin actions are recorded, owners read them, nobody else does', async (t) => {
  const { ws, alice, bob, carol, eve } = await startTeam(t)
  const before = await alice.call('audit.list', { workspaceId: ws.id })
  t.same(before, [], 'a new workspace has an empty log')

  await alice.call('member.setRole', { workspaceId: ws.id, userId: bob.id, role: 'admin' })
  await alice.call('member.setRole', { workspaceId: ws.id, userId: bob.id, role: 'admin' })
  await bob.call('member.deactivate', { workspaceId: ws.id, userId: carol.id })
  await alice.call('member.reactivate', { workspaceId: ws.id, userId: carol.id })
  const ops = await alice.call('channel.create', { workspaceId: ws.id, name: 'ops' })
  await alice.call('conversation.archive', { conversationId: ops.id })
  await alice.call('sso.settings.update', { workspaceId: ws.id, allowedDomains: ['example.test'] })
  // A refused change records nothing.
  await t.rejects(carol.call('member.setRole', { workspaceId: ws.id, userId: carol.id, role: 'owner' }), { code: 'forbidden' })

  const log = await alice.call('audit.list', { workspaceId: ws.id })
  t.same(
    log.map((e) => e.action),
    ['sso.changed', 'conversation.archived', 'member.reactivated', 'member.deactivated', 'member.role_changed'],
    'newest first; setting the same role again is no change',
  )
  t.match(log[4], { actor: { id: alice.id, handle: 'alice' }, targetType: 'member', targetId: bob.id, details: { from: 'member', to: 'admin' } })
  t.match(log[3], { actor: { handle: 'bob' }, targetId: carol.id })
  t.match(log[1], { targetType: 'conversation', targetId: ops.id, details: { name: 'ops' } })
  t.match(log[0], { details: { change: /allowedDomains/ } })
  t.ok(log.every((e, i) => i === 0 || BigInt(e.id) < BigInt(log[i - 1]!.id)), 'ids decrease')

  const page = await alice.call('audit.list', { workspaceId: ws.id, limit: 2 })
  t.equal(page.length, 2)
  const rest = await alice.call('audit.list', { workspaceId: ws.id, before: page[1]!.id })
  t.same(rest.map((e) => e.id), log.slice(2).map((e) => e.id), 'pages back with before')
  t.same((await alice.call('audit.list', { workspaceId: ws.id, action: 'member.deactivated' })).map((e) => e.action), ['member.deactivated'])

  await t.rejects(bob.call('audit.list', { workspaceId: ws.id }), { code: 'forbidden' }, 'an admin is refused')
  await t.rejects(carol.call('audit.list', { workspaceId: ws.id }), { code: 'forbidden' }, 'a member is refused')
  await t.rejects(eve.call('audit.list', { workspaceId: ws.id }), { code: 'not_found' }, 'another workspace\'s owner does not see it')
  await t.rejects(alice.call('audit.list', { workspaceId: ws.id, limit: 0 }), { code: 'invalid_input' })
})
