import { OCommsError } from '@ocomms/shared'
import { assertCanPost, readableConversation, readableMessage } from '../../access.js'
import type { AuthedContext } from '../../services.js'
import type { HandlersFor } from '../handler.js'

/** Typing needs what posting needs: membership of an unarchived conversation. */
async function typingTarget(ctx: AuthedContext, conversationId: string, threadRootId: string | undefined) {
  const { sql } = ctx.services
  const c = await readableConversation(sql, conversationId, ctx.caller.userId)
  assertCanPost(c)
  if (threadRootId) {
    const root = await readableMessage(sql, threadRootId, ctx.caller.userId)
    if (root.conversation.id !== c.id || root.threadRootId) {
      throw new OCommsError('not_found', 'No such thread in this conversation.')
    }
  }
  return c
}

export const typingHandlers: HandlersFor<'typing'> = {
  'typing.start': async (ctx, input) => {
    const c = await typingTarget(ctx, input.conversationId, input.threadRootId)
    const [me] = await ctx.services.sql<{ handle: string }[]>`select handle from users where id = ${ctx.caller.userId}`
    ctx.services.attention.typing.start(ctx.caller.userId, me!.handle, c.id, input.threadRootId ?? null)
    return { ok: true as const }
  },

  'typing.stop': async (ctx, input) => {
    // No access check needed to stop: only the caller's own indicator is touched.
    ctx.services.attention.typing.stop(ctx.caller.userId, input.conversationId, input.threadRootId ?? null)
    return { ok: true as const }
  },
}
