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
} as const

export const channelNamePattern = '^[a-z0-9][a-z0-9_-]{0,79}$'
export const handlePattern = '^[a-z0-9][a-z0-9._-]{0,31}$'
