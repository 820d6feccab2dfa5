import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { defineOperation } from '../operation.js'
import { Count, Id, Message, Ok, SeqNumber } from '../schemas.js'

export const MessageText = Type.String({ minLength: 1, maxLength: limits.messageText })

export const sendMessage = defineOperation({
  name: 'message.send',
  summary:
    'Post a message (markdown). `clientId` makes retries safe: sending the same clientId again returns the original message. ' +
    '`fileIds` attaches files you uploaded unattached to this conversation; with files, the text may be empty.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/messages' },
  auth: 'session',
  input: Type.Object(
    {
      conversationId: Id,
      text: Type.String({ maxLength: limits.messageText, description: 'Required unless fileIds are given.' }),
      clientId: Type.String({ minLength: 1, maxLength: 64, description: 'Chosen by the client, unique per author.' }),
      threadRootId: Type.Optional(Id),
      alsoToChannel: Type.Optional(Type.Boolean({ description: 'For a thread reply: show it in the channel too.' })),
      fileIds: Type.Optional(
        Type.Array(Id, { maxItems: limits.filesPerMessage, uniqueItems: true, description: 'Your unattached uploads in this conversation.' }),
      ),
    },
    { additionalProperties: false },
  ),
  output: Message,
})

export const listMessages = defineOperation({
  name: 'message.list',
  summary: 'Channel history (top-level messages and replies also sent to the channel), oldest first.',
  http: { method: 'GET', path: '/api/conversations/:conversationId/messages' },
  auth: 'session',
  input: Type.Object(
    {
      conversationId: Id,
      limit: Type.Optional(Count({ minimum: 1, maximum: limits.historyPage })),
      beforeSeq: Type.Optional(SeqNumber({ minimum: 1 })),
      afterSeq: Type.Optional(SeqNumber()),
    },
    { additionalProperties: false },
  ),
  output: Type.Array(Message),
})

export const listReplies = defineOperation({
  name: 'thread.replies',
  summary: 'A thread: its root first, then the replies, oldest first.',
  http: { method: 'GET', path: '/api/messages/:messageId/replies' },
  auth: 'session',
  input: Type.Object(
    {
      messageId: Id,
      limit: Type.Optional(Count({ minimum: 1, maximum: limits.historyPage })),
      afterSeq: Type.Optional(SeqNumber()),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ root: Message, replies: Type.Array(Message), following: Type.Boolean() }),
})

export const getMessage = defineOperation({
  name: 'message.get',
  summary: 'One message by id.',
  http: { method: 'GET', path: '/api/messages/:messageId' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Message,
})

export const getMessageBySeq = defineOperation({
  name: 'message.getBySeq',
  summary: 'One message by its seq in a conversation (for references such as #general/42).',
  http: { method: 'GET', path: '/api/conversations/:conversationId/messages/:seq' },
  auth: 'session',
  input: Type.Object({ conversationId: Id, seq: SeqNumber({ minimum: 1 }) }, { additionalProperties: false }),
  output: Message,
})

export const editMessage = defineOperation({
  name: 'message.edit',
  summary: 'Change the text of your message.',
  http: { method: 'PATCH', path: '/api/messages/:messageId' },
  auth: 'session',
  input: Type.Object({ messageId: Id, text: MessageText }, { additionalProperties: false }),
  output: Message,
})

export const deleteMessage = defineOperation({
  name: 'message.delete',
  summary: 'Delete a message (yours, or any as a workspace admin). It stays as a tombstone so threads and order hold.',
  http: { method: 'DELETE', path: '/api/messages/:messageId' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const followThread = defineOperation({
  name: 'thread.follow',
  summary: 'Follow a thread: its replies count for you. Authors and repliers follow automatically.',
  http: { method: 'POST', path: '/api/messages/:messageId/follow' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const unfollowThread = defineOperation({
  name: 'thread.unfollow',
  summary: 'Stop following a thread (until you reply again).',
  http: { method: 'DELETE', path: '/api/messages/:messageId/follow' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Ok,
})
