/**
 * The yardstick for P2 and P10: a Socket.IO server with nothing but the fan-out. Same transport
 * settings as OComms (WebSocket only, no compression); every client joins the rooms of its
 * conversations, and a `message.send` broadcasts an event shaped and sized like OComms'
 * message.created to its conversation's room and answers it.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const http = createServer()
const io = new Server(http, { transports: ['websocket'], allowUpgrades: false, perMessageDeflate: false, serveClient: false })
let seq = 0
const author = { id: randomUUID(), handle: 'u0', name: 'User 0' }

/** An event shaped and sized like OComms' message.created, to the members of `room`. */
function relay(room: string, text: string): unknown {
  seq++
  const at = new Date().toISOString()
  const message = {
    id: randomUUID(), seq, conversationId: room, threadRootId: null, alsoInChannel: false, clientId: randomUUID(), author,
    text, createdAt: at, editedAt: null, deleted: false, replyCount: 0, lastReplyAt: null,
    replyParticipants: [], reactions: [], pinned: false, files: [],
  }
  io.to(room).emit('event', { stream: 'conversation', streamId: room, seq, type: 'message.created', at, conversationId: room, workspaceId: author.id, data: { message } })
  return { ok: true, data: message }
}

io.on('connection', (socket) => {
  // Each client names its rooms, the conversations it is in: P2's one big channel, P10's small rooms.
  const named = (socket.handshake.auth as { rooms?: unknown }).rooms
  if (Array.isArray(named)) socket.join(named.map(String))
  // A send, relayed to its conversation's room and answered, storing nothing: the transport alone.
  socket.on('message.send', (input: { conversationId: string; text: string }, ack: (a: unknown) => void) => ack(relay(input.conversationId, input.text)))
})

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as { port: number }
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`)
})
process.on('SIGTERM', () => {
  io.close()
  process.exit(0)
})
