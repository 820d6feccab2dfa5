import { accessColumns, type AccessRow, type AnySql } from '../access.js'

export interface SendCheck {
  conversationId: string
  userId: string
  clientId: string
}

/** Whether the sender may see the conversation, and the message they already sent with the clientId. */
export type Checked = AccessRow & { sent_id: string | null; sent_in: string | null }

/**
 * The checks a send starts with (may the sender post, did they already send this clientId), for
 * many sends in one statement. Each check answers one row, from index lookups only: its
 * conversation, membership and access are read in a lateral subquery per check, and so is the
 * message already sent with its clientId. Joined to the unnest directly, the statement's cached
 * plan (PostgreSQL plans it once for any number of checks, guessing ten) hashed every active
 * member of the workspace, twice, for each send: a cost that grew with the organisation and was
 * most of the database's work per message at everyday rates. And while `messages` held up to two
 * thousand rows or so (a new server), the plan read the whole table for each send instead of
 * probing its unique index (docs/performance.md). `offset 0` keeps a subquery from being merged back
 * into the join.
 */
export async function checkSends(sql: AnySql, checks: SendCheck[]): Promise<Checked[]> {
  const column = <T>(f: (m: SendCheck) => T) => checks.map(f)
  const rows = await sql<(Checked & { i: string })[]>`
    select x.i, a.*, e.id as sent_id, e.conversation_id as sent_in
      from unnest(${column((k) => k.conversationId)}::uuid[], ${column((k) => k.userId)}::uuid[], ${column((k) => k.clientId)}::text[])
           with ordinality as x(conversation_id, user_id, client_id, i)
      left join lateral (
        select ${accessColumns(sql, sql('x.user_id'))}
          from conversations c
          left join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = x.user_id and wm.state = 'active'
          left join conversation_members cm on cm.conversation_id = c.id and cm.user_id = x.user_id
         where c.id = x.conversation_id
        offset 0
      ) a on true
      left join lateral (
        select e.id, e.conversation_id from messages e where e.author_id = x.user_id and e.client_id = x.client_id
        offset 0
      ) e on true`
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]))
  return checks.map((_, i) => byIndex.get(i + 1)!)
}
