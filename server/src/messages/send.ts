import { messageTextProblem, OCommsError, type CallInput, type EventData, type Message } from '@ocomms/shared'
import { accessFrom, assertCanPost, assertNotArchived, type ConversationAccess } from '../access.js'
import { batcherPer } from '../db/batcher.js'
import { transaction, type Change } from '../events/transaction.js'
import { findMentions, type FoundMentions } from '../attention/mentions.js'
import { afterMessageCreated, planMessageAttention, storeNewMentions } from '../attention/on-message.js'
import * as load from '../queries.js'
import type { AuthedContext, Services } from '../services.js'
import { mark } from '../trace/send-timeline.js'
import { plainSends } from './group-commit.js'
import { checkSends, type SendCheck } from './send-check.js'
import { insertMessages, newMessageOut } from './store.js'

/** Thrown inside a send transaction to roll it back when the author already used the clientId. */
class AlreadySent {}

export const rootSummary = (root: Message) => ({
  id: root.id,
  replyCount: root.replyCount,
  lastReplyAt: root.lastReplyAt,
  replyParticipants: root.replyParticipants,
})

/** Follows a thread for a user; `force` turns an earlier unfollow back into following. */
export async function follow(change: Change, rootId: string, conversationId: string, userId: string, force: boolean) {
  const rows = await change.sql`
    insert into thread_follows (root_id, user_id, following) values (${rootId}, ${userId}, true)
    on conflict (root_id, user_id) do update set following = true, updated_at = now()
      where ${force} and not thread_follows.following
    returning 1`
  if (rows.length > 0) {
    await change.emit('user', userId, 'thread.followed', { messageId: rootId }, { conversationId })
  }
}

/** The message an author already sent with this clientId, if any. */
export async function existingSend(ctx: AuthedContext, clientId: string, conversationId: string): Promise<Message | null> {
  const [row] = await ctx.services.sql<{ id: string; conversation_id: string }[]>`
    select id, conversation_id from messages where author_id = ${ctx.caller.userId} and client_id = ${clientId}`
  return row ? original(ctx, row.id, row.conversation_id, conversationId) : null
}

/** A send's original, when it is in the conversation the retry names. */
function original(ctx: AuthedContext, id: string, sentIn: string, conversationId: string): Promise<Message> {
  if (sentIn !== conversationId) {
    throw new OCommsError('conflict', 'That clientId was already used for a message in another conversation.')
  }
  return load.message(ctx.services.sql, id)
}

/** Checks of sends that take the full path, many in one statement when the server is busy. */
const sendChecks = batcherPer('send-checks', (services: Services) => ({
  together: (checks: SendCheck[]) => checkSends(services.sql, checks),
  // One lane: a check takes well under a millisecond, so waiting for the one in flight costs
  // less than a statement of its own (more lanes left the batches at three checks or fewer).
  lanes: 1,
  most: 64,
}))

export interface SendHooks {
  /**
   * Runs inside the send's transaction, after the duplicate and membership checks and before
   * the message is stored; returns more file ids to attach (an upload posting its own message).
   */
  beforeInsert?: (change: Change, c: ConversationAccess) => Promise<string[]>
}

type Root = { id: string; thread_root_id: string | null; author_id: string }

/** A promise awaited later, whose rejection must not count as unhandled meanwhile. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

/** Posts a message, exactly once per (author, clientId), with any files it carries. */
export async function sendMessage(ctx: AuthedContext, input: CallInput<'message.send'>, hooks: SendHooks = {}): Promise<Message> {
  const userId = ctx.caller.userId
  mark('admitted')
  const found = findMentions(input.text)
  try {
    // Most messages are plain: no thread, no files, no @channel or @here, nothing wrong with their
    // text. Those are checked and stored together with other sends when the server is busy
    // (group commit), the check inside the transaction, in its first round trip. Any other send,
    // and a plain one its batch could not store, takes the full path below, which checks first
    // and refuses with the exact reason.
    const plain = !input.threadRootId && !input.alsoToChannel && !input.fileIds?.length && !hooks.beforeInsert &&
      !found.channel && !found.here && messageTextProblem(input.text, { withFiles: false }) === null
    const checked = () => checkedSend(ctx, input, hooks, found)
    if (plain) {
      return await plainSends(ctx.services).run({ userId, clientId: input.clientId, text: input.text, conversationId: input.conversationId, found, alone: checked })
    }
    return await checked()
  } catch (err) {
    // A send with this clientId committed first (the insert's `on conflict` waited for it):
    // the original when it is in this conversation, `conflict` when it is in another one.
    if (err instanceof AlreadySent) return (await existingSend(ctx, input.clientId, input.conversationId))!
    throw err
  }
}

/** A send checked on its own (access, a retry of a clientId already used, its input), then stored alone. */
async function checkedSend(ctx: AuthedContext, input: CallInput<'message.send'>, hooks: SendHooks, found: FoundMentions): Promise<Message> {
  // A retry of a send that already committed gets the original, even if access changed since.
  const checked = await sendChecks(ctx.services).run({ conversationId: input.conversationId, userId: ctx.caller.userId, clientId: input.clientId })
  mark('checked')
  if (checked.sent_id) return original(ctx, checked.sent_id, checked.sent_in!, input.conversationId)
  const c = accessFrom(checked)
  assertCanPost(c)
  if (input.alsoToChannel && !input.threadRootId) throw new OCommsError('invalid_input', 'alsoToChannel is for thread replies.')
  // An upload's message (beforeInsert attaches its file) may have no text, as may one with files.
  const problem = messageTextProblem(input.text, { withFiles: Boolean(input.fileIds?.length) || Boolean(hooks.beforeInsert) })
  if (problem) throw new OCommsError('invalid_input', problem)
  return storeSend(ctx, input, c, hooks, found)
}

/** Stores one send in a transaction of its own, after its access checks; `found` is what its text mentions. */
async function storeSend(
  ctx: AuthedContext,
  input: CallInput<'message.send'>,
  c: ConversationAccess,
  hooks: SendHooks,
  found: FoundMentions,
): Promise<Message> {
  const userId = ctx.caller.userId
  return transaction(ctx.services, async (change) => {
    let root: Root | undefined
    if (input.threadRootId) {
      ;[root] = await change.sql<Root[]>`
        select id, thread_root_id, author_id from messages
         where id = ${input.threadRootId} and conversation_id = ${c.id} and deleted_at is null`
      if (!root) throw new OCommsError('not_found', 'The message you are replying to does not exist in this conversation.')
      if (root.thread_root_id) throw new OCommsError('invalid_input', 'Reply to the thread\'s first message, not to a reply.')
    }
    const alsoInChannel = Boolean(root && input.alsoToChannel)
    const fileIds = [...(input.fileIds ?? []), ...((await hooks.beforeInsert?.(change, c)) ?? [])]
    // Who the message mentions and notifies reads memberships and settings only: it goes out
    // first, so it runs before the seq is taken, in the same round trip. A refused @channel
    // rolls the transaction back, seq and all.
    const planning = later(
      planMessageAttention(change, { text: input.text, author: { id: userId }, threadRootId: root?.id ?? null, alsoInChannel, rootAuthorId: root?.author_id ?? null }, c, found),
    )

    // Taking the seq locks the conversation until commit, so seqs follow commit order; what
    // runs under the lock goes out pipelined, the insert right behind the seq.
    const [seq, [row]] = await Promise.all([
      change.nextSeq('conversation', c.id),
      insertMessages(change, [{ conversationId: c.id, back: 0, authorId: userId, clientId: input.clientId, threadRootId: root?.id ?? null, alsoInChannel, text: input.text }]),
    ])
    const planned = await planning
    if (!row) {
      const [dup] = await change.sql`select 1 from messages where author_id = ${userId} and client_id = ${input.clientId}`
      if (dup) throw new AlreadySent()
      const [now] = await change.sql<{ archived: boolean }[]>`select archived_at is not null as archived from conversations where id = ${c.id}`
      if (now?.archived) assertNotArchived({ ...c, archived: true })
      throw new OCommsError('forbidden', 'You are no longer in this conversation.')
    }
    if (fileIds.length > 0) {
      // Only the sender's own unattached uploads to this conversation; the row lock makes a
      // file attach to one message even when two sends name it at once.
      const attached = await change.sql`
        update files set message_id = ${row.id}
         where id = any (${fileIds}::uuid[]) and uploader_id = ${userId} and conversation_id = ${c.id} and message_id is null
        returning id`
      if (attached.length !== new Set(fileIds).size) {
        throw new OCommsError('not_found', 'Some of those files are not your unattached uploads in this conversation.')
      }
    }
    let threadRoot: EventData<'message.created'>['root']
    if (root) {
      // The root may have been deleted since it was read: then there is nothing to reply to.
      // Its summary is read behind the update on the same connection (execute() sends the update
      // now, before the read is sent), so it includes the update.
      const [updated, rootNow] = await Promise.all([
        change.sql`
          update messages
             set reply_count = reply_count + 1,
                 last_reply_at = now(),
                 reply_participants = case when ${userId}::uuid = any (reply_participants) then reply_participants
                                           else reply_participants || ${userId}::uuid end
           where id = ${root.id} and deleted_at is null
          returning id`.execute(),
        load.messages(change.sql, change.sql`m.id = ${root.id}`, change.sql``, 1),
      ])
      if (updated.length === 0 || !rootNow[0]) throw new OCommsError('not_found', 'The message you are replying to does not exist in this conversation.')
      threadRoot = rootSummary(rootNow[0])
    }
    const message = fileIds.length > 0 ? await load.message(change.sql, row.id) : newMessageOut(row)
    const data: EventData<'message.created'> = threadRoot ? { message, root: threadRoot } : { message }
    await Promise.all([
      change.record('conversation', c.id, seq, 'message.created', data, { conversationId: c.id, workspaceId: c.workspaceId }),
      storeNewMentions(change, [{ message, planned }]),
    ])
    if (root) {
      // The thread's author keeps an explicit unfollow; a replier follows again.
      await follow(change, root.id, c.id, root.author_id, false)
      await follow(change, root.id, c.id, userId, true)
    }
    afterMessageCreated(change, message, c, planned)
    return message
  })
}
