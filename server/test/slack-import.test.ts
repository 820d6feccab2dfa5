import t from 'tap'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import yazl from 'yazl'
import { importSlack } from '../src/data-transfer/slack/import.js'
import { slackToText } from '../src/data-transfer/slack/mrkdwn.js'
import { startTestServer } from './helpers/server.js'
import { tempDir } from './helpers/temp-dir.js'

type Entries = Record<string, unknown>

async function zipOf(dir: string, name: string, entries: Entries): Promise<string> {
  const zip = new yazl.ZipFile()
  for (const [path, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)), path)
  zip.end()
  const path = join(dir, name)
  const out = createWriteStream(path)
  zip.outputStream.pipe(out)
  await once(out, 'close')
  return path
}

const ts = (n: number) => `17041000${String(n).padStart(2, '0')}.000${String(n).padStart(3, '0')}`

t.test('mrkdwn: Slack tokens become OComms mentions, channels and links; the rest stays', async (t) => {
  const lookup = { handle: (id: string) => ({ U1: 'alice' })[id] ?? null, channel: (id: string) => ({ C2: 'random' })[id] ?? null }
  t.equal(slackToText('hi <@U1> in <#C2|random>, <!here> <!channel> <!everyone>', lookup), 'hi @alice in #random, @here @channel @channel')
  t.equal(slackToText('<https://example.com/a?b=1&amp;c=2|the [docs]> and <https://x.test>', lookup), '[the \\[docs\\]](https://example.com/a?b=1&c=2) and <https://x.test>')
  t.equal(slackToText('&lt;script&gt; &amp;lt; *bold* _it_ ~s~', lookup), '<script> &lt; *bold* _it_ ~s~', 'unescaped once')
  t.equal(slackToText('<@U9|ghost> <!subteam^S1|@team>', lookup), 'ghost @team', 'unknown people and groups become text, not someone else\'s mention')
})

t.test('Slack import: a synthetic export, checked message by message; again adds nothing', async (t) => {
  const server = await startTestServer(t)
  const alice = await server.signup('alice')
  const dir = await tempDir(t, 'ocomms-slack-test-')
  const users = [
    { id: 'U1', name: 'alice.s', is_primary_owner: true, is_owner: true, profile: { email: alice.email.toUpperCase(), real_name: 'Alice A' } },
    { id: 'U2', name: 'bob', profile: { email: 'bob@slack.example', real_name: 'Bob B' } },
    { id: 'U3', name: 'carol', deleted: true, profile: { real_name: 'Carol C' } },
    { id: 'UB', name: 'deploybot', is_bot: true, profile: { bot_id: 'B01', real_name: 'Deploy' } },
  ]
  const channels = [
    { id: 'C1', name: 'general', created: 1704000000, creator: 'U1', members: ['U1', 'U2', 'U3'], topic: { value: 'Company-wide' }, purpose: { value: 'Everything, see <#C2|random>' }, pins: [{ id: ts(10), user: 'U2', created: 1704100500 }] },
    { id: 'C2', name: 'random', created: 1704000000, creator: 'U1', members: ['U1', 'U2'], is_archived: true },
  ]
  const general = [
    { type: 'message', ts: ts(1), user: 'U1', text: 'Hello <!here>, welcome to <#C2|random> &amp; *bold* _it_ ~s~ `code`', thread_ts: ts(1), reply_count: 2,
      reactions: [{ name: '+1', users: ['U2', 'U3'], count: 2 }, { name: 'partyparrot', users: ['U2'], count: 1 }, { name: 'tada::skin-tone-2', users: ['U1'], count: 1 }], edited: { user: 'U1', ts: '1704100100.000000' } },
    { type: 'message', ts: ts(2), user: 'U2', text: 'reply to <@U1>', thread_ts: ts(1) },
    { type: 'message', subtype: 'thread_broadcast', ts: ts(3), user: 'U3', text: 'broadcast', thread_ts: ts(1) },
    { type: 'message', subtype: 'channel_join', ts: ts(4), user: 'U2', text: '<@U2> has joined the channel' },
    { type: 'message', subtype: 'bot_message', ts: ts(5), bot_id: 'B01', username: 'deploybot', text: 'Deployed <https://ci.example/build/1|build 1>' },
    { type: 'message', subtype: 'bot_message', ts: ts(6), bot_id: 'B99', username: 'ci', text: 'a bot nobody listed' },
    { type: 'message', subtype: 'file_share', ts: ts(7), user: 'U2', text: 'the report', files: [{ id: 'F1', name: 'report.pdf', mimetype: 'application/pdf', url_private: 'https://files.slack.com/F1/report.pdf' }] },
    { type: 'message', ts: ts(8), user: 'U1', text: 'emoji 🎉 and &lt;script&gt;alert(1)&lt;/script&gt;\n&gt; quoted\n```\ncode *not bold*\n```' },
    { type: 'message', ts: ts(9), user: 'U2', text: 'orphan reply', thread_ts: '1600000000.000000' },
    { type: 'message', ts: ts(11), user: 'U9', text: 'by a stranger' },
  ]
  const entries: Entries = {
    'users.json': users,
    'channels.json': channels,
    'groups.json': [{ id: 'G1', name: 'secret', created: 1704000000, creator: 'U1', members: ['U1', 'U2'] }],
    'dms.json': [{ id: 'D1', created: 1704000000, members: ['U1', 'U2'] }],
    'mpims.json': [{ id: 'M1', name: 'mpdm-alice--bob--carol-1', created: 1704000000, members: ['U1', 'U2', 'U3'] }],
    'general/2024-01-01.json': general,
    'general/2024-01-02.json': [{ type: 'message', ts: ts(10), user: 'U2', text: 'pinned one' }],
    'random/2024-01-01.json': [{ type: 'message', ts: ts(1), user: 'U1', text: 'old news' }],
    'secret/2024-01-01.json': [{ type: 'message', ts: ts(1), user: 'U2', text: 'the private plan' }],
    'D1/2024-01-01.json': [{ type: 'message', ts: ts(1), user: 'U2', text: 'dm hello' }],
    'mpdm-alice--bob--carol-1/2024-01-01.json': [{ type: 'message', ts: ts(1), user: 'U3', text: 'group hello' }],
  }
  const zip = await zipOf(dir, 'export.zip', entries)
  const options = { databaseUrl: server.databaseUrl, dataDir: server.config.dataDir, zip, workspace: 'from-slack' }
  const summary = await importSlack(options)
  t.match(summary, { workspace: { slug: 'from-slack' }, matchedPeople: 1, added: { members: 5, conversations: 5, messages: 13, reactions: 3, pins: 1 } })
  t.same(summary.skipped, {
    'system messages (channel_join)': 1,
    'reactions with custom emoji': 1,
    'thread replies whose first message is not in the export (imported as ordinary messages)': 1,
    'messages by someone not in users.json': 1,
  }, 'the summary says what was skipped and why')

  const ws = (await alice.call('workspace.list', {})).find((w) => w.slug === 'from-slack')!
  t.equal(ws.role, 'owner', 'alice (matched by email, case-insensitively) is the owner')
  const convs = await alice.call('conversation.list', { workspaceId: ws.id })
  const byName = (n: string) => convs.find((c) => c.name === n)!
  t.match(byName('general'), { kind: 'public', topic: 'Company-wide', description: 'Everything, see #random' })
  t.match(byName('secret'), { kind: 'private' })
  t.ok(convs.some((c) => c.kind === 'dm') && convs.some((c) => c.kind === 'group_dm'), 'the DM and the group DM')
  const { user: mine } = await alice.call('sync', { user: 0 })
  t.ok(mine.events.some((e) => e.type === 'conversation.added' && e.conversationId === byName('general').id), 'alice\'s stream tells her of the new conversations')
  const random = await alice.call('channel.find', { workspaceId: ws.id, name: 'random' })
  t.ok(random.archived, 'an archived channel stays archived')

  const list = await alice.call('message.list', { conversationId: byName('general').id })
  t.same(
    list.map((m) => [m.author.handle, m.text]),
    [
      ['alice', 'Hello @here, welcome to #random & *bold* _it_ ~s~ `code`'],
      ['carol', 'broadcast'],
      ['deploybot', 'Deployed [build 1](https://ci.example/build/1)'],
      ['ci', 'a bot nobody listed'],
      ['bob', 'the report\n📎 [report.pdf](https://files.slack.com/F1/report.pdf)'],
      ['alice', 'emoji 🎉 and <script>alert(1)</script>\n> quoted\n```\ncode *not bold*\n```'],
      ['bob', 'orphan reply'],
      ['bob', 'pinned one'],
    ],
    'top-level messages in order, mrkdwn converted, mentions by handle here (alice\'s own handle), files as links',
  )
  const root = list[0]!
  t.match(root, { replyCount: 2, editedAt: '2024-01-01T09:08:20.000Z' })
  t.same(root.reactions.map((r) => [r.emoji, r.count]).sort(), [['🎉', 1], ['👍', 2]], 'reactions; a custom emoji is skipped')
  const replies = await alice.call('thread.replies', { messageId: root.id })
  t.same(replies.replies.map((m) => m.text), ['reply to @alice', 'broadcast'], 'thread replies, mention by alice\'s handle here')
  t.ok(list.find((m) => m.text === 'pinned one')!.pinned, 'pins')
  const people = await alice.call('member.list', { workspaceId: ws.id, includeInactive: true })
  t.match(people.find((p) => p.handle === 'deploybot'), { name: 'Deploy (bot)' }, 'bots are shown as such')
  t.match(people.find((p) => p.handle === 'carol'), { name: 'Carol C' }, 'a deleted Slack user is kept, deactivated')
  t.notOk(people.some((p) => p.handle === 'carol' && p.role === 'owner'))

  const again = await importSlack(options)
  t.ok(Object.values(again.added).every((n) => n === 0), 'importing the same export again adds nothing')

  // Into an existing workspace: its #general keeps its name; the imported one is renamed, and references follow.
  const home = await server.workspace(alice, 'Home')
  // Alice and bob already have a DM there: the imported one goes into it, after its own history.
  const sql = server.services.sql
  const [bobRow] = await sql<{ id: string }[]>`select id from users where email_normalized = 'bob@slack.example'`
  await sql`insert into workspace_members (workspace_id, user_id, role) values (${home.id}, ${bobRow!.id}, 'member')`
  const [homeDm] = await sql<{ id: string }[]>`
    insert into conversations (workspace_id, kind, dm_key, last_seq) values (${home.id}, 'dm', ${[alice.id, bobRow!.id].sort().join(',')}, 1) returning id`
  await sql`insert into conversation_members (conversation_id, user_id) values (${homeDm!.id}, ${alice.id}), (${homeDm!.id}, ${bobRow!.id})`
  await sql`insert into messages (conversation_id, seq, author_id, text) values (${homeDm!.id}, 1, ${alice.id}, 'our own DM')`
  const into = await importSlack({ ...options, workspace: home.slug })
  t.match(into, { workspace: { id: home.id }, added: { workspace: 0, conversations: 4, messages: 13 } })
  const renamed = await alice.call('channel.find', { workspaceId: home.id, name: 'general-imported' })
  t.equal(renamed.description, 'Everything, see #random')
  t.equal((await alice.call('message.list', { conversationId: renamed.id }))[0]!.text, 'Hello @here, welcome to #random & *bold* _it_ ~s~ `code`')
  t.equal((await alice.call('message.list', { conversationId: (await alice.call('channel.find', { workspaceId: home.id, name: 'general' })).id })).length, 0, 'the workspace\'s own #general is untouched')
  t.same((await alice.call('message.list', { conversationId: homeDm!.id })).map((m) => [m.seq, m.text]), [[1, 'our own DM'], [2, 'dm hello']], 'the DM is the same DM')
  t.ok(Object.values((await importSlack({ ...options, workspace: home.slug })).added).every((n) => n === 0), 'and again adds nothing')

  // With a folder of file bodies, a file found there becomes a real attachment.
  await mkdir(join(dir, 'bodies', 'F1'), { recursive: true })
  await writeFile(join(dir, 'bodies', 'F1', 'report.pdf'), 'the report body')
  const withFiles = await importSlack({ ...options, workspace: 'with-files', filesDir: join(dir, 'bodies') })
  t.match(withFiles, { added: { files: 1 }, blobs: 1 })
  const filesWs = (await alice.call('workspace.list', {})).find((w) => w.slug === 'with-files')!
  const fg = await alice.call('channel.find', { workspaceId: filesWs.id, name: 'general' })
  const report = (await alice.call('message.list', { conversationId: fg.id })).find((m) => m.text === 'the report')!
  t.match(report.files, [{ name: 'report.pdf', size: 15 }], 'attached, not linked')

  // Malformed exports: a clear error, and nothing changes.
  const count = async () => (await server.services.sql<{ n: number }[]>`select (select count(*) from messages)::int + (select count(*) from workspaces)::int + (select count(*) from users)::int as n`)[0]!.n
  const before = await count()
  const { 'users.json': _users, ...noUsers } = entries
  const cases: Array<[string, string, RegExp, object?]> = [
    ['missing users.json', await zipOf(dir, 'no-users.zip', noUsers), /has no users\.json/],
    ['bad JSON in a day', await zipOf(dir, 'bad-day.zip', { ...entries, 'general/2024-01-03.json': '[{"type":"message",' }), /general\/2024-01-03\.json .*not valid JSON/],
    ['a huge file', await zipOf(dir, 'huge.zip', { ...entries, 'general/2024-01-04.json': JSON.stringify([{ type: 'message', ts: ts(12), user: 'U1', text: 'x'.repeat(200_000) }]) }), /more than the 100000/, { limits: { maxEntryBytes: 100_000, maxEntries: 1000 } }],
    ['not a zip', join(dir, 'plain.zip'), /not a readable ZIP/],
  ]
  await writeFile(join(dir, 'plain.zip'), 'just text')
  // A ZIP whose entry climbs out of its folder: written with a placeholder name, then renamed in place.
  const sneaky = await zipOf(dir, 'sneaky.zip', { ...entries, 'XX/evil.json': '[]' })
  await writeFile(sneaky, Buffer.from((await readFile(sneaky)).toString('latin1').replaceAll('XX/evil.json', '../evil.json'), 'latin1'))
  cases.push(['a ../ path', sneaky, /"\.\.\/evil\.json", outside the archive's folder/])
  for (const [what, path, message, extra] of cases) {
    await t.rejects(importSlack({ ...options, workspace: 'broken', zip: path, ...extra }), { code: 'invalid_input', message }, what)
  }
  t.equal(await count(), before, 'nothing was imported by any of them')
})
