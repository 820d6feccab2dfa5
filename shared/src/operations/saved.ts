import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { defineOperation } from '../operation.js'
import { Count, Id, Ok, SavedMessage, Timestamp } from '../schemas.js'

export const saveMessage = defineOperation({
  name: 'saved.add',
  summary: 'Save a message for later (a personal bookmark, seen by nobody else). Saving it again changes nothing.',
  http: { method: 'POST', path: '/api/messages/:messageId/save' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: SavedMessage,
})

export const unsaveMessage = defineOperation({
  name: 'saved.remove',
  summary: 'Remove a message from your saved items.',
  http: { method: 'DELETE', path: '/api/messages/:messageId/save' },
  auth: 'session',
  input: Type.Object({ messageId: Id }, { additionalProperties: false }),
  output: Ok,
})

export const listSaved = defineOperation({
  name: 'saved.list',
  summary:
    'Your saved messages, most recently saved first. Messages you can no longer read (deleted, or in a conversation you left) are left out. ' +
    'Page with `before`: the `savedAt` of the last item you received.',
  http: { method: 'GET', path: '/api/saved' },
  auth: 'session',
  input: Type.Object(
    {
      workspaceId: Type.Optional(Id),
      limit: Type.Optional(Count({ minimum: 1, maximum: limits.savedPage })),
      before: Type.Optional(Timestamp),
    },
    { additionalProperties: false },
  ),
  output: Type.Array(SavedMessage),
})
