import { Type } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Id, Message, ReactionDetail } from '../schemas.js'

const Emoji = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'A `:shortcode:` (gemoji names, as on GitHub and Slack) or the emoji character itself.',
})

export const addReaction = defineOperation({
  name: 'reaction.add',
  summary:
    'React to a message. `:+1:` and 👍 are the same reaction; adding one you already added changes nothing. ' +
    'Needs membership of the conversation (join a public channel first); not on deleted messages or in archived conversations.',
  http: { method: 'POST', path: '/api/messages/:messageId/reactions' },
  auth: 'session',
  input: Type.Object({ messageId: Id, emoji: Emoji }, { additionalProperties: false }),
  output: Message,
})

export const removeReaction = defineOperation({
  name: 'reaction.remove',
  summary: 'Take back your reaction. Removing one you did not add changes nothing.',
  http: { method: 'DELETE', path: '/api/messages/:messageId/reactions' },
  auth: 'session',
  input: Type.Object({ messageId: Id, emoji: Emoji }, { additionalProperties: false }),
  output: Message,
})

export const listReactions = defineOperation({
  name: 'reaction.list',
  summary: 'Who reacted to a message, per emoji: how many and who, in the order they reacted.',
  http: { method: 'GET', path: '/api/messages/:messageId/reactions' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Type.Array(ReactionDetail),
})
