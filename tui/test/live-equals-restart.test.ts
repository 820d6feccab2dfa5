import t from 'tap'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { startTestServer } from '../../server/test/helpers/server.js'
import { connectDaemon, DaemonClient } from '@ocomms/daemon'
import { builtMain, home, killDaemon, until } from '../../daemon/test/helpers.js'
import { ChatStore } from '../src/state/store.js'
import type { ChatState } from '../src/state/types.js'

/**
 * What the TUI shows after each live event is what it shows when started afresh: first from
 * the daemon's cache, at the end from a cache rebuilt from nothing. The TUI's store applies
 * events with the shared reducer, the same rules the daemon stores them with.
 */

/** What the message pane and the sidebar show, as data. */
function shown(s: ChatState, conversationId: string) {
  return {
    messages: (s.histories[conversationId]?.messages ?? []).map((m) => ({
      id: m.id,
      text: m.text,
      deleted: m.deleted,
      edited: m.editedAt !== null,
      reactions: m.reactions,
      pinned: m.pinned,
      replies: m.replyCount,
      files: m.files.length,
    })),
    conversations: s.conversations
      .filter((c) => c.isMember)
      .map((c) => ({ id: c.id, name: c.name, topic: c.topic, archived: c.archived, memberCount: c.memberCount }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  }
}

async function freshStore(dir: string, conversationId: string) {
  const client = new DaemonClient({ socketPath: join(dir, 'daemon.sock') })
  await client.connect()
  const store = new ChatStore(client, { initialConversationId: conversationId })
  await store.start()
  await until(() => store.getState().histories[conversationId]?.messages !== undefined)
  return { store, close: () => (store.dispose(), client.close()) }
}

t.test('after each event the TUI shows what it shows after a restart', async (t) => {
  const server = await startTestServer(t)
  const dir = await home(t)
  const daemon = await connectDaemon({ home: dir, main: builtMain })
  t.teardown(() => daemon.close())
  await daemon.request('profile.signup', {
    server: server.url,
    email: 'bob@example.test',
    name: 'Bob',
    handle: 'bob',
    password: 'correct horse battery staple',
    createWorkspace: 'Acme',
  })
  const alice = await server.signup('alice')
  const invite = (await daemon.request('call', { operation: 'invite.create', input: {} })) as { code: string }
  await alice.call('invite.accept', { code: invite.code })
  const general = await daemon.request('resolve.target', { target: '#general' })

  const live = await freshStore(dir, general.id)
  t.teardown(live.close)
  const send = (text: string, extra: { threadRootId?: string } = {}) => alice.call('message.send', { conversationId: general.id, text, clientId: randomUUID(), ...extra })
  const m = await send('hello @bob')
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['a reply', () => send('a reply', { threadRootId: m.id })],
    ['bob reacts', () => daemon.request('call', { operation: 'reaction.add', input: { messageId: m.id, emoji: ':+1:' } })],
    ['alice reacts', () => alice.call('reaction.add', { messageId: m.id, emoji: '👍' })],
    ['bob takes his back', () => daemon.request('call', { operation: 'reaction.remove', input: { messageId: m.id, emoji: ':+1:' } })],
    ['an edit', () => alice.call('message.edit', { messageId: m.id, text: 'hello again' })],
    ['a pin', () => alice.call('pin.add', { messageId: m.id })],
    ['a topic', () => alice.call('conversation.update', { conversationId: general.id, topic: 'ops talk' })],
    ['an unpin', () => alice.call('pin.remove', { messageId: m.id })],
    ['a deletion', () => alice.call('message.delete', { messageId: m.id })],
  ]
  for (const [label, run] of steps) {
    await run()
    const fresh = await freshStore(dir, general.id)
    // The live view has the event once the daemon has published it.
    let ok = false
    for (let i = 0; i < 100 && !ok; i++) {
      ok = JSON.stringify(shown(live.store.getState(), general.id)) === JSON.stringify(shown(fresh.store.getState(), general.id))
      if (!ok) await new Promise((r) => setTimeout(r, 30))
    }
    t.same(shown(live.store.getState(), general.id), shown(fresh.store.getState(), general.id), `${label}: live equals a fresh start`)
    fresh.close()
  }

  // A restart from a cache rebuilt from nothing shows the same.
  const before = shown(live.store.getState(), general.id)
  live.close()
  daemon.close()
  await killDaemon(dir)
  for (const f of ['default.sqlite', 'default.sqlite-wal', 'default.sqlite-shm']) await rm(join(dir, 'cache', f), { force: true })
  ;(await connectDaemon({ home: dir, main: builtMain })).close()
  const rebuilt = await freshStore(dir, general.id)
  t.teardown(rebuilt.close)
  await until(() => rebuilt.store.getState().histories[general.id]?.messages.length)
  t.same(shown(rebuilt.store.getState(), general.id), before, 'after a restart from a fresh cache')
})
