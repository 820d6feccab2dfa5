import { OCommsError } from '@ocomms/shared'

interface Turn {
  running: number
  queue: Array<() => void>
}

/**
 * A bounded lane for expensive operations: at most `concurrency` run at once in the process, at
 * most `perKey` of them for one person; the rest wait, taken person by person in turn (not in
 * arrival order), so a person with many waiting delays their own, not everyone's. At most
 * `maxWaiting` wait in all, and a fair share of that per person; beyond, `rate_limited`.
 */
export class FairLane {
  running = 0
  waiting = 0
  private readonly keys = new Map<string, Turn>()
  /** Keys with something waiting, in the order they get their next turn. */
  private order: string[] = []

  constructor(
    private readonly concurrency: number,
    private readonly perKey: number,
    private readonly maxWaiting: number,
  ) {}

  acquire(key: string): Promise<() => void> {
    let turn = this.keys.get(key)
    if (!turn) this.keys.set(key, (turn = { running: 0, queue: [] }))
    const t = turn
    const release = () => {
      t.running--
      this.running--
      if (t.running === 0 && t.queue.length === 0) this.keys.delete(key)
      this.next()
    }
    const start = () => {
      t.running++
      this.running++
    }
    if (t.queue.length === 0 && t.running < this.perKey && this.running < this.concurrency) {
      start()
      return Promise.resolve(release)
    }
    const share = Math.max(this.perKey * 2, Math.ceil(this.maxWaiting / 8))
    if (this.waiting >= this.maxWaiting || t.queue.length >= share) {
      if (t.running === 0 && t.queue.length === 0) this.keys.delete(key)
      const mine = t.queue.length >= share
      return Promise.reject(
        new OCommsError(
          'rate_limited',
          mine
            ? `Too many searches at once: ${this.perKey} run at a time for one person and ${share} more may wait. Wait for answers before asking more.`
            : 'The server is busy with other searches; try again in a moment.',
          { retryAfter: mine ? 1 : 2 },
        ),
      )
    }
    this.waiting++
    if (!this.order.includes(key)) this.order.push(key)
    return new Promise((resolve) => t.queue.push(() => (start(), resolve(release))))
  }

  /** Gives free slots to waiting keys in turn; a key at its own limit keeps its place. */
  private next(): void {
    let i = 0
    while (this.running < this.concurrency && i < this.order.length) {
      const key = this.order[i]!
      const t = this.keys.get(key)!
      if (t.running >= this.perKey) {
        i++
        continue
      }
      this.order.splice(i, 1)
      this.waiting--
      t.queue.shift()!()
      if (t.queue.length > 0) this.order.push(key)
      i = 0
    }
  }
}
