/** Limits that both sides must agree on; the server enforces them. */
export const limits = {
  /** Longest message text, in characters (Slack uses the same bound). */
  messageText: 40_000,
  /** Longest channel topic and description. */
  topic: 250,
  description: 1_000,
  /** Channel names: lowercase letters, digits, '-', '_' (Slack's rule). */
  channelName: 80,
  handle: 32,
  displayName: 80,
  passwordMin: 8,
  passwordMax: 256,
  /** Most events returned for one stream by one sync call; clients page with `hasMore`. */
  syncPage: 1_000,
  historyPage: 200,
  /** Group DMs hold at most this many members, the caller included. */
  groupDmMembers: 9,
  /** Different emoji on one message (Slack's bound). */
  reactionsPerMessage: 50,
  /** Pinned messages per conversation (Slack's bound). */
  pinsPerConversation: 100,
  /** Files attached to one message (Slack's bound). */
  filesPerMessage: 10,
  /** Longest file name, in characters. */
  fileName: 255,
  /** Text files up to this size keep their text for search. */
  fileTextContent: 64 * 1024,
  /** Most saved items returned by one call. */
  savedPage: 100,
} as const

/**
 * The largest whole numbers the protocol carries, by the column that keeps them: stream seqs are
 * PostgreSQL bigints, but a JavaScript number is exact only up to 2^53 − 1, so that is their
 * bound; counts and other small numbers live in int columns (up to 2^31 − 1). Every integer in
 * a schema is bounded by one of these, so no value the database cannot hold gets past validation.
 */
export const integerBounds = {
  seq: Number.MAX_SAFE_INTEGER,
  int: 2 ** 31 - 1,
} as const

export const channelNamePattern = '^[a-z0-9][a-z0-9_-]{0,79}$'
export const handlePattern = '^[a-z0-9][a-z0-9._-]{0,31}$'

/** Handles that mean a group in a message (`@channel`, `@here`, `@everyone`), so no person may take them. */
export const reservedHandles: readonly string[] = ['channel', 'here', 'everyone']
