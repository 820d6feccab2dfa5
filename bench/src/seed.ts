import { hashToken, newToken } from '@ocomms/server'
import postgres from 'postgres'
import type { Client } from './protocol.js'

/** How many of everything a run needs; see scales.ts. */
export interface SeedPlan {
  users: number
  p1: { channels: number; members: number }
  p3: { channels: number; members: number }
  /** Small rooms (P10): users [0, channels × members) spread over them. */
  p10: { channels: number; members: number }
  big: number
  /** Mix channels have `mixSize` members; each user is in `mixPerUser` of them. */
  mixSize: number
  mixPerUser: number
  history: number
}

export interface Seeded {
  workspaceId: string
  users: Array<{ id: string; token: string }>
  p1: string[]
  p3: string[]
  p10: string[]
  big: string
  history: string
  mix: string[]
  /** Client descriptions for a scenario: users [0, n) with their conversations. */
  clients(n: number, conversationsOf: (i: number) => string[]): Client[]
}

/**
 * Fills the database with direct SQL (seconds, not the minutes thousands of sign-ups would
 * take): users, one workspace, channels and memberships, and a long history. Session tokens
 * are minted like the server mints them (256-bit random, stored as SHA-256).
 */
export async function seed(url: string, plan: SeedPlan): Promise<Seeded> {
  const sql = postgres(url, { max: 4, onnotice: () => {} })
  try {
    const n = plan.users
    const users = await sql<{ id: string; i: number }[]>`
      insert into users (email, email_normalized, handle, name)
      select 'u' || i || '@bench.test', 'u' || i || '@bench.test', 'u' || i, 'User ' || i
        from generate_series(0, ${n - 1}) i
      returning id, substr(handle, 2)::int as i`
    users.sort((a, b) => a.i - b.i)
    const ids = users.map((u) => u.id)
    const tokens = ids.map(() => newToken())
    await sql`
      insert into sessions (user_id, token_hash, user_agent, ip)
      select u, decode(h, 'hex'), 'ocomms-bench', '127.0.0.1'
        from unnest(${ids}::uuid[], ${tokens.map((t) => hashToken(t).toString('hex'))}::text[]) as s(u, h)`
    const [ws] = await sql<{ id: string }[]>`
      insert into workspaces (slug, name, created_by) values ('bench', 'Bench', ${ids[0]!}) returning id`
    const workspaceId = ws!.id
    await sql`
      insert into workspace_members (workspace_id, user_id, role)
      select ${workspaceId}, u, case when o = 1 then 'owner' else 'member' end
        from unnest(${ids}::uuid[]) with ordinality as x(u, o)`

    const mixCount = Math.ceil((n * plan.mixPerUser) / plan.mixSize)
    const names = [
      ...Array.from({ length: plan.p1.channels }, (_, i) => `p1-${i}`),
      ...Array.from({ length: plan.p3.channels }, (_, i) => `p3-${i}`),
      ...Array.from({ length: plan.p10.channels }, (_, i) => `p10-${i}`),
      'p2-big',
      'p7-history',
      ...Array.from({ length: mixCount }, (_, i) => `mix-${i}`),
    ]
    const convs = await sql<{ id: string; name: string }[]>`
      insert into conversations (workspace_id, kind, name, created_by)
      select ${workspaceId}, 'public', name, ${ids[0]!} from unnest(${names}::text[]) as name
      returning id, name`
    const byName = new Map(convs.map((c) => [c.name, c.id]))
    const list = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => byName.get(`${prefix}-${i}`)!)
    const p1 = list('p1', plan.p1.channels)
    const p3 = list('p3', plan.p3.channels)
    const p10 = list('p10', plan.p10.channels)
    const mix = list('mix', mixCount)
    const big = byName.get('p2-big')!
    const history = byName.get('p7-history')!

    const memberships: Array<[string, string]> = []
    for (let i = 0; i < Math.min(n, plan.p1.channels * plan.p1.members); i++) memberships.push([p1[i % p1.length]!, ids[i]!])
    for (let i = 0; i < Math.min(n, plan.p3.channels * plan.p3.members); i++) memberships.push([p3[i % p3.length]!, ids[i]!])
    for (let i = 0; i < Math.min(n, plan.p10.channels * plan.p10.members); i++) memberships.push([p10[i % p10.length]!, ids[i]!])
    for (let i = 0; i < Math.min(n, plan.big); i++) memberships.push([big, ids[i]!])
    for (let i = 0; i < n; i++) for (const c of mixOf(i, mix, plan.mixPerUser)) memberships.push([c, ids[i]!])
    memberships.push([history, ids[0]!])
    for (let at = 0; at < memberships.length; at += 20_000) {
      const chunk = memberships.slice(at, at + 20_000)
      await sql`
        insert into conversation_members (conversation_id, user_id)
        select * from unnest(${chunk.map((m) => m[0])}::uuid[], ${chunk.map((m) => m[1])}::uuid[])
        on conflict do nothing`
    }

    // A long channel history, with its events so every seq exists in both tables.
    await sql.begin(async (tx) => {
      await tx`
        insert into messages (conversation_id, seq, author_id, client_id, text, created_at)
        select ${history}, s, ${ids[0]!}, 'seed-' || s, 'History message number ' || s || ' with a little text in it',
               now() - make_interval(secs => ${plan.history} - s)
          from generate_series(1, ${plan.history}) s`
      await tx`
        insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data, created_at)
        select 'conversation', m.conversation_id, m.seq, 'message.created', m.conversation_id, ${workspaceId},
               jsonb_build_object('message', jsonb_build_object('id', m.id, 'seq', m.seq, 'text', m.text)), m.created_at
          from messages m where m.conversation_id = ${history}`
      await tx`update conversations set last_seq = ${plan.history} where id = ${history}`
    })
    // Vacuum too: left to autovacuum, the freshly inserted tables would be vacuumed within its
    // first minute, during the first scenarios, and their PostgreSQL CPU would count it.
    await sql`vacuum analyze`

    const all = ids.map((id, i) => ({ id, token: tokens[i]! }))
    return {
      workspaceId,
      users: all,
      p1,
      p3,
      p10,
      big,
      history,
      mix,
      clients: (count, conversationsOf) =>
        all.slice(0, count).map((u, i) => ({ userId: u.id, token: u.token, workspaceId, conversations: conversationsOf(i) })),
    }
  } finally {
    await sql.end()
  }
}

/** The mix channels of user i: spread so channels fill evenly and neighbours share some. */
export function mixOf(i: number, mix: string[], perUser: number): string[] {
  const out = new Set<string>()
  for (let k = 0; k < perUser; k++) out.add(mix[(i + k * Math.max(1, Math.floor(mix.length / perUser))) % mix.length]!)
  return [...out]
}
