import t from 'tap'
import { driverAddress, socketUrl } from '../src/db/address.js'
import { connect } from '../src/db/connect.js'

t.test('a libpq socket URL gives the driver a socket path; other URLs pass unchanged', async (t) => {
  t.same(driverAddress('postgres://u:p@127.0.0.1:5433/db'), { url: 'postgres://u:p@127.0.0.1:5433/db' })
  t.same(driverAddress('postgres://u:p@localhost:5433/db?host=/run/pg/&sslmode=disable'), {
    url: 'postgres://u:p@localhost:5433/db?sslmode=disable',
    path: '/run/pg/.s.PGSQL.5433',
  })
  t.same(driverAddress('postgres://u@localhost/db?host=/var/run/postgresql'), { url: 'postgres://u@localhost/db', path: '/var/run/postgresql/.s.PGSQL.5432' })
  t.same(driverAddress('postgres://u@localhost/db?host=db.internal'), { url: 'postgres://u@localhost/db?host=db.internal' }, 'a host name is not a socket')
  t.equal(socketUrl('postgres://u:p%40ss@127.0.0.1:5433/db', '/tmp/pg x'), 'postgres://u:p%40ss@127.0.0.1:5433/db?host=%2Ftmp%2Fpg+x')
  t.same(driverAddress(socketUrl('postgres://u:p@127.0.0.1:5433/db', '/tmp/pg x')).path, '/tmp/pg x/.s.PGSQL.5433', 'the two agree')
})

// `npm test` starts the embedded PostgreSQL and hands its socket URL over (not under DATABASE_URL).
const socket = process.env.OCOMMS_TEST_DATABASE_SOCKET_URL
t.test('the pool connects over a socket URL', { skip: socket ? false : 'no embedded PostgreSQL socket (DATABASE_URL run)' }, async (t) => {
  const sql = connect(socket!, { max: 1 })
  t.teardown(() => sql.end())
  const [row] = await sql<{ port: number | null; addr: string | null }[]>`
    select client_port as port, host(client_addr) as addr from pg_stat_activity where pid = pg_backend_pid()`
  t.same(row, { port: -1, addr: null }, 'a Unix-socket connection')
})
