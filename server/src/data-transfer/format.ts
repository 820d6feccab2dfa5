/**
 * The workspace export format, version 1 (docs/export-format.md). A directory:
 *
 *   manifest.json          format, version, when, the workspace, and a count per kind
 *   <kind>.jsonl           one JSON object per line, one file per kind (KINDS below, in load order)
 *   files/<sha256>         the bytes of every file, named by their SHA-256
 *
 * Ids are the exporting server's; a reference (authorId, conversationId, ...) names a record of
 * the same export. Times are ISO 8601 in UTC. Both the export and the import stream: neither
 * ever holds more than one batch of records in memory.
 */

export const EXPORT_FORMAT = 'ocomms-export'
export const EXPORT_VERSION = 1

export interface WorkspaceRecord {
  id: string
  slug: string
  name: string
  createdBy: string | null
  createdAt: string
  broadcastMentions: string
  broadcastMentionsMinMembers: number
}

export interface MemberRecord {
  id: string
  email: string
  handle: string
  name: string
  role: 'owner' | 'admin' | 'member'
  state: 'active' | 'left' | 'deactivated'
  joinedAt: string
}

export interface ConversationRecord {
  id: string
  kind: 'public' | 'private' | 'dm' | 'group_dm'
  name: string | null
  topic: string
  description: string
  createdBy: string | null
  createdAt: string
  archivedAt: string | null
  /** Everyone in it now. */
  members: string[]
  /** A DM or group DM: the people it is between (the same set each time it is opened); null for a channel. */
  dmPeople: string[] | null
}

export interface MessageRecord {
  id: string
  conversationId: string
  /** Its place in the conversation: messages come in seq order per conversation. */
  seq: number
  authorId: string
  threadRootId: string | null
  alsoInChannel: boolean
  /** Markdown as OComms stores it (docs/rich-text.md). Empty for a deleted message. */
  text: string
  createdAt: string
  editedAt: string | null
  deletedAt: string | null
}

export interface ReactionRecord {
  messageId: string
  userId: string
  emoji: string
  createdAt: string
}

export interface PinRecord {
  messageId: string
  conversationId: string
  pinnedBy: string
  pinnedAt: string
}

export interface FileRecord {
  id: string
  conversationId: string
  messageId: string | null
  uploaderId: string
  name: string
  size: number
  mimeType: string
  /** Its bytes are files/<sha256>. */
  sha256: string
  textContent: string | null
  createdAt: string
}

export interface SavedRecord {
  userId: string
  messageId: string
  createdAt: string
}

export interface DraftRecord {
  userId: string
  conversationId: string
  threadRootId: string | null
  text: string
  updatedAt: string
}

export interface PersonSettingsRecord {
  userId: string
  presenceMode: string
  statusText: string | null
  statusEmoji: string | null
  statusExpiresAt: string | null
  dndSnoozeUntil: string | null
  dndSchedule: string | null
  dndScheduleOffUntil: string | null
  timeZone: string
  keywords: string[]
}

export interface NotifyPrefRecord {
  userId: string
  conversationId: string
  level: 'all' | 'mentions' | 'none' | null
  muted: boolean
  ignoreChannelMentions: boolean
}

export interface ThreadFollowRecord {
  rootId: string
  userId: string
  following: boolean
}

export interface KindRecords {
  workspace: WorkspaceRecord
  members: MemberRecord
  conversations: ConversationRecord
  messages: MessageRecord
  reactions: ReactionRecord
  pins: PinRecord
  files: FileRecord
  saved: SavedRecord
  drafts: DraftRecord
  'person-settings': PersonSettingsRecord
  'notify-prefs': NotifyPrefRecord
  'thread-follows': ThreadFollowRecord
}
export type Kind = keyof KindRecords

/** Every kind, in load order: a record only refers to kinds before it (and messages to earlier messages). */
export const KINDS: Kind[] = [
  'workspace',
  'members',
  'conversations',
  'messages',
  'reactions',
  'pins',
  'files',
  'saved',
  'drafts',
  'person-settings',
  'notify-prefs',
  'thread-follows',
]

export interface ExportManifest {
  format: typeof EXPORT_FORMAT
  version: number
  createdAt: string
  workspace: { id: string; slug: string; name: string }
  /** Records per kind (the line count of <kind>.jsonl). */
  counts: Record<Kind, number>
  /** Distinct file bodies under files/. */
  blobs: number
}

export const kindFile = (kind: Kind) => `${kind}.jsonl`

/** Progress of a long export or import: which kind, how many of it so far. */
export type Progress = (p: { kind: Kind | 'blobs'; done: number; total?: number }) => void
