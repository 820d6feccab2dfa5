import t from 'tap'
import postgres from 'postgres'
import { checkSends } from '../src/messages/send-check.js'
import type { AnySql } from '../src/access.js'
import { startTestServer } from './helpers/server.js'

/**
 * The send check's plan (src/messages/send-check.ts) is made once per connection for any number
 * of checks (`plan_cache_mode = force_generic_plan`, src/db/connect.ts), so it must find each
 * check's rows by index whatever the tables hold. Joined to the unnest directly, `messages` was
 * read whole for every send while it held up to two thousand rows or so (whole at 1,000 and
 * 1,500, probed at 3,000). This explains the statement as the server sends it, with its generic
 * plan, on a database with 1,000 messages.
 */

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  Plans?: PlanNode[]
}
const scans = (n: PlanNode): string[] => [
  ...(n['Node Type'] === 'Seq Scan' && n['Relation Name'] ? [n['Relation Name']] : []),
  ...(n.Plans ?? []).flatMap(scans),
]

t.test('the send check probes indexes, not whole tables, even where messages are few', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice', 'bob')
  const [alice] = people
  const [general] = await alice!.call('conversation.list', { workspaceId: ws.id })
  const admin = postgres(server.databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => admin.end())
  await admin`
    insert into messages (conversation_id, seq, author_id, client_id, text)
    select ${general!.id}, 1000000 + g, ${alice!.user.id}, 'plan-' || g, 'message ' || g from generate_series(1, 1000) g`
  await admin`analyze`

  // The statement and its parameters, as the driver sends them.
  let sent: { text: string; params: unknown[] } | null = null
  const capture = postgres(server.databaseUrl, {
    max: 1,
    onnotice: () => {},
    debug: (_conn: number, text: string, params: unknown[]) => {
      if (text.includes('sent_id')) sent = { text, params }
    },
  })
  t.teardown(() => capture.end())
  const [checked] = await checkSends(capture as unknown as AnySql, [{ conversationId: general!.id, userId: alice!.user.id, clientId: 'plan-7' }])
  t.ok(checked!.sent_id, 'the check finds the message already sent with that clientId')
  t.ok(sent, 'the check statement was seen')

  await admin`set plan_cache_mode = force_generic_plan`
  await admin.unsafe(`prepare send_check as ${sent!.text}`)
  const literal = (v: unknown) => (Array.isArray(v) ? `'{${v.join(',')}}'` : `'${String(v)}'`)
  const [row] = await admin.unsafe(`explain (format json) execute send_check(${sent!.params.map(literal).join(', ')})`)
  const plan = (row!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan
  t.notOk(scans(plan).includes('messages'), `no sequential scan of messages (seq scans: ${scans(plan).join(', ') || 'none'})`)
})
