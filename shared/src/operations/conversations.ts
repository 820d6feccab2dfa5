import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { defineOperation } from '../operation.js'
import { ChannelName, Conversation, Id, Member, Ok } from '../schemas.js'

const ConversationScoped = { conversationId: Id }

export const createChannel = defineOperation({
  name: 'channel.create',
  summary: 'Create a public or private channel; you become its first member.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/channels' },
  auth: 'session',
  input: Type.Object(
    {
      workspaceId: Id,
      name: ChannelName,
      private: Type.Optional(Type.Boolean()),
      topic: Type.Optional(Type.String({ maxLength: limits.topic })),
      description: Type.Optional(Type.String({ maxLength: limits.description })),
    },
    { additionalProperties: false },
  ),
  output: Conversation,
})

export const listConversations = defineOperation({
  name: 'conversation.list',
  summary: 'Your channels and DMs in a workspace; with `all`, public channels you have not joined too.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/conversations' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id, all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Array(Conversation),
})

export const findChannel = defineOperation({
  name: 'channel.find',
  summary: 'A channel by name (private channels only for their members).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/channels/:name' },
  auth: 'session',
  input: Type.Object({ workspaceId: Id, name: Type.String({ minLength: 1, maxLength: 81 }) }, { additionalProperties: false }),
  output: Conversation,
})

export const getConversation = defineOperation({
  name: 'conversation.get',
  summary: 'One conversation you can read.',
  http: { method: 'GET', path: '/api/conversations/:conversationId' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Conversation,
})

export const openDm = defineOperation({
  name: 'dm.open',
  summary: 'Open the DM (one other person) or group DM with these people; an existing one is returned, not duplicated.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/dms' },
  auth: 'session',
  input: Type.Object(
    { workspaceId: Id, userIds: Type.Array(Id, { minItems: 1, maxItems: limits.groupDmMembers - 1, uniqueItems: true }) },
    { additionalProperties: false },
  ),
  output: Conversation,
})

export const joinConversation = defineOperation({
  name: 'conversation.join',
  summary: 'Join a public channel.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/join' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Conversation,
})

export const leaveConversation = defineOperation({
  name: 'conversation.leave',
  summary: 'Leave a channel. DMs cannot be left.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/leave' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Ok,
})

export const inviteToConversation = defineOperation({
  name: 'conversation.invite',
  summary: 'Add workspace members to a channel you are in.',
  http: { method: 'POST', path: '/api/conversations/:conversationId/members' },
  auth: 'session',
  input: Type.Object(
    { ...ConversationScoped, userIds: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }) },
    { additionalProperties: false },
  ),
  output: Conversation,
})

export const kickFromConversation = defineOperation({
  name: 'conversation.kick',
  summary: 'Remove someone from a channel (workspace admins and the channel\'s creator).',
  http: { method: 'DELETE', path: '/api/conversations/:conversationId/members/:userId' },
  auth: 'session',
  input: Type.Object({ ...ConversationScoped, userId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const listConversationMembers = defineOperation({
  name: 'conversation.members',
  summary: 'Who is in a conversation.',
  http: { method: 'GET', path: '/api/conversations/:conversationId/members' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Type.Array(Member),
})

export const updateConversation = defineOperation({
  name: 'conversation.update',
  summary: 'Change a channel\'s topic, description or name.',
  http: { method: 'PATCH', path: '/api/conversations/:conversationId' },
  auth: 'session',
  input: Type.Object(
    {
      ...ConversationScoped,
      topic: Type.Optional(Type.String({ maxLength: limits.topic })),
      description: Type.Optional(Type.String({ maxLength: limits.description })),
      name: Type.Optional(ChannelName),
    },
    { additionalProperties: false },
  ),
  output: Conversation,
})

export const archiveConversation = defineOperation({
  name: 'conversation.archive',
  summary: 'Archive a channel: it stays readable and becomes read-only (workspace admins and the channel\'s creator).',
  http: { method: 'POST', path: '/api/conversations/:conversationId/archive' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Conversation,
})

export const unarchiveConversation = defineOperation({
  name: 'conversation.unarchive',
  summary: 'Make an archived channel writable again (workspace admins).',
  http: { method: 'POST', path: '/api/conversations/:conversationId/unarchive' },
  auth: 'session',
  input: Type.Object(ConversationScoped, { additionalProperties: false }),
  output: Conversation,
})
