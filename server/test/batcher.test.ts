import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { Batcher } from '../src/db/batcher.js'

/** A batcher whose batches finish when the test says so, recording what each batch held. */
function gated(lanes: number, most: number, fail: (items: number[]) => boolean = () => false) {
  const batches: number[][] = []
  const alone: number[] = []
  const open: Array<() => void> = []
  const batcher = new Batcher<number, string>({
    lanes,
    most,
    together: async (items) => {
      batches.push(items)
      await new Promise<void>((resolve) => open.push(resolve))
      if (fail(items)) throw new Error('batch failed')
      return items.map((i) => `together ${i}`)
    },
    alone: async (item) => {
      alone.push(item)
      if (item < 0) throw new Error(`refused ${item}`)
      return `alone ${item}`
    },
  })
  const release = async () => {
    await sleep(1)
    open.splice(0).forEach((go) => go())
    await sleep(1)
  }
  return { batcher, batches, alone, release }
}

t.test('a quiet batcher starts each item at once, in a batch of its own', async (t) => {
  const { batcher, batches, release } = gated(2, 10)
  const a = batcher.run(1)
  const b = batcher.run(2)
  t.same(batches, [[1], [2]], 'both lanes were free: no item waited for another')
  await release()
  t.same(await Promise.all([a, b]), ['together 1', 'together 2'])
})

t.test('while every lane is busy items queue, and the next free lane takes them as one batch', async (t) => {
  const { batcher, batches, release } = gated(1, 3)
  const first = batcher.run(1)
  const queued = [2, 3, 4, 5, 6].map((i) => batcher.run(i))
  t.same(batches, [[1]], 'one lane: the others wait')
  await release()
  t.same(batches, [[1], [2, 3, 4]], 'the queue became one batch, of at most `most` items')
  await release()
  t.same(batches, [[1], [2, 3, 4], [5, 6]])
  await release()
  t.same(await Promise.all([first, ...queued]), [1, 2, 3, 4, 5, 6].map((i) => `together ${i}`), 'each item got its own result')
})

t.test('when a batch fails, each of its items is done alone, and one refusal rejects only its own item', async (t) => {
  const { batcher, batches, alone, release } = gated(1, 10, (items) => items.includes(-1))
  const busy = batcher.run(0)
  const items = Promise.allSettled([7, -1, 8].map((i) => batcher.run(i)))
  await release()
  await release()
  await busy
  t.same(batches, [[0], [7, -1, 8]])
  t.same(alone.sort(), [-1, 7, 8].sort(), 'the failed batch\'s items were each done alone')
  const settled = await items
  t.same(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.equal((settled[0] as PromiseFulfilledResult<string>).value, 'alone 7')
  t.match((settled[1] as PromiseRejectedResult).reason, { message: 'refused -1' })
  const after = batcher.run(9)
  await release()
  t.equal(await after, 'together 9', 'the batcher goes on after a failure')
})

t.test('without `alone`, the items of a failed batch are each done as a batch of one', async (t) => {
  const batches: number[][] = []
  const batcher = new Batcher<number, string>({
    lanes: 1,
    most: 10,
    together: async (items) => {
      batches.push(items)
      await sleep(1)
      if (items.includes(-1)) throw new Error(items.length > 1 ? 'batch failed' : 'refused -1')
      return items.map((i) => `together ${i}`)
    },
  })
  const busy = batcher.run(0)
  const settled = await Promise.allSettled([7, -1, 8].map((i) => batcher.run(i)))
  await busy
  t.same(batches.slice(0, 2), [[0], [7, -1, 8]])
  t.same(batches.slice(2).sort(), [[-1], [7], [8]].sort(), 'then each item alone')
  t.same(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)), ['together 7', 'refused -1', 'together 8'])
})
