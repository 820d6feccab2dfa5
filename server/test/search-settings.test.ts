import t from 'tap'
import { connect } from '../src/db/connect.js'
import { searchTransaction, STATEMENT_TIMEOUT } from '../src/search/settings.js'
import { freshDatabase } from './helpers/database.js'

t.test('the server plans its statements once; a search plans its own, under a time limit, from its first statement', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const sql = connect(db.url, { max: 2 })
  t.teardown(() => sql.end())
  const [pool] = await sql<{ mode: string }[]>`select current_setting('plan_cache_mode') as mode`
  t.equal(pool!.mode, 'force_generic_plan', 'the pool reuses one plan per statement')
  // The first statement of the search, awaited at once, already runs under the search's settings.
  const first = await searchTransaction(sql, async (tx) => {
    const [row] = await tx<{ mode: string; timeout: string; similarity: string }[]>`
      select current_setting('plan_cache_mode') as mode, current_setting('statement_timeout') as timeout,
             current_setting('pg_trgm.similarity_threshold', true) as similarity`
    return row!
  })
  t.same(first, { mode: 'force_custom_plan', timeout: STATEMENT_TIMEOUT, similarity: '0.2' })
  const [after] = await sql<{ mode: string; timeout: string }[]>`
    select current_setting('plan_cache_mode') as mode, current_setting('statement_timeout') as timeout`
  t.same(after, { mode: 'force_generic_plan', timeout: '0' }, 'the settings end with the search\'s transaction')
})
