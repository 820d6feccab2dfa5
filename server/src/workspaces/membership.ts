import { OCommsError, type Member, type Role } from '@ocomms/shared'
import { hashToken } from '../auth/tokens.js'
import type { Change } from '../events/transaction.js'
import * as load from '../queries.js'
import { rooms } from '../realtime/rooms.js'

/**
 * Membership of workspaces: joining (by invite, into the default channels), deactivating and
 * reactivating people. Used by the workspace operations, sign-up, single sign-on and SCIM.
 */

/** Adds a user to every channel new members join by default (#general), with its events. */
export async function joinDefaultChannels(change: Change, workspaceId: string, userId: string): Promise<void> {
  const channels = await change.sql<{ id: string }[]>`
    insert into conversation_members (conversation_id, user_id)
    select id, ${userId}::uuid from conversations
     where workspace_id = ${workspaceId} and kind = 'public' and name = 'general' and archived_at is null
    on conflict do nothing
    returning conversation_id as id`
  for (const { id } of channels) {
    await change.emit('conversation', id, 'conversation.member_joined', { userId }, { conversationId: id, workspaceId })
    const conversation = await load.conversation(change.sql, userId, id)
    await change.emit('user', userId, 'conversation.added', { conversation }, { conversationId: id, workspaceId })
  }
  change.afterCommit(() => ctxJoin(change, userId, [rooms.workspace(workspaceId), ...channels.map((c) => rooms.conversation(c.id))]))
}

function ctxJoin(change: Change, userId: string, names: string[]) {
  change.services.realtime.joinRooms(userId, names)
}

/** Loads the target member, refusing quietly for anyone not in the workspace. */
export async function target(change: Change, workspaceId: string, userId: string) {
  const [row] = await change.sql<{ role: Role; state: string }[]>`
    select role, state from workspace_members where workspace_id = ${workspaceId} and user_id = ${userId} for update`
  if (!row) throw new OCommsError('not_found', 'No such member.')
  return row
}

export async function activeOwners(change: Change, workspaceId: string): Promise<number> {
  const [row] = await change.sql<{ n: number }[]>`
    select count(*)::int as n from workspace_members where workspace_id = ${workspaceId} and role = 'owner' and state = 'active'`
  return row!.n
}

/** Takes a member out of the workspace's channels (DMs keep their history), with the events. */
export async function leaveAllChannels(change: Change, workspaceId: string, userId: string, reason: string): Promise<void> {
  const left = await change.sql<{ id: string }[]>`
    delete from conversation_members cm using conversations c
     where c.id = cm.conversation_id and c.workspace_id = ${workspaceId} and cm.user_id = ${userId}
       and c.kind in ('public', 'private')
    returning c.id`
  for (const { id } of left) {
    await change.emit('conversation', id, 'conversation.member_left', { userId, reason }, { conversationId: id, workspaceId })
    await change.emit('user', userId, 'conversation.removed', { conversationId: id, reason }, { conversationId: id, workspaceId })
  }
  change.afterCommit(() =>
    change.services.realtime.leaveRooms(userId, [rooms.workspace(workspaceId), ...left.map((c) => rooms.conversation(c.id))]),
  )
}

/**
 * Deactivates a member (the caller has checked that it may): their access to the workspace ends,
 * and every open socket of theirs closes after the commit (reconnecting ones get only the
 * workspaces they are still active in). The last owner stays. Also used by SCIM deprovisioning.
 */
export async function deactivateMember(change: Change, workspaceId: string, userId: string): Promise<Member> {
  const them = await target(change, workspaceId, userId)
  change.afterCommit(() => change.services.realtime.disconnectUser(userId))
  if (them.state === 'deactivated') return load.member(change.sql, workspaceId, userId)
  if (them.role === 'owner' && (await activeOwners(change, workspaceId)) === 1) {
    throw new OCommsError('conflict', 'The last owner cannot be deactivated.')
  }
  await change.sql`
    update workspace_members set state = 'deactivated', updated_at = now()
     where workspace_id = ${workspaceId} and user_id = ${userId}`
  const member = await load.member(change.sql, workspaceId, userId)
  await change.emit('workspace', workspaceId, 'member.updated', { member }, { workspaceId })
  return member
}

/** Gives a deactivated member access again (the caller has checked that it may). Also used by SCIM. */
export async function reactivateMember(change: Change, workspaceId: string, userId: string): Promise<Member> {
  await change.sql`
    update workspace_members set state = 'active', updated_at = now()
     where workspace_id = ${workspaceId} and user_id = ${userId}`
  const member = await load.member(change.sql, workspaceId, userId)
  await change.emit('workspace', workspaceId, 'member.updated', { member }, { workspaceId })
  // Sockets they have open for other workspaces start receiving this one again.
  const convs = await change.sql<{ id: string }[]>`
    select cm.conversation_id as id from conversation_members cm join conversations c on c.id = cm.conversation_id
     where cm.user_id = ${userId} and c.workspace_id = ${workspaceId}`
  change.afterCommit(() => ctxJoin(change, userId, [rooms.workspace(workspaceId), ...convs.map((c) => rooms.conversation(c.id))]))
  return member
}

/**
 * Makes a user a member by an invite code, inside the caller's transaction (so a sign-up with an
 * invite is all or nothing): the workspace's id, or not_found when the code is not usable.
 */
export async function acceptInvite(change: Change, userId: string, code: string): Promise<string> {
  const [invite] = await change.sql<
    { id: string; workspace_id: string; role: Role; email_normalized: string | null; usable: boolean }[]
  >`
    select id, workspace_id, role, email_normalized,
           expires_at > now() and (max_uses is null or uses < max_uses) as usable
      from invites where code_hash = ${hashToken(code.trim())} for update`
  if (!invite || !invite.usable) throw new OCommsError('not_found', 'This invite code is invalid or has expired.')
  if (invite.email_normalized) {
    const [me] = await change.sql<{ email_normalized: string }[]>`select email_normalized from users where id = ${userId}`
    if (me?.email_normalized !== invite.email_normalized) {
      throw new OCommsError('forbidden', 'This invite is for another email address.')
    }
  }
  const wsId = invite.workspace_id
  const [existing] = await change.sql<{ state: string }[]>`
    select state from workspace_members where workspace_id = ${wsId} and user_id = ${userId} for update`
  if (existing?.state === 'active') throw new OCommsError('conflict', 'You are already a member of this workspace.')
  if (existing?.state === 'deactivated') {
    throw new OCommsError('forbidden', 'Your account was deactivated in this workspace; ask an admin to reactivate it.')
  }
  await change.sql`
    insert into workspace_members (workspace_id, user_id, role) values (${wsId}, ${userId}, ${invite.role})
    on conflict (workspace_id, user_id)
    do update set role = excluded.role, state = 'active', joined_at = now(), updated_at = now()`
  await change.sql`update invites set uses = uses + 1 where id = ${invite.id}`
  const member = await load.member(change.sql, wsId, userId)
  await change.emit('workspace', wsId, 'member.joined', { member }, { workspaceId: wsId })
  await joinDefaultChannels(change, wsId, userId)
  return wsId
}
