import type { Conversation, Message } from '@ocomms/shared'
import { linkTarget, OCommsError, parseLink } from '@ocomms/shared/core'
import type { BridgeSession } from '../bridge/bridge.js'
import type { OpenRequest } from '../bridge/protocol.js'

export type LinkRoute = { open: OpenRequest } | { relaunch: string }

const origin = (url: string) => {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

/**
 * Where a clicked `ocomms://` link goes. A link naming a server opens with the profile signed in
 * there (another profile's instance, if that is not this one); without one, with this profile.
 * The conversation and message are resolved by the daemon, so a link to something this account
 * may not read is refused the way every read is.
 */
export async function routeLink(raw: string, here: string, session: BridgeSession): Promise<LinkRoute> {
  const parsed = parseLink(raw)
  if (!parsed.ok) throw new OCommsError('invalid_input', parsed.error)
  const link = parsed.value
  const profile = here
  if (link.server) {
    const status = (await session.call('daemon.status', {})) as { profiles: Array<{ profile: string; server: string }> }
    const candidates = status.profiles.filter((p) => origin(p.server) === link.server)
    if (candidates.length === 0) throw new OCommsError('not_found', `No profile is signed in to ${link.server}: sign in there first.`)
    if (!candidates.some((p) => p.profile === here)) return { relaunch: candidates[0]!.profile }
  }
  if (link.kind === 'message') {
    const m = (await session.call('resolve.message', { profile, ref: link.messageId })) as Message
    if (m.conversationId !== link.conversationId) throw new OCommsError('not_found', 'That message is not in that conversation.')
    return { open: { profile, conversationId: m.conversationId, messageId: m.id, threadRootId: m.threadRootId } }
  }
  const c = (await session.call('resolve.target', { profile, target: linkTarget(link) })) as Conversation
  if (link.kind === 'channel' && c.kind !== 'public' && c.kind !== 'private') throw new OCommsError('not_found', 'That is not a channel.')
  return { open: { profile, conversationId: c.id, messageId: null, threadRootId: null } }
}
