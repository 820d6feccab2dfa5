import type { ConversationAccess } from '../access.js'
import type { Change } from '../events/transaction.js'

/** A deleted message leaves the conversation's pins; clients hear `message.unpinned` with reason `deleted`. */
export async function unpinDeleted(change: Change, messageId: string, c: ConversationAccess): Promise<void> {
  const gone = await change.sql`delete from pins where message_id = ${messageId} returning 1`
  if (gone.length === 0) return
  await change.emit('conversation', c.id, 'message.unpinned', { messageId, by: null, reason: 'deleted' }, {
    conversationId: c.id,
    workspaceId: c.workspaceId,
  })
}
