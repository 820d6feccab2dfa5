import t from 'tap'
import { randomUUID } from 'node:crypto'
import { operations, type OperationName } from '@ocomms/shared'
import { allowedMatrix, refusedMatrix } from './helpers/matrix.js'
import { contentOperations } from './helpers/matrix-split.js'
import { fixtures } from './helpers/operation-fixtures.js'
import { startTestServer } from './helpers/server.js'
import { buildWorld, refusedPeople } from './helpers/world.js'

/**
 * Every operation × REST and socket × every kind of caller who must be refused, then the
 * allowed callers, then what sync and live delivery show each of them. See helpers/world.ts
 * for who is who and helpers/operation-fixtures.ts for how each operation is called. This file
 * runs accounts, workspaces, conversations, messages and sync; authorization-matrix-content
 * the rest (reactions, pins, saved items, files, attention, search) and the file transfers.
 */

const names = (Object.keys(operations) as OperationName[]).filter((n) => !contentOperations(n))

t.test('every operation has exactly one fixture entry, and every entry an operation', async (t) => {
  const missing = Object.keys(operations).filter((n) => !Object.hasOwn(fixtures, n))
  t.same(missing, [], 'add an entry to server/test/helpers/operation-fixtures.ts for each new operation')
  const stale = Object.keys(fixtures).filter((n) => !Object.hasOwn(operations, n))
  t.same(stale, [], 'entries for operations that no longer exist')
})

t.test('authorization matrix', async (t) => {
  const server = await startTestServer(t)
  const w = await buildWorld(server, t)
  const P = w.targets.private.conversationId
  const DM = w.targets.dm.conversationId

  t.match(await server.connectError({}), { code: 'unauthenticated' }, 'an anonymous socket cannot even connect, so it can call nothing')

  await t.test('refused: every operation, both transports, every caller who may not', (t) => refusedMatrix(t, w, names))

  await t.test('sync: unreadable streams come back in gone, with none of their events', async (t) => {
    const GENERAL = w.targets.public.conversationId
    for (const who of refusedPeople) {
      const res = await w.users[who].call('sync', { conversations: { [P]: 0, [DM]: 0, [GENERAL]: 0 }, workspaces: { [w.ws.id]: 0 }, user: 0 })
      const readsPublic = who === 'outsider' || who === 'kicked'
      const gone = readsPublic ? [P, DM] : [P, DM, GENERAL, w.ws.id]
      t.same([...res.gone].sort(), [...gone].sort(), `${who}: gone`)
      t.same(res.conversations.map((s) => s.streamId), readsPublic ? [GENERAL] : [], `${who}: only readable conversation streams`)
      t.same(res.workspaces.map((s) => s.streamId), readsPublic ? [w.ws.id] : [], `${who}: workspace stream`)
      t.notOk(P in res.heads || DM in res.heads, `${who}: no heads of the private channel or DM`)
      const convEvents = [...res.conversations, ...res.workspaces, res.user].flatMap((s) => s.events)
      t.notOk(convEvents.some((e) => e.stream === 'conversation' && (e.streamId === P || e.streamId === DM)), `${who}: no events of their streams`)
      if (who === 'stranger' || who === 'outsider') {
        // They never were in either: nothing they receive may even name them.
        const { gone: _echo, ...rest } = res
        const text = JSON.stringify(rest)
        t.notOk(text.includes(P) || text.includes(DM), `${who}: the answer never mentions the private channel or the DM`)
      }
    }
  })

  await t.test('allowed: owner, admin and member get the right answers', (t) => allowedMatrix(t, w, names))

  await t.test('live delivery: no event of the private channel or DM reaches anyone outside them', async (t) => {
    await w.users.owner.call('message.send', { conversationId: DM, text: 'in the DM', clientId: `dm-${randomUUID()}` })
    await w.users.member.call('message.send', { conversationId: P, text: 'last one', clientId: `last-${randomUUID()}` })
    await w.sockets.member.waitFor((e) => e.type === 'message.created' && e.conversationId === P && (e.data.message as { text: string }).text === 'last one')
    await new Promise((r) => setTimeout(r, 200))
    t.ok(w.sockets.member.events.some((e) => e.conversationId === DM), 'members did receive the DM\'s events (the check below is not vacuous)')
    for (const who of refusedPeople) {
      const seen = w.sockets[who].events
      t.notOk(seen.some((e) => e.conversationId === P || e.conversationId === DM || e.streamId === P || e.streamId === DM), `${who} heard nothing of them`)
      if (who === 'stranger' || who === 'leaver' || who === 'deactivated') {
        t.notOk(seen.some((e) => e.workspaceId === w.ws.id || e.streamId === w.ws.id), `${who} heard nothing of the workspace`)
      }
    }
  })
})
