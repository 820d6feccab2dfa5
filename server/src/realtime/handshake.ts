import { mayRead } from '../access.js'
import { hashToken, plausibleToken } from '../auth/tokens.js'
import { liveSession, touchSessions } from '../auth/sessions.js'
import { batcherPer } from '../db/batcher.js'
import type { Caller, Services } from '../services.js'
import { rooms } from './rooms.js'

/** Who opened a socket, and the rooms it joins. */
export interface Handshake {
  caller: Caller
  rooms: string[]
}

interface Row {
  i: string
  id: string
  user_id: string
  stale: boolean
  workspaces: string[]
  conversations: string[]
}

/**
 * Each socket's handshake needs its session and its rooms: the user and session, the active
 * workspaces and the conversations in them the user is in. After a restart or a network blip
 * every client reconnects at once, so the handshakes waiting are answered together, one
 * statement for all of them (see src/db/batcher.ts); a quiet server answers each at once.
 */
const handshakes = batcherPer('handshake', (services: Services) => {
  const { sql } = services
  const together = async (tokens: string[]): Promise<Array<Handshake | null>> => {
    const rows = await sql<Row[]>`
      select x.i, s.id, s.user_id, s.last_used_at < now() - interval '1 minute' as stale,
             array(select wm.workspace_id from workspace_members wm where wm.user_id = s.user_id and wm.state = 'active') as workspaces,
             array(select cm.conversation_id
                     from conversation_members cm
                     join conversations c on c.id = cm.conversation_id
                    where cm.user_id = s.user_id and ${mayRead(sql, sql('s.user_id'))}) as conversations
        from unnest(${tokens.map((t) => hashToken(t).toString('hex'))}::text[]) with ordinality as x(hash, i)
        join sessions s on s.token_hash = decode(x.hash, 'hex') and ${liveSession(sql, services.config.sessions)}`
    touchSessions(sql, rows.filter((r) => r.stale).map((r) => r.id))
    const byIndex = new Map(rows.map((r) => [Number(r.i), r]))
    return tokens.map((_, i) => {
      const row = byIndex.get(i + 1)
      if (!row) return null
      return {
        caller: { userId: row.user_id, sessionId: row.id },
        rooms: [
          rooms.user(row.user_id),
          rooms.session(row.id),
          ...row.workspaces.map(rooms.workspace),
          ...row.conversations.map(rooms.conversation),
        ],
      }
    })
  }
  return { together, lanes: 1, most: 64 }
})

/** The session `token` belongs to and its socket's rooms, or null for no such session. */
export function handshake(services: Services, token: string | null): Promise<Handshake | null> {
  if (!plausibleToken(token)) return Promise.resolve(null)
  return handshakes(services).run(token)
}
