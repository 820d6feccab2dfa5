import t from 'tap'
import { pino } from 'pino'
import { build, loadConfig } from '../src/index.js'
import { send } from './helpers/search.js'
import { startTestServer } from './helpers/server.js'

const vectorExpression = async (sql: import('../src/db/connect.js').Sql, table: string) => {
  const [row] = await sql<{ expr: string }[]>`
    select pg_get_expr(d.adbin, d.adrelid) as expr
      from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
     where d.adrelid = ${table}::regclass and a.attname = 'search_vector'`
  return row!.expr
}

t.test('the text search configuration is settable; changing it rebuilds the index', async (t) => {
  const server = await startTestServer(t, { searchConfig: 'simple' })
  const alice = await server.signup('alice')
  const ws = await server.workspace(alice)
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await send(alice, general!.id, 'The meetings were running late')
  const found = async (query: string) => (await alice.call('search', { workspaceId: ws.id, query, type: 'messages' })).messages.length
  t.equal(await found('meetings'), 1)
  t.equal(await found('meeting'), 0, '"simple" does not stem')
  t.equal(await found('the'), 1, 'nor drop stop words')

  const { sql } = server.services
  const english = await startTestServer(t)
  for (const table of ['messages', 'files']) {
    t.equal((await vectorExpression(sql, table)).replaceAll("'simple'", "'english'"), await vectorExpression(english.services.sql, table),
      `the rebuilt ${table} column is the migration's with another configuration`)
  }

  // Another start with english: the existing rows are indexed again, stemmed.
  const config = loadConfig({}, { ...server.config, port: 0, searchConfig: 'english' })
  const again = await build({ config, databaseUrl: server.databaseUrl, logger: pino({ level: 'silent' }) })
  t.teardown(() => again.app.close())
  t.equal(config.searchConfig, 'english')
  const [setting] = await sql<{ text_search_config: string }[]>`select text_search_config from search_settings`
  t.equal(setting!.text_search_config, 'english')
  t.equal(await found('meeting'), 1, 'stemmed after the rebuild, on every server: queries use the recorded configuration')
  const indexes = await sql<{ indexname: string }[]>`select indexname from pg_indexes where indexname in ('messages_search', 'files_search')`
  t.equal(indexes.length, 2, 'the GIN indexes are rebuilt too')

  const bad = loadConfig({}, { ...server.config, port: 0, searchConfig: 'klingon' })
  await t.rejects(build({ config: bad, databaseUrl: server.databaseUrl, logger: pino({ level: 'silent' }) }), /OCOMMS_SEARCH_CONFIG "klingon" is not a text search configuration/)
})
