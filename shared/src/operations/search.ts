import { Type, type Static } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { ByteSize, Conversation, Count, Id, Member, Message, Nullable, PersonRef, Timestamp } from '../schemas.js'
import { searchLimits } from '../search-query/parse.js'

export const SearchType = Type.Union([Type.Literal('messages'), Type.Literal('files'), Type.Literal('people'), Type.Literal('channels')])
export type SearchType = Static<typeof SearchType>

export const SearchSort = Type.Union([Type.Literal('recent'), Type.Literal('relevance')])
export type SearchSort = Static<typeof SearchSort>

const Snippet = Type.String({
  description: 'An excerpt with each hit between \\u0002 and \\u0003 (see snippetMarks and renderSnippet in @ocomms/shared).',
})

/** A message found by search, with the conversation it is in. */
export const MessageHit = Type.Composite([Message, Type.Object({ conversation: Conversation, snippet: Snippet })])
export type MessageHit = Static<typeof MessageHit>

/** A file found by its name or (for small text files) its content. */
export const FileHit = Type.Object({
  id: Id,
  name: Type.String(),
  size: ByteSize(),
  mimeType: Type.String(),
  conversationId: Id,
  messageId: Id,
  uploader: PersonRef,
  createdAt: Timestamp,
  snippet: Snippet,
  conversation: Conversation,
})
export type FileHit = Static<typeof FileHit>

const PerType = <T extends Parameters<typeof Type.Object>[0][string]>(schema: T) =>
  Type.Object({ messages: schema, files: schema, people: schema, channels: schema })

export const SearchResults = Type.Object({
  /** The query as understood, in canonical form (dates resolved). */
  query: Type.String(),
  messages: Type.Array(MessageHit),
  files: Type.Array(FileHit),
  people: Type.Array(Member),
  channels: Type.Array(Conversation),
  /** Whether a further page exists, per type. There is deliberately no total count. */
  hasMore: PerType(Type.Boolean()),
  /** Pass one of these as `cursor` (with its `type`) for the next page. */
  next: PerType(Nullable(Type.String())),
  /** Set by the daemon when it answered from its cache because the server was unreachable. */
  local: Type.Optional(Type.Boolean()),
})
export type SearchResults = Static<typeof SearchResults>

export const search = defineOperation({
  name: 'search',
  summary:
    'Search messages, files, people and channels of a workspace with the query grammar (words, "phrases", -exclusions, from: in: has: is: before: after: on: during:). Only what you may read.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/search' },
  auth: 'session',
  input: Type.Object(
    {
      workspaceId: Id,
      query: Type.String({ maxLength: searchLimits.queryLength }),
      type: Type.Optional(SearchType),
      sort: Type.Optional(SearchSort),
      limit: Type.Optional(Count({ minimum: 1, maximum: 100, description: 'Per type; default 20.' })),
      cursor: Type.Optional(Type.String({ maxLength: 512, description: 'From `next` of the previous page; needs `type`.' })),
      timeZone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone the query\'s dates are days in; default UTC.' })),
    },
    { additionalProperties: false },
  ),
  output: SearchResults,
})
