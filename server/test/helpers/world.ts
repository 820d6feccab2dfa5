import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { uploadHttp, type Workspace } from '@ocomms/shared'
import postgres from 'postgres'
import type { LiveSocket, TestServer, TestUser } from './server.js'

/**
 * A small workspace with one person in every situation the authorization rules know about,
 * for the authorization matrix (server/test/authorization-matrix.test.ts).
 *
 *  - owner, admin, member: active in workspace `ws`, members of the private channel and the group DM;
 *  - outsider: active in `ws`, in neither the private channel nor the group DM;
 *  - kicked: active in `ws`, was in the private channel and was kicked from it;
 *  - leaver: was in everything, then left the workspace;
 *  - deactivated: was in everything, then was deactivated;
 *  - stranger: owns another workspace and has never been in `ws`.
 * Everyone who was ever in a conversation wrote a message in it, so "my own message" is tried too.
 */
export const people = ['owner', 'admin', 'member', 'outsider', 'kicked', 'leaver', 'deactivated', 'stranger'] as const
export type Person = (typeof people)[number]
/** People who may not touch the private channel or DM (plus anonymous callers). */
export const refusedPeople = ['stranger', 'outsider', 'kicked', 'leaver', 'deactivated'] as const
export type Refused = (typeof refusedPeople)[number] | 'anonymous'
export type Role = 'owner' | 'admin' | 'member'

export type TargetKind = 'private' | 'dm' | 'public'

/** One conversation of the world, with messages to point operations at. */
export interface Target {
  kind: TargetKind
  conversationId: string
  workspaceId: string
  /** The channel name (none for the DM). */
  name: string | null
  /** A thread root written by `member`, with a reply by `admin`. */
  rootId: string
  replyId: string
  rootSeq: number
  /** A message each person who was ever in the conversation wrote there. */
  messageBy: Partial<Record<Person, string>>
  /** A file `member` uploaded there (attached to a message). */
  fileId: string
}

export interface World {
  server: TestServer
  ws: Workspace
  /** The stranger's own workspace. */
  elsewhere: Workspace
  users: Record<Person, TestUser>
  sockets: Record<Person, LiveSocket>
  targets: Record<TargetKind, Target>
  /** The owner's session (others try to revoke it). */
  ownerSessionId: string
  /** A valid, reusable invite code to `ws`. */
  inviteCode: string
  /** The world's database, for snapshots. */
  sql: postgres.Sql
  /** A keyword only the stranger has (nobody else's keyword list may show it). */
  strangerKeyword: string
}

async function say(user: TestUser, conversationId: string, text: string, threadRootId?: string) {
  return user.call('message.send', { conversationId, text, clientId: randomUUID(), ...(threadRootId ? { threadRootId } : {}) })
}

async function target(
  kind: TargetKind,
  conversationId: string,
  name: string | null,
  ws: Workspace,
  users: Record<Person, TestUser>,
  writers: Person[],
  url: string,
): Promise<Target> {
  const root = await say(users.member, conversationId, `root in ${kind}`)
  const reply = await say(users.admin, conversationId, `reply in ${kind}`, root.id)
  const messageBy: Partial<Record<Person, string>> = {}
  for (const p of writers) messageBy[p] = (await say(users[p], conversationId, `${p} wrote this in ${kind}`)).id
  const up = await uploadHttp(url, { conversationId, name: `${kind}-plan.txt`, clientId: randomUUID() }, Buffer.from(`the plan in ${kind}`), { token: users.member.token })
  return { kind, conversationId, workspaceId: ws.id, name, rootId: root.id, replyId: reply.id, rootSeq: root.seq, messageBy, fileId: up.file.id }
}

export async function buildWorld(server: TestServer, t: { teardown(fn: () => unknown): void }): Promise<World> {
  const users = {} as Record<Person, TestUser>
  for (const p of people) users[p] = await server.signup(p)
  const { owner, admin, member, outsider, kicked, leaver, deactivated, stranger } = users
  const ws = await server.workspace(owner, 'Acme')
  await server.join(ws, owner, admin, 'admin')
  for (const p of [member, outsider, kicked, leaver, deactivated]) await server.join(ws, owner, p)
  const elsewhere = await server.workspace(stranger, 'Elsewhere')

  const secret = await owner.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await owner.call('conversation.invite', { conversationId: secret.id, userIds: [admin.id, member.id, kicked.id, leaver.id, deactivated.id] })
  const dm = await owner.call('dm.open', { workspaceId: ws.id, userIds: [admin.id, member.id, leaver.id, deactivated.id] })
  const general = await owner.call('channel.find', { workspaceId: ws.id, name: 'general' })

  const targets: Record<TargetKind, Target> = {
    private: await target('private', secret.id, 'secret', ws, users, ['owner', 'kicked', 'leaver', 'deactivated'], server.url),
    dm: await target('dm', dm.id, null, ws, users, ['owner', 'leaver', 'deactivated'], server.url),
    public: await target('public', general.id, 'general', ws, users, ['owner', 'outsider', 'kicked', 'leaver', 'deactivated'], server.url),
  }

  // Personal things in the private channel and the DM, made while their owners were still in
  // them: once out, none of it may come back to them (mentions, drafts, saved items, preferences).
  const P = targets.private
  await owner.call('pin.add', { messageId: P.rootId })
  await users.member.call('reaction.add', { messageId: P.rootId, emoji: ':tada:' })
  await say(users.member, P.conversationId, 'look at this @kicked @leaver @deactivated')
  for (const p of ['owner', 'admin', 'member', 'kicked', 'leaver', 'deactivated'] as const) {
    await users[p].call('saved.add', { messageId: P.replyId })
    await users[p].call('draft.set', { conversationId: P.conversationId, threadRootId: P.rootId, text: `${p}'s thread draft` })
    await users[p].call('notify.set', { conversationId: P.conversationId, muted: true })
  }
  for (const p of ['leaver', 'deactivated'] as const) {
    await users[p].call('saved.add', { messageId: targets.dm.replyId })
    await users[p].call('draft.set', { conversationId: targets.dm.conversationId, text: `${p}'s DM draft` })
  }
  const strangerKeyword = 'strangersword'
  await stranger.call('keywords.add', { word: strangerKeyword })

  await owner.call('conversation.kick', { conversationId: secret.id, userId: kicked.id })
  await leaver.call('workspace.leave', { workspaceId: ws.id })
  await owner.call('member.deactivate', { workspaceId: ws.id, userId: deactivated.id })

  const ownerSessionId = (await owner.call('auth.me', {})).sessionId
  const inviteCode = (await owner.call('invite.create', { workspaceId: ws.id })).code
  const sockets = {} as Record<Person, LiveSocket>
  for (const p of people) sockets[p] = await server.connect(users[p].token)
  const sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end())
  return { server, ws, elsewhere, users, sockets, targets, ownerSessionId, inviteCode, sql, strangerKeyword }
}

/** How many blobs the server holds on disk (a refused upload must not leave one behind). */
export async function storedBlobs(server: TestServer): Promise<number> {
  const root = join(server.config.dataDir, 'files')
  let count = 0
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(dir, entry.name))
      else count++
    }
  }
  await walk(root)
  return count
}

/**
 * Everything a refused call could have changed: each table's content (sessions only by count:
 * authenticating refreshes last_used_at) and the head of every event stream.
 */
export async function snapshot(sql: postgres.Sql): Promise<Record<string, string>> {
  const tables = await sql<{ tablename: string }[]>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'shift%' order by tablename`
  const parts = tables.map(({ tablename }) =>
    tablename === 'sessions'
      ? `select 'sessions' as name, count(*)::text as value from sessions`
      : `select '${tablename}' as name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as value from "${tablename}" t`,
  )
  const rows = await sql.unsafe<{ name: string; value: string }[]>(parts.join(' union all '))
  return Object.fromEntries(rows.map((r) => [r.name, r.value]))
}
