import t from 'tap'
import { randomUUID } from 'node:crypto'
import { metricsOf } from '../src/metrics/metrics.js'
import { startTestServer } from './helpers/server.js'

/** One sample's value from the Prometheus text format (labels given in the order they appear). */
function sample(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}` : `${name} `))
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null
}

t.test('metrics: off by default; on their own listener they show what a small load did', async (t) => {
  const quiet = await startTestServer(t)
  t.equal(metricsOf(quiet.services).address(), null, 'no metrics listener unless configured')
  t.equal((await fetch(`${quiet.url}/metrics`)).status, 404, 'and never on the API port')

  const server = await startTestServer(t, { metricsListen: '127.0.0.1:0' })
  const at = metricsOf(server.services).address()!
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${at.port}/metrics`)
    t.equal(res.status, 200)
    return res.text()
  }
  const { ws, people } = await server.team('ana', 'ben', 'cat')
  const general = await people[0].call('channel.find', { workspaceId: ws.id, name: 'general' })
  for (const p of people.slice(1)) await p.call('conversation.join', { conversationId: general.id })
  const sockets = await Promise.all(people.map((p) => server.connect(p.token)))
  const base = await scrape()
  const before = sample(base, 'ocomms_events_total', 'type="message.created"') ?? 0

  // The load: 150 sends over three sockets at once, as the load harness sends them.
  const SENDS = 150
  const started = Date.now()
  await Promise.all(
    Array.from({ length: SENDS }, (_, i) => sockets[i % 3]!.call('message.send', { conversationId: general.id, text: `load ${i}`, clientId: randomUUID() })),
  )
  const seconds = (Date.now() - started) / 1000
  await sockets[0]!.waitFor((e) => e.type === 'message.created' && (e.data.message as { text: string }).text === `load ${SENDS - 1}`)

  const text = await scrape()
  t.equal(sample(text, 'ocomms_events_total', 'type="message.created"')! - before, SENDS, 'every message sent is counted once')
  t.equal(sample(text, 'ocomms_operation_duration_seconds_count', 'operation="message.send",outcome="ok"'), SENDS, 'send-to-ack: one observation per acknowledged send')
  t.equal(sample(text, 'ocomms_connected_sockets'), 3, 'the connected sockets')
  t.ok(sample(text, 'ocomms_batch_size_count', 'batcher="group-commit"')! > 0, 'group-commit batch sizes')
  t.ok(sample(text, 'ocomms_batch_size_sum', 'batcher="group-commit"')! >= SENDS, 'that carried every send')
  t.ok(sample(text, 'ocomms_fanout_delay_seconds_count')! >= SENDS, 'fan-out delays')
  t.ok(sample(text, 'ocomms_db_ping_seconds')! >= 0, 'the database answers')
  t.ok(sample(text, 'ocomms_process_resident_memory_bytes')! > 0, 'process figures')
  t.equal(sample(text, 'ocomms_db_pool_size'), server.config.dbPoolSize)
  t.comment(`${SENDS} sends in ${seconds.toFixed(2)} s (${Math.round(SENDS / seconds)}/s)`)
  t.equal((await fetch(`http://127.0.0.1:${at.port}/other`)).status, 404)
})
