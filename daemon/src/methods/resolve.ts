import { formatTarget, OCommsError, parseMessageRef, parseTarget, type Conversation, type Message, type Target } from '@ocomms/shared'
import type { ProfileSession } from '../session.js'
import { currentWorkspace } from './call.js'
import type { HandlersFor } from './handler.js'

/** Asks the server; when it cannot be reached, answers from the cache (or says it cannot). */
async function serverOrCache<T>(fromServer: () => Promise<T>, fromCache: () => T | null): Promise<T> {
  try {
    return await fromServer()
  } catch (err) {
    if (!(err instanceof OCommsError && err.code === 'unavailable')) throw err
    const cached = fromCache()
    if (cached === null) throw err
    return cached
  }
}

export async function resolveChannel(session: ProfileSession, name: string): Promise<Conversation> {
  const workspaceId = currentWorkspace(session)
  try {
    const c = await serverOrCache(
      () => session.call('channel.find', { workspaceId, name }),
      () => session.cache.channelByName(workspaceId, name),
    )
    if (!session.cache.conversation(c.id)) session.cache.putConversation(c, c.lastSeq)
    return c
  } catch (err) {
    if (err instanceof OCommsError && err.code === 'not_found') throw new OCommsError('not_found', `No channel #${name} in this workspace (or it is private and you are not in it).`)
    throw err
  }
}

export async function resolveTargetFor(session: ProfileSession, raw: string): Promise<Conversation> {
  const parsed = parseTarget(raw)
  if (!parsed.ok) throw new OCommsError('invalid_input', parsed.error)
  return resolveParsedTarget(session, parsed.value)
}

async function resolveParsedTarget(session: ProfileSession, target: Target): Promise<Conversation> {
  if (target.kind === 'channel') return resolveChannel(session, target.name)
  if (target.kind === 'id') {
    return serverOrCache(
      () => session.call('conversation.get', { conversationId: target.id }),
      () => session.cache.conversation(target.id)?.conversation ?? null,
    )
  }
  const workspaceId = currentWorkspace(session)
  const me = session.profile.user.handle
  return serverOrCache(
    async () => {
      const userIds: string[] = []
      for (const handle of target.handles) {
        try {
          const member = await session.call('member.get', { workspaceId, member: handle })
          if (member.state !== 'active') throw new OCommsError('not_found', `@${handle} is no longer in this workspace.`)
          userIds.push(member.id)
        } catch (err) {
          if (err instanceof OCommsError && err.code === 'not_found') throw new OCommsError('not_found', `No one with the handle @${handle} in this workspace.`)
          throw err
        }
      }
      const c = await session.call('dm.open', { workspaceId, userIds })
      if (!session.cache.conversation(c.id)) session.cache.putConversation(c, c.lastSeq)
      return c
    },
    () => {
      // Offline: a DM we already have with exactly these people.
      const wanted = new Set([...target.handles, me])
      return (
        session.cache
          .conversations(workspaceId, false)
          .find((c) => (c.kind === 'dm' || c.kind === 'group_dm') && c.members?.length === wanted.size && c.members.every((p) => wanted.has(p.handle))) ?? null
      )
    },
  )
}

export async function resolveMessageFor(session: ProfileSession, raw: string): Promise<Message> {
  const parsed = parseMessageRef(raw)
  if (!parsed.ok) throw new OCommsError('invalid_input', parsed.error)
  const ref = parsed.value
  if (ref.kind === 'id') {
    return serverOrCache(
      () => session.call('message.get', { messageId: ref.id }),
      () => session.cache.message(ref.id),
    )
  }
  const conversation = await resolveParsedTarget(session, ref.target)
  try {
    return await serverOrCache(
      () => session.call('message.getBySeq', { conversationId: conversation.id, seq: ref.seq }),
      () => session.cache.messageBySeq(conversation.id, ref.seq),
    )
  } catch (err) {
    if (err instanceof OCommsError && err.code === 'not_found') {
      throw new OCommsError(
        'not_found',
        `No message ${ref.seq} in ${formatTarget(ref.target)}: every change to a conversation (edits, reactions, pins) takes a number, ` +
          `so not every number is a message. \`ocomms read\` prints each message's reference in front of it.`,
      )
    }
    throw err
  }
}

export const resolveHandlers: HandlersFor<'resolve.'> = {
  'resolve.target': (params, { daemon }) => resolveTargetFor(daemon.session(params.profile), params.target),
  'resolve.message': (params, { daemon }) => resolveMessageFor(daemon.session(params.profile), params.ref),
}
