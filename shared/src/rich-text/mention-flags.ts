import type { MentionFlags } from '../schemas.js'
import { extractMentions } from './extract.js'
import { parseRichText } from './parse.js'

const none: MentionFlags = { handles: [], channel: false, here: false }

/** A message's mention flags, from the shared parser (the server computes them; clients read them). */
export function mentionFlags(text: string): MentionFlags {
  // Most messages mention nobody: skip parsing them.
  if (!text.includes('@')) return none
  return extractMentions(parseRichText(text))
}
