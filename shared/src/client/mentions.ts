import type { MentionFlags } from '../schemas.js'

/** Whether a message, by its server-computed mention flags, mentions this person (or everyone). */
export function mentionsHandle(flags: MentionFlags | undefined, handle: string | null | undefined): boolean {
  if (!flags) return false
  return flags.channel || flags.here || (!!handle && flags.handles.includes(handle.toLowerCase()))
}
