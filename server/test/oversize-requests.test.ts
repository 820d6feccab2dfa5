import t from 'tap'
import { randomUUID } from 'node:crypto'
import { callSocket, limits } from '@ocomms/shared'
import { startTestServer } from './helpers/server.js'

// A request over the size limit is answered with an error and leaves the connection up: over
// the socket (a frame the transport would otherwise drop the connection for) and over HTTP.
t.test('an oversize request is refused with a clear error, and the connection stays', async (t) => {
  const server = await startTestServer(t)
  const { ws, people } = await server.team('alice')
  const [general] = await people[0].call('conversation.list', { workspaceId: ws.id })
  const alice = await server.connect(people[0].token)
  let disconnects = 0
  alice.socket.on('disconnect', () => disconnects++)

  // Straight onto the socket, past the client's own check, as an older or careless client would.
  const huge = 'x'.repeat(limits.requestBytes + 1)
  const ack = (await alice.socket.timeout(10_000).emitWithAck('message.send', { conversationId: general!.id, text: huge, clientId: randomUUID() })) as {
    ok: boolean
    error?: { code: string; message: string }
  }
  t.equal(ack.ok, false)
  t.equal(ack.error?.code, 'payload_too_large')
  t.match(ack.error?.message, /too large .*at most 1 MiB per request/)

  // A frame under the limit with text over the message limit gets the message limit's sentence.
  const long = await alice.call('message.send', { conversationId: general!.id, text: 'y'.repeat(limits.messageText + 1), clientId: randomUUID() }).catch((e: Error) => e)
  t.match(long, { code: 'invalid_input', message: /text can be at most 40,000 characters; this one has 40,001/ })

  // The client refuses to send such a frame at all.
  const refused = await callSocket(alice.socket.timeout(10_000), 'message.send', { conversationId: general!.id, text: huge, clientId: randomUUID() }).catch((e: Error) => e)
  t.match(refused, { code: 'payload_too_large' })

  const after = await alice.call('message.send', { conversationId: general!.id, text: 'still connected', clientId: randomUUID() })
  t.equal(after.text, 'still connected')
  t.equal(disconnects, 0, 'the socket was never dropped')
  t.ok(alice.socket.connected)

  // Blank text is refused by the server too.
  for (const text of ['   ', '\n\n\n', ' \t\n ']) {
    const blank = await alice.call('message.send', { conversationId: general!.id, text, clientId: randomUUID() }).catch((e: Error) => e)
    t.match(blank, { code: 'invalid_input', message: /blank/ }, `${JSON.stringify(text)} is refused`)
  }
  const edit = await alice.call('message.edit', { messageId: after.id, text: '  \n ' }).catch((e: Error) => e)
  t.match(edit, { code: 'invalid_input', message: /blank/ }, 'an edit to blank text is refused')

  // HTTP: the same limit, with the same code.
  const res = await fetch(`${server.url}/api/conversations/${general!.id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${people[0].token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: huge, clientId: randomUUID() }),
  })
  t.equal(res.status, 413)
  t.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large')
})
