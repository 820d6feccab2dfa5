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
  /**
   * The largest file the server takes by default, in bytes (`OCOMMS_FILE_SIZE_LIMIT` changes it
   * on the server). Clients that hand bytes to another process first refuse a larger file
   * themselves, before anything is sent.
   */
  fileBytes: 100 * 1024 * 1024,
  /** Text files up to this size keep their text for search. */
  fileTextContent: 64 * 1024,
  /** Most saved items returned by one call. */
  savedPage: 100,
  /** Longest custom status text, and its emoji (a shortcode or the emoji itself). */
  statusText: 100,
  statusEmoji: 64,
  /**
   * The largest request the server takes by default, in bytes: an HTTP body or one socket frame
   * (`OCOMMS_BODY_LIMIT` changes it on the server). A client never sends a frame over it: it
   * refuses the call itself, so nobody's connection is dropped for what they typed.
   */
  requestBytes: 1024 * 1024,
} as const

/** The sentence for a request over the size limit. */
export function tooLargeSentence(bytes: number, limit: number): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 2)} MiB`
  return `The request is too large (${mib(bytes)}); the server takes at most ${mib(limit)} per request.`
}

/** Why a file of `bytes` cannot be uploaded, in words, or null when it can (the server's default limit). */
export function fileSizeProblem(bytes: number): string | null {
  if (bytes <= limits.fileBytes) return null
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `The file is too large (${mib(bytes)}); files can be at most ${mib(limits.fileBytes)}.`
}

/**
 * Why `text` cannot be the text of a message, in words, or null when it can. Blank text (only
 * spaces and line breaks) is a message only when it carries files. Checked by every client before
 * a send is queued, and again by the server.
 */
export function messageTextProblem(text: string, options: { withFiles?: boolean } = {}): string | null {
  if (text.length > limits.messageText) {
    return `A message can be at most ${limits.messageText.toLocaleString('en')} characters; this one has ${text.length.toLocaleString('en')}.`
  }
  if (text.trim() === '' && !options.withFiles) return 'A message needs some text: this one is blank.'
  return null
}

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
