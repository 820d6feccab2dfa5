import type { Sql, TxSql } from '../db/connect.js'
import type { Caller } from '../services.js'
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

/** The session a bearer token belongs to, or null. Marks it used at most once a minute. */
export async function authenticate(sql: Sql, token: string | undefined | null): Promise<Caller | null> {
  if (!plausibleToken(token)) return null
  const [row] = await sql<{ id: string; user_id: string; stale: boolean }[]>`
    select id, user_id, last_used_at < now() - interval '1 minute' as stale
      from sessions where token_hash = ${hashToken(token)}`
  if (!row) return null
  if (row.stale) touchSessions(sql, [row.id])
  return { userId: row.user_id, sessionId: row.id }
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
