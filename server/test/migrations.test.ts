import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callHttp } from '@ocomms/shared'
import { pino } from 'pino'
import postgres from 'postgres'
import { hashPassword } from '../src/auth/passwords.js'
import { listMigrations, migrate } from '../src/db/migrate.js'
import { build, loadConfig } from '../src/index.js'
import { freshDatabase } from './helpers/database.js'

t.test('from an empty database: every migration, once', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const applied = await migrate(db.url)
  t.same(applied.map((m) => m.id), listMigrations().map((m) => m.id), 'all of them, in order')
  t.same(await migrate(db.url), [], 'a second start applies nothing')
  const sql = postgres(db.url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const ids = (await sql<{ id: number }[]>`select migration_id as id from migrations order by 1`).map((r) => r.id)
  t.same(ids, listMigrations().map((m) => m.id))
  // A migration whose number was reserved earlier but lands later is still applied.
  const last = ids.at(-1)!
  await sql`delete from migrations where migration_id = ${last}`
  t.same((await migrate(db.url)).map((m) => m.id), [last], 'a missing number is applied, not skipped')
})

t.test('from the first released schema (00001) with data, up to the latest: data intact, app works', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  t.same((await migrate(db.url, { upTo: 1 })).map((m) => m.id), [1])
  const sql = postgres(db.url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  // Data as version 1 wrote it: a user, a workspace with #general, a message and its events.
  const hash = await hashPassword('correct horse battery staple')
  const [u] = await sql<{ id: string }[]>`
    insert into users (email, email_normalized, handle, name, password_hash, last_seq)
    values ('Old@Example.test', 'old@example.test', 'old', 'Old Timer', ${hash}, 1) returning id`
  const [w] = await sql<{ id: string }[]>`insert into workspaces (slug, name, created_by, last_seq) values ('legacy', 'Legacy', ${u!.id}, 0) returning id`
  await sql`insert into workspace_members (workspace_id, user_id, role) values (${w!.id}, ${u!.id}, 'owner')`
  const [c] = await sql<{ id: string }[]>`
    insert into conversations (workspace_id, kind, name, created_by, last_seq) values (${w!.id}, 'public', 'general', ${u!.id}, 2) returning id`
  await sql`insert into conversation_members (conversation_id, user_id) values (${c!.id}, ${u!.id})`
  const [m] = await sql<{ id: string }[]>`
    insert into messages (conversation_id, seq, author_id, client_id, text) values (${c!.id}, 2, ${u!.id}, 'legacy-1', 'from version one') returning id`
  await sql`insert into events (stream, stream_id, seq, type, conversation_id, workspace_id, data) values
    ('conversation', ${c!.id}, 1, 'conversation.member_joined', ${c!.id}, ${w!.id}, ${sql.json({ userId: u!.id })}),
    ('conversation', ${c!.id}, 2, 'message.created', ${c!.id}, ${w!.id}, ${sql.json({ message: { id: m!.id } })}),
    ('user', ${u!.id}, 1, 'conversation.added', ${c!.id}, ${w!.id}, ${sql.json({ conversation: { id: c!.id } })})`

  const applied = await migrate(db.url)
  t.same(applied.map((x) => x.id), listMigrations().filter((x) => x.id > 1).map((x) => x.id), 'the newer migrations apply on top')
  const [row] = await sql<{ text: string; seq: number }[]>`select text, seq::int from messages where id = ${m!.id}`
  t.same(row, { text: 'from version one', seq: 2 }, 'the old rows are intact')

  const config = loadConfig({}, { host: '127.0.0.1', port: 0, databaseUrl: db.url, logLevel: 'silent' })
  const { app } = await build({ config, databaseUrl: db.url, logger: pino({ level: 'silent' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const { token } = await callHttp(url, 'auth.login', { email: 'old@example.test', password: 'correct horse battery staple' })
  const history = await callHttp(url, 'message.list', { conversationId: c!.id }, { token })
  t.same(history.map((x) => x.text), ['from version one'], 'the old history reads through the current API')
  const sent = await callHttp(url, 'message.send', { conversationId: c!.id, text: 'from today', clientId: randomUUID() }, { token })
  t.equal(sent.seq, 3, 'new events continue the old stream')
  const synced = await callHttp(url, 'sync', { conversations: { [c!.id]: 0 } }, { token })
  t.same(synced.conversations[0]!.events.map((e) => e.seq), [1, 2, 3])
})
