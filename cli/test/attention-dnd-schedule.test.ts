import t from 'tap'
import { dndState } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { person, signup } from './helpers/cli.js'

// No desktop notifications from the daemons these tests start.
process.env.OCOMMS_NOTIFY = 'off'

t.test('dnd on --until, dnd schedule with a time zone, and refusals', async (t) => {
  const server = await startTestServer(t)
  const bob = await person(t, 'bob')
  await signup(bob, server.url, { createWorkspace: 'Acme' })

  const later = new Date(Date.now() + 2 * 3600_000)
  const untilOut = await bob.json<{ active: boolean; until: string }>(['dnd', 'on', '--until', later.toISOString()])
  t.ok(Math.abs(Date.parse(untilOut.until) - later.getTime()) < 1000, 'until the given time')
  await bob.json(['dnd', 'off'])

  const spec = 'mon-fri 09:00-18:00'
  const sched = await bob.json<{ active: boolean; reason: string | null; until: string | null; schedule: string; timeZone: string }>(['dnd', 'schedule', spec, '--tz', 'Asia/Tokyo'])
  t.equal(sched.timeZone, 'Asia/Tokyo')
  t.equal(sched.schedule, spec)
  const expected = dndState(new Date(), null, spec, 'Asia/Tokyo')
  t.equal(sched.active, expected.active, 'active as the shared rule says for Tokyo now')
  t.equal(sched.reason, expected.reason)
  t.match(await bob.json(['dnd', 'status']), { schedule: spec, timeZone: 'Asia/Tokyo' })
  const bad = await bob.run(['--json', 'dnd', 'schedule', 'mon-fri 9-18'])
  t.equal(bad.code, 1, 'a bad SPEC is refused')
  t.match(JSON.parse(bad.stdout), { error: { code: String, message: String } })
  t.equal((await bob.run(['dnd', 'schedule', spec, '--tz', 'Mars/Olympus'])).code, 1, 'an unknown time zone is refused')
  t.match(await bob.json(['dnd', 'schedule', 'none']), { schedule: null, active: false })
})
