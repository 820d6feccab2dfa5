import { OCommsError, reservedHandles } from '@ocomms/shared'
import { hashPassword, verifyPassword } from '../../auth/passwords.js'
import { createSession } from '../../auth/sessions.js'
import { hashToken, newToken } from '../../auth/tokens.js'
import { transaction } from '../../events/transaction.js'
import * as load from '../../queries.js'
import { userOut, workspaceOut, type UserRow, type WorkspaceRow } from '../../serialize.js'
import { refuseWhenSsoRequired } from '../../sso/require-sso.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'

const MAGIC_LINK_MINUTES = 15

const normalizeEmail = (email: string) => email.trim().toLowerCase()

async function userById(ctx: AuthedContext, id: string) {
  const [row] = await ctx.services.sql<UserRow[]>`select id, email, handle, name, created_at from users where id = ${id}`
  if (!row) throw new OCommsError('unauthenticated')
  return row
}

export const authHandlers: HandlersFor<'auth'> = {
  'auth.signup': async (ctx, input) => {
    const { sql, throttle } = ctx.services
    if (reservedHandles.includes(input.handle)) {
      throw new OCommsError('invalid_input', `@${input.handle} is reserved: it mentions a group of people. Choose another handle.`)
    }
    await throttle.signup(ctx.ip)
    const passwordHash = await hashPassword(input.password)
    const email = input.email.trim()
    try {
      return await sql.begin(async (tx) => {
        const [user] = await tx<UserRow[]>`
          insert into users (email, email_normalized, handle, name, password_hash)
          values (${email}, ${normalizeEmail(email)}, ${input.handle}, ${input.name.trim()}, ${passwordHash})
          returning id, email, handle, name, created_at`
        const session = await createSession(tx as never, user!.id, ctx)
        return { ...session, user: userOut(user!) }
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
    await throttle.checkLogin(email, ctx.ip)
    const [user] = await sql<(UserRow & { password_hash: string | null })[]>`
      select id, email, handle, name, created_at, password_hash from users where email_normalized = ${email}`
    const ok = await verifyPassword(user?.password_hash ?? null, input.password)
    if (!user || !ok) {
      await throttle.loginFailed(email, ctx.ip)
      throw new OCommsError('unauthenticated', 'Wrong email or password.')
    }
    await refuseWhenSsoRequired(sql, ctx.services.config, user.id)
    await throttle.loginSucceeded(email)
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
    const rows = await ctx.services.sql<
      { id: string; created_at: Date; last_used_at: Date; user_agent: string | null; ip: string | null }[]
    >`select id, created_at, last_used_at, user_agent, ip from sessions where user_id = ${ctx.caller.userId} order by last_used_at desc`
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
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

  'auth.profile.update': async (ctx, input) => {
    return transaction(ctx.services, async (change) => {
      const [row] = await change.sql<UserRow[]>`
        update users set name = coalesce(${input.name?.trim() ?? null}, name) where id = ${ctx.caller.userId}
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
    const { sql } = ctx.services
    const [row] = await sql<{ password_hash: string | null }[]>`select password_hash from users where id = ${ctx.caller.userId}`
    if (row?.password_hash && !(await verifyPassword(row.password_hash, input.current ?? ''))) {
      throw new OCommsError('forbidden', 'The current password is wrong.')
    }
    const hash = await hashPassword(input.password)
    const ended = await sql.begin(async (tx) => {
      await tx`update users set password_hash = ${hash} where id = ${ctx.caller.userId}`
      return tx<{ id: string }[]>`
        delete from sessions where user_id = ${ctx.caller.userId} and id <> ${ctx.caller.sessionId} returning id`
    })
    for (const { id } of ended) ctx.services.realtime.disconnectSession(id)
    return { ok: true as const }
  },
}
