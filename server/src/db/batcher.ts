import { metricsOf } from '../metrics/metrics.js'
import { perServer, type Services } from '../services.js'

/**
 * Does many small pieces of database work as few statements, without making a quiet server
 * wait. At most `lanes` batches run at a time. While a lane is free, an item starts a batch at
 * once (of one item, on a quiet server); when every lane is busy, items queue, and the next
 * lane to free up takes everything queued, up to `most`, as one batch. So batches grow with the
 * load, and their number in flight stays bounded, which is what group commit needs: a fixed
 * number of transactions each carrying what arrived meanwhile.
 *
 * DataLoader, the usual package for batching, collects what is asked in one tick of the event
 * loop and runs any number of batches at once; under load each socket's message arrives in a
 * tick of its own, so its batches stay small while their number is unbounded.
 */
export interface BatcherOptions<I, O> {
  /** The work of several items at once: one result per item, in their order. */
  together: (items: I[]) => Promise<O[]>
  /**
   * One item's work, when the batch it was in failed; what it throws is that item's answer.
   * A batch that can fail for one item's sake (a refused row, a value the database rejects)
   * thus never fails the others. By default, `together` with that item only.
   */
  alone?: (item: I) => Promise<O>
  /** Batches in flight at most. */
  lanes: number
  /** Items in a batch at most. */
  most: number
  /** Told each batch's size as it starts (the metrics keep them). */
  onBatch?: (size: number) => void
}

interface Waiting<I, O> {
  item: I
  resolve: (out: O) => void
  reject: (err: unknown) => void
}

export class Batcher<I, O> {
  private readonly queue: Array<Waiting<I, O>> = []
  private running = 0

  private readonly alone: (item: I) => Promise<O>

  constructor(private readonly options: BatcherOptions<I, O>) {
    this.alone = options.alone ?? (async (item) => (await options.together([item]))[0]!)
  }

  run(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.start()
    })
  }

  private start(): void {
    while (this.running < this.options.lanes && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.most)
      this.options.onBatch?.(batch.length)
      this.running++
      void this.settle(batch).finally(() => {
        this.running--
        this.start()
      })
    }
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    let outs: O[]
    try {
      outs = await this.options.together(batch.map((w) => w.item))
    } catch {
      // Out of the lane: a batch that failed for one item's sake should not hold up the next.
      for (const w of batch) this.alone(w.item).then(w.resolve, w.reject)
      return
    }
    batch.forEach((w, i) => w.resolve(outs[i]!))
  }
}

/** One batcher per running server, made on first use; its batch sizes go to the metrics under `name`. */
export const batcherPer = <I, O>(name: string, options: (services: Services) => BatcherOptions<I, O>): ((services: Services) => Batcher<I, O>) =>
  perServer((services) => {
    const sizes = metricsOf(services).batchSize.labels({ batcher: name })
    return new Batcher({ onBatch: (n) => sizes.observe(n), ...options(services) })
  })
