import type { Sql, TxSql } from '../db/connect.js'
import type { ServerConfig } from '../config.js'
import type { Caller, Services } from '../services.js'
import { hashToken, newToken, plausibleToken } from './tokens.js'

type AnySql = Sql | TxSql

export async function createSession(
  sql: AnySql,
  userId: string,
  meta: { ip: string; userAgent: string | null },
): Promise<{ token: string; sessionId: string }> {
  const token = newToken()
  const [row] = await sql<{ id: string }[]>`
    insert into sessions (user_id, token_hash, user_agent, ip)
    values (${userId}, ${hashToken(token)}, ${meta.userAgent?.slice(0, 300) ?? null}, ${meta.ip})
    returning id`
  return { token, sessionId: row!.id }
}

/** How long sessions last (docs/configuration.md); 0 turns a limit off. */
export type SessionPolicy = ServerConfig['sessions']

/**
 * SQL condition that session `s` is alive: used within `idleDays` (every use renews it) and
 * signed in less than `maxDays` ago. Every lookup of a session by its token includes it, and
 * `endExpiredSessions` deletes the rest.
 */
export function liveSession(sql: AnySql, policy: SessionPolicy) {
  return sql`(${policy.idleDays}::int = 0 or s.last_used_at > now() - make_interval(days => ${policy.idleDays}::int))
         and (${policy.maxDays}::int = 0 or s.created_at > now() - make_interval(days => ${policy.maxDays}::int))`
}

/** SQL expression: when session `s` ends if not used again (null when it never does). */
export function sessionExpiry(sql: AnySql, policy: SessionPolicy) {
  return sql`least(case when ${policy.idleDays}::int > 0 then s.last_used_at + make_interval(days => ${policy.idleDays}::int) end,
                   case when ${policy.maxDays}::int > 0 then s.created_at + make_interval(days => ${policy.maxDays}::int) end)`
}

/** The session a bearer token belongs to, or null (none, or expired). Marks it used at most once a minute. */
export async function authenticate(sql: Sql, token: string | undefined | null, policy: SessionPolicy): Promise<Caller | null> {
  if (!plausibleToken(token)) return null
  const [row] = await sql<{ id: string; user_id: string; stale: boolean }[]>`
    select s.id, s.user_id, s.last_used_at < now() - interval '1 minute' as stale
      from sessions s where s.token_hash = ${hashToken(token)} and ${liveSession(sql, policy)}`
  if (!row) return null
  if (row.stale) touchSessions(sql, [row.id])
  return { userId: row.user_id, sessionId: row.id }
}

/**
 * Deletes expired sessions and closes their sockets (a socket authenticated once would
 * otherwise outlive its session), and forgets sign-in links a day after they expired.
 * Run every few minutes by each process (see app.ts).
 */
export async function endExpiredSessions(services: Services): Promise<number> {
  const { sql, config } = services
  const ended = await sql<{ id: string }[]>`delete from sessions s where not (${liveSession(sql, config.sessions)}) returning s.id`
  for (const { id } of ended) services.realtime.disconnectSession(id)
  await sql`delete from magic_links where expires_at < now() - interval '1 day'`
  return ended.length
}

/**
 * Ends every sign-in link of a user not used yet: after a password change, a reset or
 * "sign out everywhere", a link mailed before it must not sign anyone in.
 */
export async function endSignInLinks(sql: AnySql, userId: string): Promise<void> {
  await sql`delete from magic_links where user_id = ${userId} and used_at is null`
}

/**
 * Marks sessions used now, in the background: bookkeeping only, not worth a commit on the path
 * of every request or (re)connection.
 */
export function touchSessions(sql: AnySql, ids: string[]): void {
  if (ids.length > 0) sql`update sessions set last_used_at = now() where id = any (${ids}::uuid[])`.execute().catch(() => {})
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match ? match[1]! : null
}
