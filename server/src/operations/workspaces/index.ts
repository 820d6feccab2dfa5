import { OCommsError, type Role } from '@ocomms/shared'
import { isAdmin, workspaceRole } from '../../access.js'
import { recordAudit } from '../../audit/record.js'
import { hashToken, newInviteCode } from '../../auth/tokens.js'
import { transaction, type Change } from '../../events/transaction.js'
import * as load from '../../queries.js'
import { workspaceOut, type WorkspaceRow } from '../../serialize.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'
import { acceptInvite, activeOwners, deactivateMember, joinDefaultChannels, leaveAllChannels, reactivateMember, target } from '../../workspaces/membership.js'

const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 }

function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
  return slug || 'workspace'
}

async function workspaceFor(sql: Change['sql'] | AuthedContext['services']['sql'], workspaceId: string, userId: string) {
  const [row] = await sql<WorkspaceRow[]>`
    select w.id, w.slug, w.name, wm.role, w.created_at, w.last_seq
      from workspaces w join workspace_members wm on wm.workspace_id = w.id and wm.user_id = ${userId} and wm.state = 'active'
     where w.id = ${workspaceId}`
  if (!row) throw new OCommsError('not_found', 'No such workspace.')
  return workspaceOut(row)
}

export const workspaceHandlers: HandlersFor<'workspace'> & HandlersFor<'invite'> & HandlersFor<'member'> = {
  'workspace.create': async (ctx, input) => {
    const userId = ctx.caller.userId
    const base = input.slug ?? slugify(input.name)
    return transaction(ctx.services, async (change) => {
      // A chosen slug must be free; a derived one gets a suffix until it is.
      let slug = base
      for (let i = 2; ; i++) {
        const [taken] = await change.sql`select 1 from workspaces where slug = ${slug}`
        if (!taken) break
        if (input.slug) throw new OCommsError('conflict', `The workspace address "${slug}" is taken.`)
        slug = `${base}-${i}`
      }
      const [ws] = await change.sql<{ id: string }[]>`
        insert into workspaces (slug, name, created_by) values (${slug}, ${input.name.trim()}, ${userId}) returning id`
      const workspaceId = ws!.id
      await change.sql`insert into workspace_members (workspace_id, user_id, role) values (${workspaceId}, ${userId}, 'owner')`
      await change.sql`
        insert into conversations (workspace_id, kind, name, description, created_by)
        values (${workspaceId}, 'public', 'general', 'Everyone in the workspace.', ${userId})`
      await joinDefaultChannels(change, workspaceId, userId)
      return workspaceFor(change.sql, workspaceId, userId)
    })
  },

  'workspace.list': async (ctx) => {
    const rows = await ctx.services.sql<WorkspaceRow[]>`
      select w.id, w.slug, w.name, wm.role, w.created_at, w.last_seq
        from workspace_members wm join workspaces w on w.id = wm.workspace_id
       where wm.user_id = ${ctx.caller.userId} and wm.state = 'active' order by w.name`
    return rows.map(workspaceOut)
  },

  'workspace.get': async (ctx, input) => workspaceFor(ctx.services.sql, input.workspaceId, ctx.caller.userId),

  'workspace.leave': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      const me = await target(change, input.workspaceId, userId)
      if (me.state !== 'active') throw new OCommsError('not_found', 'No such workspace.')
      if (me.role === 'owner' && (await activeOwners(change, input.workspaceId)) === 1) {
        throw new OCommsError('conflict', 'You are the last owner: make someone else an owner before you leave.')
      }
      await change.sql`
        update workspace_members set state = 'left', updated_at = now()
         where workspace_id = ${input.workspaceId} and user_id = ${userId}`
      await leaveAllChannels(change, input.workspaceId, userId, 'left_workspace')
      await change.emit('workspace', input.workspaceId, 'member.left', { userId, state: 'left' }, { workspaceId: input.workspaceId })
    })
    return { ok: true as const }
  },

  'invite.create': async (ctx, input) => {
    const { sql, config } = ctx.services
    const myRole = await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    const role = input.role ?? 'member'
    if (!isAdmin(myRole)) throw new OCommsError('forbidden', 'Only workspace admins and owners can invite people.')
    if (role === 'owner' && myRole !== 'owner') throw new OCommsError('forbidden', 'Only owners can invite owners.')
    const code = newInviteCode()
    const hours = input.expiresInHours ?? 24 * 7
    const [row] = await sql<{ expires_at: Date }[]>`
      insert into invites (workspace_id, code_hash, role, email_normalized, created_by, expires_at, max_uses)
      values (${input.workspaceId}, ${hashToken(code)}, ${role}, ${input.email?.toLowerCase() ?? null}, ${ctx.caller.userId},
              now() + make_interval(hours => ${hours}), ${input.maxUses ?? null})
      returning expires_at`
    return {
      code,
      link: `${config.publicUrl}/invite#code=${code}`,
      role,
      email: input.email ?? null,
      expiresAt: row!.expires_at.toISOString(),
      maxUses: input.maxUses ?? null,
    }
  },

  'invite.accept': async (ctx, input) => {
    const userId = ctx.caller.userId
    const workspaceId = await transaction(ctx.services, (change) => acceptInvite(change, userId, input.code))
    return workspaceFor(ctx.services.sql, workspaceId, userId)
  },

  'member.list': async (ctx, input) => {
    const { sql } = ctx.services
    await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    return ctx.services.attention.presence.decorate(
      await load.members(
        sql,
        input.includeInactive
          ? sql`wm.workspace_id = ${input.workspaceId}`
          : sql`wm.workspace_id = ${input.workspaceId} and wm.state = 'active'`,
      ),
    )
  },

  'member.get': async (ctx, input) => {
    const { sql } = ctx.services
    await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    const ref = input.member.replace(/^@/, '').toLowerCase()
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ref)
    const [m] = await load.members(
      sql,
      isId
        ? sql`wm.workspace_id = ${input.workspaceId} and u.id = ${ref}`
        : sql`wm.workspace_id = ${input.workspaceId} and u.handle = ${ref}`,
    )
    if (!m) throw new OCommsError('not_found', `No member ${input.member} in this workspace.`)
    const [withPresence] = await ctx.services.attention.presence.decorate([m])
    return withPresence!
  },

  'member.setRole': async (ctx, input) => {
    return transaction(ctx.services, async (change) => {
      const myRole = await workspaceRole(change.sql, input.workspaceId, ctx.caller.userId)
      const them = await target(change, input.workspaceId, input.userId)
      if (them.state !== 'active') throw new OCommsError('conflict', 'That member is not active.')
      if (!isAdmin(myRole)) throw new OCommsError('forbidden', 'Only workspace admins and owners can change roles.')
      // Only owners make owners or touch an owner's role.
      if ((input.role === 'owner' || them.role === 'owner') && myRole !== 'owner') {
        throw new OCommsError('forbidden', 'Only owners can make or unmake owners.')
      }
      if (them.role === 'owner' && input.role !== 'owner' && (await activeOwners(change, input.workspaceId)) === 1) {
        throw new OCommsError('conflict', 'The last owner cannot be demoted: make someone else an owner first.')
      }
      if (them.role !== input.role) {
        await change.sql`
          update workspace_members set role = ${input.role}, updated_at = now()
           where workspace_id = ${input.workspaceId} and user_id = ${input.userId}`
        const member = await load.member(change.sql, input.workspaceId, input.userId)
        await change.emit('workspace', input.workspaceId, 'member.updated', { member }, { workspaceId: input.workspaceId })
        await recordAudit(change.sql, {
          workspaceId: input.workspaceId,
          actorId: ctx.caller.userId,
          action: 'member.role_changed',
          target: { type: 'member', id: input.userId },
          details: { from: them.role, to: input.role },
        })
      }
      return load.member(change.sql, input.workspaceId, input.userId)
    })
  },

  'member.deactivate': async (ctx, input) => {
    const member = await transaction(ctx.services, async (change) => {
      const myRole = await workspaceRole(change.sql, input.workspaceId, ctx.caller.userId)
      if (!isAdmin(myRole)) throw new OCommsError('forbidden', 'Only workspace admins and owners can deactivate members.')
      if (input.userId === ctx.caller.userId) throw new OCommsError('invalid_input', 'You cannot deactivate yourself; leave the workspace instead.')
      const them = await target(change, input.workspaceId, input.userId)
      if (rank[them.role] > rank[myRole]) throw new OCommsError('forbidden', 'Only owners can deactivate owners.')
      const member = await deactivateMember(change, input.workspaceId, input.userId)
      await recordAudit(change.sql, { workspaceId: input.workspaceId, actorId: ctx.caller.userId, action: 'member.deactivated', target: { type: 'member', id: input.userId } })
      return member
    })
    return member
  },

  'member.reactivate': async (ctx, input) => {
    return transaction(ctx.services, async (change) => {
      const myRole = await workspaceRole(change.sql, input.workspaceId, ctx.caller.userId)
      if (!isAdmin(myRole)) throw new OCommsError('forbidden', 'Only workspace admins and owners can reactivate members.')
      const them = await target(change, input.workspaceId, input.userId)
      if (them.state !== 'deactivated') throw new OCommsError('conflict', 'That member is not deactivated.')
      if (rank[them.role] > rank[myRole]) throw new OCommsError('forbidden', 'Only owners can reactivate owners.')
      const member = await reactivateMember(change, input.workspaceId, input.userId)
      await recordAudit(change.sql, { workspaceId: input.workspaceId, actorId: ctx.caller.userId, action: 'member.reactivated', target: { type: 'member', id: input.userId } })
      return member
    })
  },
}
