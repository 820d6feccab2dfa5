/**
 * The yardstick for P2: a Socket.IO server with nothing but the fan-out. Same transport
 * settings as OComms (WebSocket only, no compression); every client joins one room; a
 * `fanout` call broadcasts an event shaped and sized like OComms' message.created.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const http = createServer()
const io = new Server(http, { transports: ['websocket'], allowUpgrades: false, perMessageDeflate: false, serveClient: false })
let seq = 0
const author = { id: randomUUID(), handle: 'u0', name: 'User 0' }
const conversationId = randomUUID()

io.on('connection', (socket) => {
  socket.join('big')
  socket.on('fanout', (input: { text: string }, ack: (a: unknown) => void) => {
    seq++
    const at = new Date().toISOString()
    const message = {
      id: randomUUID(), seq, conversationId, threadRootId: null, alsoInChannel: false, clientId: randomUUID(), author,
      text: input.text, createdAt: at, editedAt: null, deleted: false, replyCount: 0, lastReplyAt: null,
      replyParticipants: [], reactions: [], pinned: false, files: [],
    }
    io.to('big').emit('event', { stream: 'conversation', streamId: conversationId, seq, type: 'message.created', at, conversationId, workspaceId: author.id, data: { message } })
    ack({ ok: true, data: message })
  })
})

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as { port: number }
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`)
})
process.on('SIGTERM', () => {
  io.close()
  process.exit(0)
})
