import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { defineOperation } from '../operation.js'
import { Event } from '../events/index.js'
import { Count, Id, SeqNumber } from '../schemas.js'

const Cursor = SeqNumber({ description: 'The last seq the client applied; 0 for none.' })

const StreamPage = Type.Object({
  streamId: Id,
  events: Type.Array(Event),
  /** More events follow: call sync again with the new cursor. */
  hasMore: Type.Boolean(),
  /** The cursor is older than the events the server keeps: rebuild this stream from a snapshot. */
  reset: Type.Boolean(),
  lastSeq: SeqNumber(),
})

export const sync = defineOperation({
  name: 'sync',
  summary:
    'Everything after the given cursors: per conversation, for the user and per workspace. ' +
    'Streams the caller may no longer read come back in `gone`; `heads` lists every conversation the caller is in with its last seq, so new ones are discovered.',
  http: { method: 'POST', path: '/api/sync' },
  auth: 'session',
  input: Type.Object(
    {
      conversations: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Cursor, { maxProperties: 5_000 })),
      user: Type.Optional(Cursor),
      workspaces: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Cursor, { maxProperties: 100 })),
      limit: Type.Optional(Count({ minimum: 1, maximum: limits.syncPage })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    conversations: Type.Array(StreamPage),
    user: StreamPage,
    workspaces: Type.Array(StreamPage),
    gone: Type.Array(Id),
    heads: Type.Record(Type.String(), SeqNumber()),
  }),
})
