import { Type, type Static } from '@sinclair/typebox'
import { Id, Timestamp } from '../schemas.js'

/**
 * Every change is an event in exactly one stream, numbered gap-free within it:
 *  - `conversation` streams: what everyone who can read that conversation sees;
 *  - `user` streams: what concerns one person only (joined/left a conversation,
 *    drafts, read markers, ... in later features);
 *  - `workspace` streams: what every member of a workspace sees (members, roles,
 *    public channels created).
 * A client keeps one cursor (the last seq it applied) per stream and asks `sync`
 * for everything after it. See docs/events.md.
 */
export const StreamKind = Type.Union([Type.Literal('conversation'), Type.Literal('user'), Type.Literal('workspace')])
export type StreamKind = Static<typeof StreamKind>

export { eventTypes, type EventType } from './event-types.js'

export const Event = Type.Object({
  stream: StreamKind,
  /** The conversation, user or workspace id the stream belongs to. */
  streamId: Id,
  seq: Type.Integer({ minimum: 1 }),
  type: Type.String(),
  at: Timestamp,
  /** Convenience copies of the ids most consumers filter on. */
  conversationId: Type.Optional(Id),
  workspaceId: Type.Optional(Id),
  data: Type.Record(Type.String(), Type.Unknown()),
})
export type Event = Static<typeof Event>

/** The socket event name that carries live `Event`s from server to client. */
export const LIVE_EVENT = 'event'
