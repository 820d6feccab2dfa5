import t from 'tap'
import { connect } from '../src/db/connect.js'
import { pipelinedTransaction } from '../src/events/transaction.js'
import type { Services } from '../src/services.js'
import { freshDatabase } from './helpers/database.js'

/**
 * A pipelined transaction sends BEGIN with its first statements and COMMIT behind its last ones
 * without waiting for their answers (src/events/transaction.ts). These pin what that must not
 * change: every statement runs inside the one transaction, in order, even those sent from
 * helpers that await their query (the driver sends those a few microtasks late); a failing
 * statement or a refusal before the commit leaves nothing behind; the connection comes back clean.
 */

t.test('pipelined transactions: one transaction, all or nothing, the connection clean after', async (t) => {
  const db = await freshDatabase()
  t.teardown(() => db.drop())
  const notices: string[] = []
  const sql = connect(db.url, { max: 1, onnotice: (n) => notices.push(n.message) })
  t.teardown(() => sql.end())
  const published: string[] = []
  const services = { sql, log: { error: () => {} }, realtime: { publish: (e: { type: string }) => published.push(e.type) } } as unknown as Services
  await sql`create table pt (n int primary key, x xid8 default pg_current_xact_id())`

  // Like the send path: statements awaited inside async helpers, COMMIT asked for in the same breath.
  for (let round = 0; round < 20; round++) {
    const result = await pipelinedTransaction(services, async (change) => {
      const a = async (n: number) => (await change.sql`insert into pt (n) values (${n}) returning n`)[0]!.n as number
      const [first, second] = await Promise.all([a(round * 10 + 1), a(round * 10 + 2)])
      change.afterCommit(() => void published.push(`after ${round}`))
      const [third, fourth] = await Promise.all([a(round * 10 + 3), a(round * 10 + 4), change.commit()])
      return [first, second, third, fourth]
    })
    t.same(result, [1, 2, 3, 4].map((k) => round * 10 + k))
  }
  const [{ rows, transactions }] = await sql<{ rows: number; transactions: number }[]>`
    select count(*)::int as rows, count(distinct x)::int as transactions from pt`
  t.equal(rows, 80, 'every statement ran')
  t.equal(transactions, 20, 'the four inserts of each round in one transaction, the last two included')
  t.equal(published.length, 20, 'the after-commit steps ran once each')

  // A statement that fails (a duplicate key) with the COMMIT already behind it: nothing is stored.
  await t.rejects(
    pipelinedTransaction(services, async (change) => {
      await Promise.all([change.sql`insert into pt (n) values (1000)`, change.sql`insert into pt (n) values (1)`, change.commit()])
    }),
    { code: '23505' },
    'the failing statement is what it throws',
  )
  // The COMMIT asked for behind the failed statement leaves on the next turn of the event loop:
  // the connection must not go back to the pool before it did, or it would end the next
  // transaction on that connection (here the pool's only one), whose rollback would then undo nothing.
  await t.rejects(
    pipelinedTransaction(services, async (change) => {
      await Promise.all([change.sql`insert into pt (n) values (1)`, change.commit()])
    }),
    { code: '23505' },
  )
  // The same with a statement the driver refuses before sending it (a value it cannot
  // serialise): the refusal comes back before the COMMIT has even left.
  await t.rejects(
    pipelinedTransaction(services, async (change) => {
      await Promise.all([change.sql`insert into pt (n) values (${Symbol('not a value') as never})`, change.commit()])
    }),
  )
  await t.rejects(
    sql.begin(async (tx) => {
      await tx`insert into pt (n) values (1002)`
      throw new Error('changed my mind')
    }),
    /changed my mind/,
  )
  // A refusal in the function before the commit: rolled back.
  await t.rejects(
    pipelinedTransaction(services, async (change) => {
      await change.sql`insert into pt (n) values (1001)`
      throw new Error('refused')
    }),
    /refused/,
  )
  const [{ left }] = await sql<{ left: number }[]>`select count(*)::int as left from pt where n >= 1000`
  t.equal(left, 0, 'neither failed transaction stored anything')
  t.equal(published.length, 20, 'nor ran its after-commit steps')
  // The pool's only connection is clean: a transaction left open would make this BEGIN warn.
  await sql.begin((tx) => tx`select 1`)
  t.same(notices, [], 'the connection was not left inside a transaction')
})
