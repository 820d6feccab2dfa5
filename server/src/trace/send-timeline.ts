import { AsyncLocalStorage } from 'node:async_hooks'
import { writeFileSync } from 'node:fs'

/**
 * Where the time of a send goes, when `OCOMMS_TRACE_SEND=<file>` is set (off otherwise: the
 * functions below then do nothing and cost a property read). A send over the socket starts a
 * timeline; the send path marks its steps on it (received, admitted, checked, stored,
 * committed, ...) and counts the statements it sends; the answer ends it. Every few seconds,
 * and at exit, the file gets, per step, the p50/p99/mean of the time since the step before it,
 * the statements per send, and what the slowest 1 % of sends spent their time on; all of it
 * over the sends since the server was last quiet for a second. The steps of a batch (group
 * commit) are marked on the timeline of the send that started it: on a quiet server that is
 * every send. docs/performance.md says what it found.
 */
interface Timeline {
  start: bigint
  marks: Array<[string, bigint]>
  statements: number
}

const file = process.env.OCOMMS_TRACE_SEND
const store = file ? new AsyncLocalStorage<Timeline>() : null
/** Each traced send since the server was last quiet: its steps (µs since the step before), total and statements. */
const perSend: Array<{ total: number; statements: number; steps: Array<[string, number]> }> = []

/**
 * A second without a send starts the summary again, so that it describes the sends since the
 * server was last quiet: a benchmark's warm-up and earlier steps, each followed by a pause, do not
 * mix into the step measured after them.
 */
const quietNs = 1_000_000_000n
let lastSendAt = 0n

function startAgainIfQuiet(now: bigint): void {
  if (now - lastSendAt > quietNs) perSend.length = 0
  lastSendAt = now
}

/** Runs `fn` with a new send timeline (when tracing). */
export function traceSend<T>(fn: () => T): T {
  if (!store) return fn()
  const start = process.hrtime.bigint()
  startAgainIfQuiet(start)
  return store.run({ start, marks: [], statements: 0 }, fn)
}

/** Marks a step of the current send, if one is traced. */
export function mark(step: string): void {
  const t = store?.getStore()
  if (t) t.marks.push([step, process.hrtime.bigint()])
}

/** Counts a statement sent to PostgreSQL for the current send (connect.ts's debug hook). */
export function countStatement(): void {
  const t = store?.getStore()
  if (t) t.statements++
}

export const tracingStatements = Boolean(file)

/** Ends the current send's timeline: its steps go into the summary. */
export function endSend(step: string): void {
  const t = store?.getStore()
  if (!t) return
  const now = process.hrtime.bigint()
  lastSendAt = now
  t.marks.push([step, now])
  let before = t.start
  const steps: Array<[string, number]> = []
  for (const [name, at] of t.marks) {
    steps.push([name, Number(at - before) / 1e3])
    before = at
  }
  perSend.push({ total: Number(before - t.start) / 1e3, statements: t.statements, steps })
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0

function write(): void {
  if (!file || perSend.length === 0) return
  // A statement the driver queues behind a busy connection (its first use of a statement there
  // waits for the statement's description) is sent from another context and not counted: the
  // median is the send path's count, the mean a little lower.
  const counts = perSend.map((send) => send.statements).sort((a, b) => a - b)
  const out: Record<string, unknown> = {
    sends: perSend.length,
    statementsPerSend: { mean: counts.reduce((a, b) => a + b, 0) / counts.length, p50: pct(counts, 50), max: counts.at(-1) },
    stepsUs: {},
  }
  // Each step in the order sends first reached it, then the whole send.
  const steps = new Map<string, number[]>()
  for (const send of perSend) {
    for (const [name, us] of send.steps) {
      const list = steps.get(name)
      if (list) list.push(us)
      else steps.set(name, [us])
    }
  }
  steps.set('total', perSend.map((send) => send.total))
  for (const [name, list] of steps) {
    const sorted = [...list].sort((a, b) => a - b)
    ;(out.stepsUs as Record<string, unknown>)[name] = {
      n: sorted.length,
      p50: Math.round(pct(sorted, 50)),
      p99: Math.round(pct(sorted, 99)),
      mean: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    }
  }
  // What the slowest 1 % waited on: the mean of each step over the sends at or above the p99 of
  // the total, and for how many of them each step was the longest.
  const slowest = [...perSend].sort((a, b) => b.total - a.total).slice(0, Math.max(1, Math.ceil(perSend.length / 100)))
  const slowSteps: Record<string, { meanUs: number; longestIn: number }> = {}
  for (const send of slowest) {
    const longest = send.steps.reduce((a, b) => (b[1] > a[1] ? b : a))[0]
    for (const [name, us] of send.steps) {
      const entry = (slowSteps[name] ??= { meanUs: 0, longestIn: 0 })
      entry.meanUs += us / slowest.length
      if (name === longest) entry.longestIn++
    }
  }
  for (const entry of Object.values(slowSteps)) entry.meanUs = Math.round(entry.meanUs)
  out.slowestPercent = { sends: slowest.length, fromUs: Math.round(slowest.at(-1)!.total), stepsUs: slowSteps }
  writeFileSync(file, JSON.stringify(out, null, 2))
}

if (file) {
  setInterval(write, 3_000).unref()
  process.on('exit', write)
}
