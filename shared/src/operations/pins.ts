import { Type } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Message, PinnedMessage } from '../schemas.js'

export const pinMessage = defineOperation({
  name: 'pin.add',
  summary:
    'Pin a message to its conversation (members only; not deleted messages; not in archived conversations). ' +
    'Pinning a pinned message changes nothing. With `conversationId`, a message of another conversation is refused.',
  http: { method: 'POST', path: '/api/messages/:messageId/pin' },
  auth: 'session',
  input: Type.Object(
    { messageId: Id, conversationId: Type.Optional(Id) },
    { additionalProperties: false },
  ),
  output: Message,
})

export const unpinMessage = defineOperation({
  name: 'pin.remove',
  summary: 'Unpin a message (members only). Unpinning a message that is not pinned changes nothing.',
  http: { method: 'DELETE', path: '/api/messages/:messageId/pin' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Message,
})

export const listPins = defineOperation({
  name: 'pin.list',
  summary: 'The pinned messages of a conversation, most recently pinned first, with who pinned them and when.',
  http: { method: 'GET', path: '/api/conversations/:conversationId/pins' },
  auth: 'session',
  input: Type.Object({ conversationId: Id }, { additionalProperties: false }),
  output: Type.Array(PinnedMessage),
})
