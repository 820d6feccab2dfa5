import { OCommsError, limits, type Conversation } from '@ocomms/shared'
import { recordAudit } from '../../audit/record.js'
import {
  assertCanManage,
  assertNotArchived,
  isAdmin,
  mayRead,
  readableConversation,
  workspaceRole,
  type ConversationAccess,
} from '../../access.js'
import { transaction, type Change } from '../../events/transaction.js'
import * as load from '../../queries.js'
import { rooms } from '../../realtime/rooms.js'
import type { HandlersFor } from '../handler.js'

const isChannel = (c: ConversationAccess) => c.kind === 'public' || c.kind === 'private'

/** Adds people to a conversation with the events everyone needs, and moves their sockets in. */
async function addMembers(change: Change, conversationId: string, workspaceId: string, userIds: string[], by: string | null) {
  const added = await change.sql<{ user_id: string }[]>`
    insert into conversation_members (conversation_id, user_id)
    select ${conversationId}::uuid, u from unnest(${userIds}::uuid[]) as u
    on conflict do nothing
    returning user_id`
  for (const { user_id } of added) {
    await change.emit('conversation', conversationId, 'conversation.member_joined', { userId: user_id, by }, { conversationId, workspaceId })
  }
  for (const { user_id } of added) {
    const conversation = await load.conversation(change.sql, user_id, conversationId)
    await change.emit('user', user_id, 'conversation.added', { conversation, by }, { conversationId, workspaceId })
    change.afterCommit(() => change.services.realtime.joinRooms(user_id, [rooms.conversation(conversationId)]))
  }
  return added.length
}

async function removeMember(change: Change, c: ConversationAccess, userId: string, by: string | null, reason: string) {
  const gone = await change.sql`
    delete from conversation_members where conversation_id = ${c.id} and user_id = ${userId} returning user_id`
  if (gone.length === 0) return false
  const extras = { conversationId: c.id, workspaceId: c.workspaceId }
  // The leaver is still in the room when this is published, so their clients see it too.
  await change.emit('conversation', c.id, 'conversation.member_left', { userId, by, reason }, extras)
  await change.emit('user', userId, 'conversation.removed', { conversationId: c.id, by, reason }, extras)
  change.afterCommit(() => change.services.realtime.leaveRooms(userId, [rooms.conversation(c.id)]))
  return true
}

/** The workspace's active members among `userIds`; anyone else is reported as not found. */
async function activeMembers(change: Change, workspaceId: string, userIds: string[]): Promise<void> {
  const found = await change.sql<{ user_id: string }[]>`
    select user_id from workspace_members
     where workspace_id = ${workspaceId} and state = 'active' and user_id = any (${userIds}::uuid[])`
  if (found.length !== new Set(userIds).size) throw new OCommsError('not_found', 'Some of those people are not members of this workspace.')
}

/** Locks the conversation row (and so orders this change among its events) and re-reads access. */
async function lockReadable(change: Change, conversationId: string, userId: string): Promise<ConversationAccess> {
  await change.sql`select 1 from conversations where id = ${conversationId} for update`
  return readableConversation(change.sql, conversationId, userId)
}

export const conversationHandlers: HandlersFor<'conversation'> & HandlersFor<'channel'> & HandlersFor<'dm'> = {
  'channel.create': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      await workspaceRole(change.sql, input.workspaceId, userId)
      const kind = input.private ? 'private' : 'public'
      const [row] = await change.sql<{ id: string }[]>`
        insert into conversations (workspace_id, kind, name, topic, description, created_by)
        values (${input.workspaceId}, ${kind}, ${input.name}, ${input.topic ?? ''}, ${input.description ?? ''}, ${userId})
        on conflict do nothing
        returning id`
      if (!row) throw new OCommsError('conflict', `A channel named #${input.name} already exists.`)
      await addMembers(change, row.id, input.workspaceId, [userId], userId)
      const conversation = await load.conversation(change.sql, userId, row.id)
      if (kind === 'public') {
        // isMember is the creator's view; each receiver knows their own membership.
        const { isMember: _viewerSpecific, ...shared } = conversation
        await change.emit('workspace', input.workspaceId, 'conversation.created', { conversation: shared }, { workspaceId: input.workspaceId, conversationId: row.id })
      }
      return conversation
    })
  },

  'conversation.list': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    await workspaceRole(sql, input.workspaceId, userId)
    const mine = sql`c.id in (select conversation_id from conversation_members where user_id = ${userId})`
    return load.conversations(
      sql,
      userId,
      input.all
        ? sql`c.workspace_id = ${input.workspaceId} and ${mayRead(sql, userId)}`
        : sql`c.workspace_id = ${input.workspaceId} and ${mine}`,
      sql`order by c.kind in ('dm', 'group_dm'), c.name, c.created_at`,
    )
  },

  'channel.find': async (ctx, input) => {
    const { sql } = ctx.services
    const userId = ctx.caller.userId
    await workspaceRole(sql, input.workspaceId, userId)
    const name = input.name.replace(/^#/, '').toLowerCase()
    const [c] = await load.conversations(sql, userId, sql`c.workspace_id = ${input.workspaceId} and c.name = ${name}`)
    if (!c || (c.kind === 'private' && !c.isMember)) throw new OCommsError('not_found', `No channel #${name}.`)
    return c
  },

  'conversation.get': async (ctx, input) => {
    const { sql } = ctx.services
    await readableConversation(sql, input.conversationId, ctx.caller.userId)
    return load.conversation(sql, ctx.caller.userId, input.conversationId)
  },

  'dm.open': async (ctx, input) => {
    const userId = ctx.caller.userId
    const everyone = [...new Set([userId, ...input.userIds])].sort()
    if (everyone.length < 2) throw new OCommsError('invalid_input', 'A DM needs someone other than you.')
    if (everyone.length > limits.groupDmMembers) {
      throw new OCommsError('invalid_input', `A group DM holds at most ${limits.groupDmMembers} people; use a private channel.`)
    }
    const dmKey = everyone.join(',')
    const find = async (sql: Change['sql'] | typeof ctx.services.sql) => {
      const [c] = await load.conversations(sql, userId, sql`c.workspace_id = ${input.workspaceId} and c.dm_key = ${dmKey}`)
      return c
    }
    const existing = await find(ctx.services.sql)
    if (existing) {
      await workspaceRole(ctx.services.sql, input.workspaceId, userId)
      return existing
    }
    return transaction(ctx.services, async (change) => {
      await workspaceRole(change.sql, input.workspaceId, userId)
      await activeMembers(change, input.workspaceId, everyone)
      const kind = everyone.length === 2 ? 'dm' : 'group_dm'
      const [row] = await change.sql<{ id: string }[]>`
        insert into conversations (workspace_id, kind, dm_key, created_by)
        values (${input.workspaceId}, ${kind}, ${dmKey}, ${userId})
        on conflict do nothing returning id`
      // Someone opened the same DM a moment ago: theirs is the one.
      if (!row) return (await find(change.sql))!
      await addMembers(change, row.id, input.workspaceId, everyone, userId)
      return load.conversation(change.sql, userId, row.id)
    })
  },

  'conversation.join': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (c.kind !== 'public') throw new OCommsError('forbidden', 'Only public channels can be joined; ask a member to invite you.')
      assertNotArchived(c)
      await addMembers(change, c.id, c.workspaceId, [userId], userId)
      return load.conversation(change.sql, userId, c.id)
    })
  },

  'conversation.leave': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'Direct messages cannot be left.')
      if (!c.isMember) throw new OCommsError('conflict', `You are not in #${c.name}.`)
      await removeMember(change, c, userId, userId, 'left')
    })
    return { ok: true as const }
  },

  'conversation.invite': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'People cannot be added to a DM; open a group DM instead.')
      if (!c.isMember) throw new OCommsError('forbidden', `Join #${c.name} before inviting people to it.`)
      assertNotArchived(c)
      await activeMembers(change, c.workspaceId, input.userIds)
      await addMembers(change, c.id, c.workspaceId, input.userIds, userId)
      return load.conversation(change.sql, userId, c.id)
    })
  },

  'conversation.kick': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'Nobody can be removed from a DM.')
      if (input.userId === userId) throw new OCommsError('invalid_input', 'To remove yourself, leave the channel.')
      assertCanManage(c, userId)
      if (!(await removeMember(change, c, input.userId, userId, 'kicked'))) {
        throw new OCommsError('not_found', 'That person is not in this channel.')
      }
    })
    return { ok: true as const }
  },

  'conversation.members': async (ctx, input) => {
    const { sql } = ctx.services
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    return ctx.services.attention.presence.decorate(
      await load.members(
        sql,
        sql`wm.workspace_id = ${c.workspaceId} and wm.user_id in (select user_id from conversation_members where conversation_id = ${c.id})`,
      ),
    )
  },

  'conversation.update': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'DMs have no topic, description or name.')
      if (!c.isMember) throw new OCommsError('forbidden', `Join #${c.name} to change it.`)
      assertNotArchived(c)
      if (input.name !== undefined && input.name !== c.name) {
        assertCanManage(c, userId)
        const [clash] = await change.sql`select 1 from conversations where workspace_id = ${c.workspaceId} and name = ${input.name}`
        if (clash) throw new OCommsError('conflict', `A channel named #${input.name} already exists.`)
      }
      await change.sql`
        update conversations
           set topic = coalesce(${input.topic ?? null}, topic),
               description = coalesce(${input.description ?? null}, description),
               name = coalesce(${input.name ?? null}, name)
         where id = ${c.id}`
      return emitConversation(change, c, userId, 'conversation.updated')
    })
  },

  'conversation.archive': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'Only channels can be archived.')
      assertCanManage(c, userId)
      if (c.archived) throw new OCommsError('conflict', `#${c.name} is already archived.`)
      await change.sql`update conversations set archived_at = now() where id = ${c.id}`
      await recordAudit(change.sql, {
        workspaceId: c.workspaceId,
        actorId: userId,
        action: 'conversation.archived',
        target: { type: 'conversation', id: c.id },
        details: { name: c.name },
      })
      return emitConversation(change, c, userId, 'conversation.archived')
    })
  },

  'conversation.unarchive': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await lockReadable(change, input.conversationId, userId)
      if (!isChannel(c)) throw new OCommsError('invalid_input', 'Only channels can be archived.')
      if (!isAdmin(c.role)) throw new OCommsError('forbidden', 'Only workspace admins can unarchive channels.')
      if (!c.archived) throw new OCommsError('conflict', `#${c.name} is not archived.`)
      await change.sql`update conversations set archived_at = null where id = ${c.id}`
      await recordAudit(change.sql, {
        workspaceId: c.workspaceId,
        actorId: userId,
        action: 'conversation.unarchived',
        target: { type: 'conversation', id: c.id },
        details: { name: c.name },
      })
      return emitConversation(change, c, userId, 'conversation.unarchived')
    })
  },
}

/** Publishes a conversation's new state in its own stream and, for public channels, the workspace's. */
async function emitConversation(
  change: Change,
  c: ConversationAccess,
  userId: string,
  type: 'conversation.updated' | 'conversation.archived' | 'conversation.unarchived',
): Promise<Conversation> {
  const conversation = await load.conversation(change.sql, userId, c.id)
  const { isMember: _viewerSpecific, ...shared } = conversation
  const extras = { conversationId: c.id, workspaceId: c.workspaceId }
  await change.emit('conversation', c.id, type, { conversation: shared, by: userId }, extras)
  return conversation
}
