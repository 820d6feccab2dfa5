import t from 'tap'
import { operations, type OperationName, type Workspace } from '@ocomms/shared'
import { cacheView, randomUUID, serverView, startObserver, startTestServer, type Observer, type TestServer, type TestUser, type View } from './convergence-world.js'

/**
 * For every operation that changes state: performed by someone (another member, or the
 * observer on another device), the observer's daemon cache, once the events have arrived,
 * equals what a fresh read from the server returns; then the same again with the observer
 * offline while it happens (the events arrive through sync after the reconnect). One entry per
 * operation of the shared registry: a new operation without one fails this test.
 */

interface World {
  server: TestServer
  ws: Workspace
  alice: TestUser
  bob: TestUser
  carol: TestUser
  general: string
  n: number
}

type Entry = { run: (w: World) => Promise<unknown> } | { skip: string }

const send = (w: World, by: TestUser, conversationId: string, text: string, extra: { threadRootId?: string } = {}) =>
  by.call('message.send', { conversationId, text, clientId: randomUUID(), ...extra })
/** A public channel of alice's with bob (and carol, if asked) in it. */
async function channel(w: World, withCarol = false, isPrivate = false) {
  const c = await w.alice.call('channel.create', { workspaceId: w.ws.id, name: `c-${w.n}-${randomUUID().slice(0, 6)}`, ...(isPrivate ? { private: true } : {}) })
  await w.alice.call('conversation.invite', { conversationId: c.id, userIds: withCarol ? [w.bob.id, w.carol.id] : [w.bob.id] })
  return c
}
async function newcomer(w: World) {
  const u = await w.server.signup(`p${w.n}${randomUUID().slice(0, 4)}`)
  await w.server.join(w.ws, w.alice, u)
  return u
}

const notState = 'changes no state a client holds'
const fixtures: Record<OperationName, Entry> = {
  // messages
  'message.send': {
    run: async (w) => {
      const root = await send(w, w.alice, w.general, `hello @${w.bob.handle} and \`@${w.carol.handle}\``)
      await send(w, w.carol, w.general, 'a reply', { threadRootId: root.id })
    },
  },
  'message.edit': { run: async (w) => w.alice.call('message.edit', { messageId: (await send(w, w.alice, w.general, 'typo')).id, text: 'fixed @here' }) },
  'message.delete': {
    run: async (w) => {
      const root = await send(w, w.alice, w.general, 'to go')
      await w.bob.call('reaction.add', { messageId: root.id, emoji: ':+1:' })
      await w.alice.call('pin.add', { messageId: root.id })
      const reply = await send(w, w.carol, w.general, 'reply to go', { threadRootId: root.id })
      await w.carol.call('message.delete', { messageId: reply.id })
      await w.alice.call('message.delete', { messageId: root.id })
    },
  },
  'reaction.add': { run: async (w) => w.alice.call('reaction.add', { messageId: (await send(w, w.alice, w.general, 'react')).id, emoji: ':tada:' }) },
  // The issue's own steps: bob reacts, alice reacts, bob takes his back.
  'reaction.remove': {
    run: async (w) => {
      const m = await send(w, w.alice, w.general, 'vote')
      await w.carol.call('reaction.add', { messageId: m.id, emoji: ':+1:' })
      await w.alice.call('reaction.add', { messageId: m.id, emoji: '👍' })
      await w.carol.call('reaction.remove', { messageId: m.id, emoji: ':+1:' })
    },
  },
  'pin.add': { run: async (w) => w.alice.call('pin.add', { messageId: (await send(w, w.alice, w.general, 'pin me')).id }) },
  'pin.remove': {
    run: async (w) => {
      const m = await send(w, w.alice, w.general, 'pinned a while')
      await w.alice.call('pin.add', { messageId: m.id })
      await w.alice.call('pin.remove', { messageId: m.id })
    },
  },
  'thread.follow': { run: async (w) => w.bob.call('thread.follow', { messageId: (await send(w, w.alice, w.general, 'follow me')).id }) },
  'thread.unfollow': {
    run: async (w) => {
      const m = await send(w, w.bob, w.general, 'mine')
      await send(w, w.alice, w.general, 'reply', { threadRootId: m.id })
      await w.bob.call('thread.unfollow', { messageId: m.id })
    },
  },
  'saved.add': { run: async (w) => w.bob.call('saved.add', { messageId: (await send(w, w.alice, w.general, 'keep')).id }) },
  'saved.remove': {
    run: async (w) => {
      const m = await send(w, w.alice, w.general, 'keep a while')
      await w.bob.call('saved.add', { messageId: m.id })
      await w.bob.call('saved.remove', { messageId: m.id })
    },
  },
  // conversations
  'channel.create': { run: async (w) => w.alice.call('channel.create', { workspaceId: w.ws.id, name: `new-${w.n}-${randomUUID().slice(0, 6)}` }) },
  'conversation.update': { run: async (w) => w.alice.call('conversation.update', { conversationId: w.general, topic: `topic ${w.n}` }) },
  'conversation.archive': { run: async (w) => w.alice.call('conversation.archive', { conversationId: (await channel(w)).id }) },
  'conversation.unarchive': {
    run: async (w) => {
      const c = await channel(w)
      await w.alice.call('conversation.archive', { conversationId: c.id })
      await w.alice.call('conversation.unarchive', { conversationId: c.id })
    },
  },
  'conversation.invite': {
    run: async (w) => {
      const c = await channel(w, false, true)
      await send(w, w.alice, c.id, 'before carol')
      await w.alice.call('conversation.invite', { conversationId: c.id, userIds: [w.carol.id] })
    },
  },
  'conversation.kick': {
    run: async (w) => {
      const c = await channel(w, true, true)
      await w.alice.call('conversation.kick', { conversationId: c.id, userId: w.carol.id })
      await w.alice.call('conversation.kick', { conversationId: c.id, userId: w.bob.id })
    },
  },
  'conversation.join': {
    run: async (w) => {
      const c = await channel(w)
      await w.carol.call('conversation.join', { conversationId: c.id })
      const other = await w.alice.call('channel.create', { workspaceId: w.ws.id, name: `j-${w.n}-${randomUUID().slice(0, 6)}` })
      const old = await send(w, w.alice, other.id, 'history bob has not seen')
      await w.bob.call('conversation.join', { conversationId: other.id })
      // After the join: bob's reply to a message from before it (cached without its root, which
      // a thread read fetches from the server), and a new message.
      await send(w, w.bob, other.id, 'a reply to the old one', { threadRootId: old.id })
      await send(w, w.alice, other.id, 'news since bob joined')
    },
  },
  'conversation.leave': {
    run: async (w) => {
      const c = await channel(w, true)
      await send(w, w.alice, c.id, 'something')
      await w.carol.call('conversation.leave', { conversationId: c.id })
      await w.bob.call('conversation.leave', { conversationId: c.id })
    },
  },
  'dm.open': {
    run: async (w) => {
      const dm = await w.alice.call('dm.open', { workspaceId: w.ws.id, userIds: [w.bob.id, w.carol.id] })
      await send(w, w.alice, dm.id, `hi both ${w.n}`)
    },
  },
  // people and the workspace
  'member.setRole': { run: async (w) => w.alice.call('member.setRole', { workspaceId: w.ws.id, userId: w.carol.id, role: w.n % 2 ? 'admin' : 'member' }) },
  'member.deactivate': { run: async (w) => w.alice.call('member.deactivate', { workspaceId: w.ws.id, userId: (await newcomer(w)).id }) },
  'member.reactivate': {
    run: async (w) => {
      const u = await newcomer(w)
      await w.alice.call('member.deactivate', { workspaceId: w.ws.id, userId: u.id })
      await w.alice.call('member.reactivate', { workspaceId: w.ws.id, userId: u.id })
    },
  },
  'workspace.leave': { run: async (w) => (await newcomer(w)).call('workspace.leave', { workspaceId: w.ws.id }) },
  'invite.accept': { run: async (w) => newcomer(w) },
  'mentionPolicy.set': { run: async (w) => w.alice.call('mentionPolicy.set', { workspaceId: w.ws.id, who: w.n % 2 ? 'admins' : 'everyone', minMembers: w.n }) },
  'auth.profile.update': { run: async (w) => w.carol.call('auth.profile.update', { name: `Carol ${w.n}` }) },
  // the observer's own settings, changed on another device
  'read.mark': { run: async (w) => w.bob.call('read.mark', { conversationId: w.general }) },
  'read.markUnread': { run: async (w) => w.bob.call('read.markUnread', { messageId: (await send(w, w.alice, w.general, 'unread me')).id }) },
  'draft.set': { run: async (w) => w.bob.call('draft.set', { conversationId: w.general, text: `draft ${w.n}` }) },
  'draft.clear': {
    run: async (w) => {
      await w.bob.call('draft.set', { conversationId: w.general, text: 'soon gone' })
      await w.bob.call('draft.clear', { conversationId: w.general })
    },
  },
  'notify.set': { run: async (w) => w.bob.call('notify.set', { conversationId: w.general, muted: w.n % 2 === 1, level: 'mentions' }) },
  'keywords.add': { run: async (w) => w.bob.call('keywords.add', { word: `word${w.n}` }) },
  'keywords.remove': {
    run: async (w) => {
      await w.bob.call('keywords.add', { word: `gone${w.n}` })
      await w.bob.call('keywords.remove', { word: `gone${w.n}` })
    },
  },
  'dnd.snooze': { run: async (w) => w.bob.call('dnd.snooze', { minutes: 30 + w.n }) },
  'dnd.off': {
    run: async (w) => {
      await w.bob.call('dnd.snooze', { minutes: 30 })
      await w.bob.call('dnd.off', {})
    },
  },
  'dnd.schedule': { run: async (w) => w.bob.call('dnd.schedule', { spec: w.n % 2 ? 'mon-fri 09:00-18:00' : null, timeZone: 'Europe/Berlin' }) },
  'status.set': { run: async (w) => w.bob.call('status.set', { text: `busy ${w.n}` }) },
  'status.clear': { run: async (w) => w.bob.call('status.clear', {}) },
  'presence.set': { run: async (w) => w.bob.call('presence.set', { mode: w.n % 2 ? 'away' : 'auto' }) },

  // no state a client holds
  'typing.start': { skip: 'an ephemeral signal, not an event (never replayed by sync)' },
  'typing.stop': { skip: 'an ephemeral signal, not an event (never replayed by sync)' },
  'presence.activity': { skip: 'an ephemeral presence signal' },
  'presence.subscribe': { skip: 'asks for presence signals; ' + notState },
  sync: { skip: 'a read' },
  'invite.create': { skip: 'an invite code is not shown to members; ' + notState },
  'workspace.create': { skip: 'a new workspace holds only its creator; the observer cannot see it' },
  'auth.signup': { skip: 'a new account outside the workspace; ' + notState },
  'auth.login': { skip: 'a new session; ' + notState },
  'auth.logout': { skip: 'ends a session; the signed-out profile is tested in cli/test/sessions.test.ts' },
  'auth.magicLink.request': { skip: 'mails a link; ' + notState },
  'auth.magicLink.consume': { skip: 'a new session; ' + notState },
  'auth.password.change': { skip: 'account security; ' + notState },
  'auth.sessions.revoke': { skip: 'ends a session; the signed-out profile is tested in cli/test/sessions.test.ts' },
  'auth.sessions.revokeAll': { skip: 'ends sessions; the signed-out profile is tested in cli/test/sessions.test.ts' },
  'sso.settings.update': { skip: 'single sign-on configuration (admins only); ' + notState },
  'sso.oidc.connect': { skip: 'single sign-on configuration (admins only); ' + notState },
  'sso.saml.connect': { skip: 'single sign-on configuration (admins only); ' + notState },
  'sso.disconnect': { skip: 'single sign-on configuration (admins only); ' + notState },
  'sso.exchange': { skip: 'a new session; ' + notState },
  'sso.scimToken.create': { skip: 'a provisioning token (admins only); ' + notState },
  'sso.scimToken.revoke': { skip: 'a provisioning token (admins only); ' + notState },
  // The sweep it schedules deletes messages with ordinary message.deleted events, which message.delete covers.
  'retention.set': { run: async (w) => w.alice.call('retention.set', { workspaceId: w.ws.id, messageDays: 3650 + w.n }) },
  'export.start': { skip: 'an export archive for the owner; ' + notState },
} as Record<OperationName, Entry>

/** Operations that only read: nothing to converge. */
const isRead = (name: OperationName) => operations[name].http.method === 'GET'

t.test('every state-changing operation has a convergence fixture', async (t) => {
  for (const name of Object.keys(operations) as OperationName[]) {
    if (isRead(name)) continue
    t.ok(fixtures[name], `${name} has a fixture entry`)
  }
})

/** JSON with keys in order, so equal values compare equal whatever order their keys were written in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  )

async function converged(t: { same(a: unknown, b: unknown, message: string): unknown }, o: Observer, ws: Workspace, label: string) {
  let server: View
  let cache: View
  const deadline = Date.now() + 4_000
  // First, cheaply: every conversation followed up to the server's head.
  for (;;) {
    const heads = (await o.user.call('conversation.list', { workspaceId: ws.id })).filter((c) => c.isMember)
    const cursors = o.session.cache.memberCursors()
    if (heads.every((c) => cursors[c.id] === c.lastSeq) || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 20))
  }
  for (;;) {
    cache = cacheView(o, ws)
    server = await serverView(o, ws, cache.messages)
    if (canonical(server) === canonical(cache) || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 50))
  }
  t.same(JSON.parse(canonical(cache)), JSON.parse(canonical(server)), label)
}

t.test('a channel joined after it had messages: the cache holds what came since, and the comparison still sees a difference there', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('ann', 'ben', 'cat')
  const [ann, ben] = people
  const observer = await startObserver(t, server, ben)
  const side = await ann.call('channel.create', { workspaceId: ws.id, name: 'side' })
  const post = (by: TestUser, text: string, threadRootId?: string) =>
    by.call('message.send', { conversationId: side.id, text, clientId: randomUUID(), ...(threadRootId ? { threadRootId } : {}) })
  const before = await post(ann, 'before the join')
  await ben.call('conversation.join', { conversationId: side.id })
  const reply = await post(ben, 'a reply to it', before.id)
  const news = await post(ann, 'news')
  const cache = observer.session.cache
  const deadline = Date.now() + 4_000
  while ((!cache.message(reply.id) || !cache.message(news.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  t.ok(cache.message(reply.id) && cache.message(news.id), 'what came after the join is cached')
  t.equal(cache.message(before.id), null, 'the root from before the join is not (a thread read asks the server)')
  const compare = async () => canonical(await serverView(observer, ws, cacheView(observer, ws).messages)) === canonical(cacheView(observer, ws))
  t.ok(await compare(), 'the cache equals the server')

  // The comparison must still fail where the cache is wrong.
  cache.db.prepare('delete from messages where id = ?').run(news.id)
  t.notOk(await compare(), 'a message since the join missing from the cache is a difference')
  cache.putMessage(news)
  t.ok(await compare())
  cache.putMessage({ ...reply, text: 'stale' })
  t.notOk(await compare(), 'a stale message since the join is a difference')
  cache.putMessage(reply)
  const root = await ann.call('message.get', { messageId: before.id })
  cache.putMessage({ ...root, replyCount: 0 })
  t.notOk(await compare(), 'a message from before the join, once cached (a thread read), must be current')
  cache.putMessage(root)
  t.ok(await compare(), 'and as the server has it, it is welcome')
})

t.test('the observer\'s cache equals the server after every operation, live and after a reconnect', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob', 'carol')
  const [alice, bob, carol] = people
  const general = (await alice.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!.id
  const observer = await startObserver(t, server, bob)
  const w: World = { server, ws, alice, bob, carol, general, n: 0 }
  for (const [name, entry] of Object.entries(fixtures)) {
    if ('skip' in entry) continue
    if (process.env.CONVERGENCE_ONLY && !process.env.CONVERGENCE_ONLY.split(',').includes(name)) continue
    w.n++
    await entry.run(w)
    await converged(t, observer, ws, `${name}, live`)
    observer.stop()
    w.n++
    await entry.run(w)
    await observer.restart()
    await converged(t, observer, ws, `${name}, after a reconnect`)
  }
  t.same(observer.warnings.filter((l) => l.msg === 'unknown event type: resyncing its stream'), [], 'no event went uninterpreted')
})
