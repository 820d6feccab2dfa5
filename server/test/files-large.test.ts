import t from 'tap'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { get, type IncomingMessage } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startTeam } from './helpers/team.js'

// A collector we can call between samples, so each sample is live memory, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Live JS heap plus Buffer memory, sampled while `work` runs; resolves with the peak growth. */
async function peakGrowth(work: () => Promise<void>): Promise<number> {
  gc()
  const live = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }
  const base = live()
  let peak = base
  // Buffer memory is released a moment after a collection: collect, yield, collect, then look.
  const timer = setInterval(() => {
    gc()
    setImmediate(() => {
      gc()
      peak = Math.max(peak, live())
    })
  }, 1000)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  gc()
  return Math.max(peak, live()) - base
}

const MiB = 1024 * 1024
/** Holding the file would cost its 50 MiB; streaming costs a few chunks plus collector noise. */
const HOLDING_IT_ALL = 30 * MiB

t.test('a 50 MiB upload and download stream through without being held in memory', async (t) => {
  // The server runs in this process, so its memory is this process's memory.
  const { server, alice, bob, general, upload } = await startTeam(t)
  const block = randomBytes(64 * 1024)
  const blocks = 800 // 50 MiB
  const expected = createHash('sha256')
  for (let i = 0; i < blocks; i++) expected.update(block)
  async function* body() {
    for (let i = 0; i < blocks; i++) yield block
  }

  let result: Awaited<ReturnType<typeof upload>> | undefined
  const upGrowth = await peakGrowth(async () => {
    result = await upload(alice, { conversationId: general.id, name: 'big.bin', clientId: randomUUID() }, body())
  })
  t.equal(result!.file.size, blocks * block.length)
  const [row] = await server.services.sql<{ sha256: string }[]>`select sha256 from files where id = ${result!.file.id}`
  t.equal(row!.sha256, expected.digest('hex'), 'hashed while streaming')
  t.ok(upGrowth < HOLDING_IT_ALL, `upload: memory grew by ${(upGrowth / MiB).toFixed(1)} MiB for a 50 MiB file`)

  const got = createHash('sha256')
  let size = 0
  const downGrowth = await peakGrowth(async () => {
    // node:http reads only as fast as this loop consumes, so what grows is the server's share.
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`${server.url}/api/files/${result!.file.id}/content`, { headers: { authorization: `Bearer ${bob.token}` } }, resolve).on('error', reject)
    })
    t.equal(res.statusCode, 200)
    for await (const chunk of res as AsyncIterable<Buffer>) {
      got.update(chunk)
      size += chunk.length
    }
  })
  t.equal(size, blocks * block.length)
  t.equal(got.digest('hex'), row!.sha256, 'the same bytes back')
  t.ok(downGrowth < HOLDING_IT_ALL, `download: memory grew by ${(downGrowth / MiB).toFixed(1)} MiB`)
})

t.test('a download nobody reads holds a shutdown only for the grace period', async (t) => {
  const { server, alice, general, upload } = await startTeam(t, { shutdownGraceSeconds: 1 })
  const block = randomBytes(64 * 1024)
  async function* body() {
    for (let i = 0; i < 256; i++) yield block // 16 MiB: more than the sockets' buffers hold
  }
  const { file } = await upload(alice, { conversationId: general.id, name: 'stuck.bin', clientId: randomUUID() }, body())
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${server.url}/api/files/${file.id}/content`, { headers: { authorization: `Bearer ${alice.token}` } }, resolve).on('error', reject)
  })
  t.equal(res.statusCode, 200)
  res.pause() // a client that stopped reading
  const started = Date.now()
  await server.app.close()
  const took = Date.now() - started
  t.ok(took >= 900, `closing waited for the download first (${took} ms)`)
  t.ok(took < 5000, `then cut it after the grace period instead of waiting for the client (${took} ms)`)
  // Reading again, the client gets what was buffered and then the end of a cut connection.
  let received = 0
  await new Promise<void>((resolve) => {
    res.on('data', (chunk: Buffer) => (received += chunk.length))
    res.once('close', () => resolve())
    res.resume()
  })
  t.ok(received < 256 * block.length, `the stuck download was cut (${received} of ${256 * block.length} bytes)`)
})
