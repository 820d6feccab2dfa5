import t from 'tap'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * OCOMMS_TRACE_SEND (src/trace/send-timeline.ts) says where a send's time goes and how many
 * statements it sends. Read at load, so it is set before the server's modules load. A plain send
 * on a quiet server is seven statements: the check; BEGIN, recipients, seq, insert; the event and
 * COMMIT. More means a statement crept onto the send path (docs/performance.md, P10).
 */
const file = join(await mkdtemp(join(tmpdir(), 'ocomms-trace-')), 'send.json')
process.env.OCOMMS_TRACE_SEND = file
const { startTestServer } = await import('./helpers/server.js')

t.test('a traced plain send: its steps in order and its statements counted', async (t) => {
  const server = await startTestServer(t)
  const { ws, people: [alice] } = await server.team('alice')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  const socket = await server.connect(alice.token)
  // One at a time, so each is alone in its batch.
  for (let i = 0; i < 15; i++) await socket.call('message.send', { conversationId: general!.id, text: `traced ${i}`, clientId: `traced-${i}` })
  // The summary is written every 3 s (and at exit).
  type Summary = {
    sends: number
    statementsPerSend: { p50: number; max: number }
    stepsUs: Record<string, { n: number }>
    slowestPercent: { sends: number; fromUs: number; stepsUs: Record<string, { meanUs: number; longestIn: number }> }
  }
  let summary: Summary | null = null
  for (let waited = 0; waited < 10_000 && (summary?.sends ?? 0) < 15; waited += 250) {
    await new Promise((r) => setTimeout(r, 250))
    summary = (await readFile(file, 'utf8').then((text) => JSON.parse(text) as Summary, () => null))
  }
  if (!summary) return t.fail('no summary written')
  t.equal(summary.sends, 15, 'every send over the socket was traced')
  t.same(Object.keys(summary.stepsUs), ['admitted', 'began', 'stored', 'recorded', 'committed', 'published', 'answered', 'total'], 'the steps, in order: the check is inside the transaction')
  t.equal(summary.statementsPerSend.p50, 7, 'seven statements per plain send')
  t.equal(summary.statementsPerSend.max, 7, 'never more')
  // What the slowest 1 % waited on: of 15 sends, the slowest one, its steps (not the total) and
  // the one it spent longest in.
  const slowest = summary.slowestPercent
  t.equal(slowest.sends, 1, 'the slowest 1 % of 15 sends is one send')
  t.same(Object.keys(slowest.stepsUs), ['admitted', 'began', 'stored', 'recorded', 'committed', 'published', 'answered'], 'its steps, in order')
  t.equal(Object.values(slowest.stepsUs).reduce((n, s) => n + s.longestIn, 0), 1, 'one step was its longest')
  const sum = Object.values(slowest.stepsUs).reduce((n, s) => n + s.meanUs, 0)
  t.ok(Math.abs(sum - slowest.fromUs) <= 7, `its steps add up to its total (${sum} against ${slowest.fromUs} µs, rounded per step)`)

  // After a quiet second the summary starts again: it covers the three sends after the pause.
  await new Promise((r) => setTimeout(r, 1_200))
  for (let i = 0; i < 3; i++) await socket.call('message.send', { conversationId: general!.id, text: `after ${i}`, clientId: `after-${i}` })
  for (let waited = 0; waited < 10_000 && summary.sends !== 3; waited += 250) {
    await new Promise((r) => setTimeout(r, 250))
    summary = (await readFile(file, 'utf8').then((text) => JSON.parse(text) as Summary, () => summary))!
  }
  t.equal(summary.sends, 3, 'the summary after a quiet second covers only the sends since')
  t.equal(summary.stepsUs.total!.n, 3, 'and so do its steps')
})
