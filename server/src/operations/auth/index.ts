import { displayNameProblem, normalizeDisplayName, OCommsError, reservedHandles } from '@ocomms/shared'
import { hashPassword, verifyPassword } from '../../auth/passwords.js'
import { createSession, endSignInLinks, liveSession, sessionExpiry } from '../../auth/sessions.js'
import { checkPasswordStrength } from '../../auth/strength.js'
import { hashToken, newToken } from '../../auth/tokens.js'
import { transaction } from '../../events/transaction.js'
import * as load from '../../queries.js'
import { userOut, workspaceOut, type UserRow, type WorkspaceRow } from '../../serialize.js'
import { refuseWhenSsoRequired } from '../../sso/require-sso.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'
import { acceptInvite } from '../../workspaces/membership.js'

const MAGIC_LINK_MINUTES = 15

const normalizeEmail = (email: string) => email.trim().toLowerCase()

/** The display name as stored, or invalid_input saying which character is not allowed (see shared/src/display-name.ts). */
function displayName(name: string): string {
  const problem = displayNameProblem(name)
  if (problem) throw new OCommsError('invalid_input', problem)
  return normalizeDisplayName(name)
}

async function userById(ctx: AuthedContext, id: string) {
  const [row] = await ctx.services.sql<UserRow[]>`select id, email, handle, name, created_at from users where id = ${id}`
  if (!row) throw new OCommsError('unauthenticated')
  return row
}

export const authHandlers: HandlersFor<'auth'> = {
  'auth.signup': async (ctx, input) => {
    const { throttle } = ctx.services
    if (reservedHandles.includes(input.handle)) {
      throw new OCommsError('invalid_input', `@${input.handle} is reserved: it mentions a group of people. Choose another handle.`)
    }
    const name = displayName(input.name)
    await throttle.signup(ctx.ip)
    await checkPasswordStrength(input.password, [input.email, input.handle, name])
    const passwordHash = await hashPassword(input.password)
    const email = input.email.trim()
    try {
      // One transaction: with an invite that cannot be used, no account is left behind.
      return await transaction(ctx.services, async (change) => {
        const [user] = await change.sql<UserRow[]>`
          insert into users (email, email_normalized, handle, name, password_hash)
          values (${email}, ${normalizeEmail(email)}, ${input.handle}, ${name}, ${passwordHash})
          returning id, email, handle, name, created_at`
        const workspaceId = input.invite === undefined ? undefined : await acceptInvite(change, user!.id, input.invite)
        const session = await createSession(change.sql as never, user!.id, ctx)
        return { ...session, user: userOut(user!), ...(workspaceId ? { workspaceId } : {}) }
      })
    } catch (err) {
      const e = err as { code?: string; constraint_name?: string }
      if (e.code === '23505') {
        throw new OCommsError(
          'conflict',
          e.constraint_name?.includes('handle') ? `The handle @${input.handle} is taken.` : 'That email is already registered.',
        )
      }
      throw err
    }
  },

  'auth.login': async (ctx, input) => {
    const { sql, throttle } = ctx.services
    const email = normalizeEmail(input.email)
    const attempt = await throttle.reserveLogin(email, ctx.ip)
    const [user] = await sql<(UserRow & { password_hash: string | null })[]>`
      select id, email, handle, name, created_at, password_hash from users where email_normalized = ${email}`
    const ok = await verifyPassword(user?.password_hash ?? null, input.password)
    if (!user || !ok) throw new OCommsError('unauthenticated', 'Wrong email or password.')
    // The password was right: the attempt is given back, even if SSO now refuses the sign-in.
    await attempt.succeeded()
    await refuseWhenSsoRequired(sql, ctx.services.config, user.id)
    const session = await createSession(sql, user.id, ctx)
    return { ...session, user: userOut(user) }
  },

  'auth.magicLink.request': async (ctx, input) => {
    const { sql, throttle, mailer, config, log } = ctx.services
    const email = normalizeEmail(input.email)
    await throttle.magicLink(email, ctx.ip)
    // The answer and its timing must not tell whether the address has an account:
    // the lookup and the mail happen after the reply.
    setImmediate(() => {
      void (async () => {
        const [user] = await sql<{ id: string; email: string }[]>`select id, email from users where email_normalized = ${email}`
        if (!user) return
        const token = newToken()
        await sql`
          insert into magic_links (token_hash, user_id, expires_at)
          values (${hashToken(token)}, ${user.id}, now() + make_interval(mins => ${MAGIC_LINK_MINUTES}))`
        const link = `${config.publicUrl}/magic-link#token=${token}`
        await mailer.send({
          to: user.email,
          subject: 'Your OComms sign-in link',
          text:
            `Sign in to OComms with this link (it works once, for ${MAGIC_LINK_MINUTES} minutes):\n\n${link}\n\n` +
            `From a terminal: ocomms login --link '${link}'\n\nIf you did not ask for it, ignore this mail.`,
        })
      })().catch((err: unknown) => log.error({ err }, 'magic link could not be sent'))
    })
    return { ok: true as const }
  },

  'auth.magicLink.consume': async (ctx, input) => {
    const { sql } = ctx.services
    return sql.begin(async (tx) => {
      // One statement marks the link used, so two concurrent consumers cannot both win.
      const [link] = await tx<{ user_id: string }[]>`
        update magic_links set used_at = now()
         where token_hash = ${hashToken(input.token)} and used_at is null and expires_at > now()
         returning user_id`
      if (!link) throw new OCommsError('unauthenticated', 'This sign-in link is invalid, already used or expired.')
      await refuseWhenSsoRequired(tx, ctx.services.config, link.user_id)
      const [user] = await tx<UserRow[]>`select id, email, handle, name, created_at from users where id = ${link.user_id}`
      const session = await createSession(tx as never, link.user_id, ctx)
      return { ...session, user: userOut(user!) }
    })
  },

  'auth.logout': async (ctx) => {
    await ctx.services.sql`delete from sessions where id = ${ctx.caller.sessionId}`
    ctx.services.realtime.disconnectSession(ctx.caller.sessionId)
    return { ok: true as const }
  },

  'auth.me': async (ctx) => {
    const { sql } = ctx.services
    const user = await userById(ctx, ctx.caller.userId)
    const workspaces = await sql<WorkspaceRow[]>`
      select w.id, w.slug, w.name, wm.role, w.created_at, w.last_seq
        from workspace_members wm join workspaces w on w.id = wm.workspace_id
       where wm.user_id = ${ctx.caller.userId} and wm.state = 'active' order by w.name`
    return { user: userOut(user), sessionId: ctx.caller.sessionId, workspaces: workspaces.map(workspaceOut) }
  },

  'auth.sessions.list': async (ctx) => {
    const { sql, config } = ctx.services
    const rows = await sql<
      { id: string; created_at: Date; last_used_at: Date; expires_at: Date | null; user_agent: string | null; ip: string | null }[]
    >`select s.id, s.created_at, s.last_used_at, ${sessionExpiry(sql, config.sessions)} as expires_at, s.user_agent, s.ip
        from sessions s where s.user_id = ${ctx.caller.userId} and ${liveSession(sql, config.sessions)} order by s.last_used_at desc`
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.expires_at?.toISOString() ?? null,
      userAgent: r.user_agent,
      ip: r.ip,
      current: r.id === ctx.caller.sessionId,
    }))
  },

  'auth.sessions.revoke': async (ctx, input) => {
    const rows = await ctx.services.sql`
      delete from sessions where id = ${input.sessionId} and user_id = ${ctx.caller.userId} returning id`
    if (rows.length === 0) throw new OCommsError('not_found', 'No such session.')
    ctx.services.realtime.disconnectSession(input.sessionId)
    return { ok: true as const }
  },

  'auth.sessions.revokeAll': async (ctx, input) => {
    const { sql } = ctx.services
    const keep = input.keepCurrent ? ctx.caller.sessionId : null
    const ended = await sql.begin(async (tx) => {
      await endSignInLinks(tx, ctx.caller.userId)
      return tx<{ id: string }[]>`
        delete from sessions where user_id = ${ctx.caller.userId} and id is distinct from ${keep}::uuid returning id`
    })
    for (const { id } of ended) ctx.services.realtime.disconnectSession(id)
    return { ok: true as const, ended: ended.length }
  },

  'auth.profile.update': async (ctx, input) => {
    const name = input.name === undefined ? null : displayName(input.name)
    return transaction(ctx.services, async (change) => {
      const [row] = await change.sql<UserRow[]>`
        update users set name = coalesce(${name}, name) where id = ${ctx.caller.userId}
        returning id, email, handle, name, created_at`
      // Everyone who shares a workspace sees the new name.
      const spaces = await change.sql<{ workspace_id: string }[]>`
        select workspace_id from workspace_members where user_id = ${ctx.caller.userId} and state = 'active'`
      for (const { workspace_id } of spaces) {
        const member = await load.member(change.sql, workspace_id, ctx.caller.userId)
        await change.emit('workspace', workspace_id, 'member.updated', { member }, { workspaceId: workspace_id })
      }
      return userOut(row!)
    })
  },

  'auth.password.change': async (ctx, input) => {
    const { sql, throttle } = ctx.services
    const [row] = await sql<{ password_hash: string | null; email_normalized: string; email: string; handle: string; name: string }[]>`
      select password_hash, email_normalized, email, handle, name from users where id = ${ctx.caller.userId}`
    if (!row) throw new OCommsError('unauthenticated')
    if (row.password_hash) {
      // A stolen session must not become a way around the login throttle: the current
      // password's check spends the same budget as a login.
      const attempt = await throttle.reserveLogin(row.email_normalized, ctx.ip)
      if (!(await verifyPassword(row.password_hash, input.current ?? ''))) throw new OCommsError('forbidden', 'The current password is wrong.')
      await attempt.succeeded()
    }
    await checkPasswordStrength(input.password, [row.email, row.handle, row.name])
    const hash = await hashPassword(input.password)
    const ended = await sql.begin(async (tx) => {
      await tx`update users set password_hash = ${hash} where id = ${ctx.caller.userId}`
      // A link mailed before the change (perhaps to whoever made it necessary) signs nobody in.
      await endSignInLinks(tx, ctx.caller.userId)
      return tx<{ id: string }[]>`
        delete from sessions where user_id = ${ctx.caller.userId} and id <> ${ctx.caller.sessionId} returning id`
    })
    for (const { id } of ended) ctx.services.realtime.disconnectSession(id)
    return { ok: true as const }
  },
}
