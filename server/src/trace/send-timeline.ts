import { AsyncLocalStorage } from 'node:async_hooks'
import { writeFileSync } from 'node:fs'

/**
 * Where the time of a send goes, when `OCOMMS_TRACE_SEND=<file>` is set (off otherwise: the
 * functions below then do nothing and cost a property read). A send over the socket starts a
 * timeline; the send path marks its steps on it (received, admitted, checked, stored,
 * committed, ...) and counts the statements it sends; the answer ends it. Every few seconds,
 * and at exit, the file gets, per step, the p50/p99/mean of the time since the step before it,
 * and the statements per send. The steps of a batch (group commit) are marked on the timeline
 * of the send that started it: on a quiet server that is every send. docs/performance.md
 * says what it found.
 */
interface Timeline {
  start: bigint
  marks: Array<[string, bigint]>
  statements: number
}

const file = process.env.OCOMMS_TRACE_SEND
const store = file ? new AsyncLocalStorage<Timeline>() : null
const steps = new Map<string, number[]>()
const statementCounts: number[] = []
let sends = 0

/** Runs `fn` with a new send timeline (when tracing). */
export function traceSend<T>(fn: () => T): T {
  return store ? store.run({ start: process.hrtime.bigint(), marks: [], statements: 0 }, fn) : fn()
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
  t.marks.push([step, process.hrtime.bigint()])
  let before = t.start
  for (const [name, at] of t.marks) {
    const list = steps.get(name) ?? []
    list.push(Number(at - before) / 1e3)
    steps.set(name, list)
    before = at
  }
  const total = steps.get('total') ?? []
  total.push(Number(before - t.start) / 1e3)
  steps.set('total', total)
  statementCounts.push(t.statements)
  sends++
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0

function write(): void {
  if (!file || sends === 0) return
  // A statement the driver queues behind a busy connection (its first use of a statement there
  // waits for the statement's description) is sent from another context and not counted: the
  // median is the send path's count, the mean a little lower.
  const counts = [...statementCounts].sort((a, b) => a - b)
  const out: Record<string, unknown> = {
    sends,
    statementsPerSend: { mean: counts.reduce((a, b) => a + b, 0) / counts.length, p50: pct(counts, 50), max: counts.at(-1) },
    stepsUs: {},
  }
  for (const [name, list] of steps) {
    const sorted = [...list].sort((a, b) => a - b)
    ;(out.stepsUs as Record<string, unknown>)[name] = {
      n: sorted.length,
      p50: Math.round(pct(sorted, 50)),
      p99: Math.round(pct(sorted, 99)),
      mean: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    }
  }
  writeFileSync(file, JSON.stringify(out, null, 2))
}

if (file) {
  setInterval(write, 3_000).unref()
  process.on('exit', write)
}
