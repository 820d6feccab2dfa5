import { Type, type IntegerOptions, type Static } from '@sinclair/typebox'
import { channelNamePattern, handlePattern, integerBounds, limits } from './limits.js'

/** Protocol entities. Each is declared once here and imported everywhere else. */

export const Id = Type.String({ format: 'uuid', description: 'An opaque identifier.' })
export const Timestamp = Type.String({ format: 'date-time' })
/** A seq of an event stream, or a cursor (0 = none): 0 to 2^53 − 1 (see `integerBounds`). */
export const SeqNumber = (options: IntegerOptions = {}) => Type.Integer({ minimum: 0, maximum: integerBounds.seq, ...options })
/** A count, size or other whole number kept in an int column: 0 to 2^31 − 1 unless narrowed. */
export const Count = (options: IntegerOptions = {}) => Type.Integer({ minimum: 0, maximum: integerBounds.int, ...options })
/** A file size in bytes (a bigint column): 0 to 2^53 − 1. */
export const ByteSize = (options: IntegerOptions = {}) => Type.Integer({ minimum: 0, maximum: integerBounds.seq, ...options })
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')])
export type Role = Static<typeof Role>

export const Handle = Type.String({ pattern: handlePattern, maxLength: limits.handle, description: 'Lowercase letters, digits, ".", "_" and "-".' })
export const ChannelName = Type.String({ pattern: channelNamePattern, maxLength: limits.channelName, description: 'Lowercase letters, digits, "-" and "_".' })
export const DisplayName = Type.String({ minLength: 1, maxLength: limits.displayName })
export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Password = Type.String({ minLength: limits.passwordMin, maxLength: limits.passwordMax })

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  handle: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
})
export type User = Static<typeof User>

/** What anyone in a shared workspace may see of a person. */
export const PersonRef = Type.Object({ id: Id, handle: Type.String(), name: Type.String() })
export type PersonRef = Static<typeof PersonRef>

export const Presence = Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('busy'), Type.Literal('offline')])
export const CustomStatus = Type.Object({ text: Type.String(), emoji: Nullable(Type.String()), expiresAt: Nullable(Timestamp) })

export const MemberState = Type.Union([Type.Literal('active'), Type.Literal('left'), Type.Literal('deactivated')])

export const Member = Type.Object({
  id: Id,
  handle: Type.String(),
  name: Type.String(),
  role: Role,
  state: MemberState,
  joinedAt: Timestamp,
  presence: Presence,
  status: Nullable(CustomStatus),
  dnd: Type.Boolean(),
})
export type Member = Static<typeof Member>

export const Workspace = Type.Object({
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: Timestamp,
  lastSeq: SeqNumber({ description: 'Head of the workspace event stream.' }),
})
export type Workspace = Static<typeof Workspace>

export const ConversationKind = Type.Union([
  Type.Literal('public'),
  Type.Literal('private'),
  Type.Literal('dm'),
  Type.Literal('group_dm'),
])
export type ConversationKind = Static<typeof ConversationKind>

export const Conversation = Type.Object({
  id: Id,
  workspaceId: Id,
  kind: ConversationKind,
  name: Nullable(Type.String()),
  topic: Type.String(),
  description: Type.String(),
  memberCount: Count(),
  archived: Type.Boolean(),
  createdBy: Nullable(Id),
  createdAt: Timestamp,
  isMember: Type.Boolean(),
  lastSeq: SeqNumber({ description: 'Head of the conversation event stream.' }),
  /** For DMs and group DMs: who is in it (the caller included). */
  members: Type.Optional(Type.Array(PersonRef)),
})
export type Conversation = Static<typeof Conversation>

/** A message's reactions, one entry per emoji in the order they were first added; `members` are handles. */
export const Reaction = Type.Object({ emoji: Type.String(), count: Count(), members: Type.Array(Type.String()) })
export type Reaction = Static<typeof Reaction>
export const FileRef = Type.Object({ id: Id, name: Type.String(), size: ByteSize(), mimeType: Type.String() })
export type FileRef = Static<typeof FileRef>

/**
 * Whom a message mentions, computed by the server with the shared markdown parser (code spans,
 * code blocks and link texts mention nobody), so no client guesses: lowercase handles, and
 * whether it says @channel (or @everyone) or @here.
 */
export const MentionFlags = Type.Object({ handles: Type.Array(Type.String()), channel: Type.Boolean(), here: Type.Boolean() })
export type MentionFlags = Static<typeof MentionFlags>

export const Message = Type.Object({
  id: Id,
  seq: SeqNumber({ description: 'The conversation seq of the event that created the message.' }),
  conversationId: Id,
  threadRootId: Nullable(Id),
  alsoInChannel: Type.Boolean({ description: 'A thread reply that was also sent to the channel.' }),
  clientId: Nullable(Type.String()),
  author: PersonRef,
  text: Type.String(),
  createdAt: Timestamp,
  editedAt: Nullable(Timestamp),
  deleted: Type.Boolean({ description: 'Deleted messages keep their place as a tombstone with empty text.' }),
  replyCount: Count(),
  lastReplyAt: Nullable(Timestamp),
  replyParticipants: Type.Array(PersonRef),
  reactions: Type.Array(Reaction),
  pinned: Type.Boolean(),
  files: Type.Array(FileRef),
  mentions: Type.Optional(MentionFlags),
})
export type Message = Static<typeof Message>

/** Who reacted with one emoji, in the order they reacted. */
export const ReactionDetail = Type.Object({
  emoji: Type.String(),
  shortcode: Nullable(Type.String({ description: 'The primary :shortcode: of the emoji, without colons.' })),
  count: Count(),
  members: Type.Array(Type.String({ description: 'Handles.' })),
  people: Type.Array(PersonRef),
})
export type ReactionDetail = Static<typeof ReactionDetail>

/** A pinned message with who pinned it and when. */
export const PinnedMessage = Type.Composite([Message, Type.Object({ pinnedBy: PersonRef, pinnedAt: Timestamp })])
export type PinnedMessage = Static<typeof PinnedMessage>

/** A message the caller saved, with when. */
export const SavedMessage = Type.Composite([Message, Type.Object({ savedAt: Timestamp })])
export type SavedMessage = Static<typeof SavedMessage>

/** A file's metadata. `messageId` is null until the file is attached to a message. */
export const FileInfo = Type.Object({
  id: Id,
  name: Type.String(),
  size: ByteSize(),
  mimeType: Type.String(),
  conversationId: Id,
  messageId: Nullable(Id),
  uploader: PersonRef,
  createdAt: Timestamp,
})
export type FileInfo = Static<typeof FileInfo>

export const SessionInfo = Type.Object({
  id: Id,
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  /** When the session ends unless used before (each use renews it, up to its absolute lifetime); null: never. */
  expiresAt: Nullable(Timestamp),
  userAgent: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  current: Type.Boolean(),
})
export type SessionInfo = Static<typeof SessionInfo>

export const Ok = Type.Object({ ok: Type.Literal(true) })
