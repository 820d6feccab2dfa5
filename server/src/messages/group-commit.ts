import type { Message } from '@ocomms/shared'
import { accessFrom, assertCanPost, type ConversationAccess } from '../access.js'
import type { FoundMentions } from '../attention/mentions.js'
import { afterMessageCreated, conversationRecipients, evaluateAttention, storeNewMentions, type Recipient } from '../attention/on-message.js'
import { batcherPer } from '../db/batcher.js'
import { pipelinedTransaction } from '../events/transaction.js'
import type { Services } from '../services.js'
import { mark } from '../trace/send-timeline.js'
import { checkSends, type Checked } from './send-check.js'
import { insertMessages, newMessageOut } from './store.js'

/**
 * A send that needs nothing of its own in the transaction: no thread, no files, no @channel or
 * @here, and text with nothing wrong with it. It is not checked yet: its batch checks it.
 */
export interface PlainSend {
  userId: string
  clientId: string
  text: string
  conversationId: string
  found: FoundMentions
  /** Checks this send and stores it in a transaction of its own, which refuses it with the exact reason. */
  alone: () => Promise<Message>
}

/**
 * A send of the batch may not be stored as it is (the conversation is not there for its sender,
 * they may not post, or they already sent its clientId): nothing of the batch is, and each send
 * takes the full path, which answers it exactly.
 */
class Incomplete extends Error {}

/** The access a batched send's check gives, when it may be stored as a new plain message. */
function postable(row: Checked): ConversationAccess {
  if (row.sent_id) throw new Incomplete()
  try {
    const c = accessFrom(row)
    assertCanPost(c)
    return c
  } catch {
    throw new Incomplete()
  }
}

/**
 * Group commit for plain sends: when the server is busy, the sends that arrived meanwhile are
 * checked and stored in one transaction (see Batcher), with the same statements as one send
 * (checks, recipients, seqs, messages, events, mentions), each covering the whole batch, and one
 * commit. That divides the database's work per message, which is mostly the cost of a statement
 * and of a commit, not of a row. A batch stores all of its sends or none: if one of them cannot
 * be stored, or the transaction fails, each send of the batch is then stored alone, and gets its
 * own answer. Senders are answered after the commit.
 */
export const plainSends = batcherPer('group-commit', (services: Services) => ({
  together: (sends: PlainSend[]) => storeTogether(services, sends),
  alone: (send: PlainSend) => send.alone(),
  // Two transactions in flight: one fills while the other commits, and a batch waiting for a
  // lock (a conversation another change holds) does not stop every plain send of the process.
  // More lanes keep batches small, which costs throughput under load (docs/performance.md).
  lanes: 2,
  // High enough that the load, not the cap, decides a batch's size under sustained load; a lower
  // cap kept most batches full and sends waiting (measured in docs/performance.md).
  most: 128,
}))

/** Stores plain sends in one transaction; the messages in the order of the sends. */
async function storeTogether(services: Services, sends: PlainSend[]): Promise<Message[]> {
  // Two round trips: BEGIN, checks, recipients, seqs and insert; then events, mentions and COMMIT.
  // The checks go out with the statements they guard instead of a round trip ahead of them: the
  // insert stores only what the checks would let through (a member, an open conversation, a
  // clientId not used yet), and a send its check refuses rolls the batch back (Incomplete).
  return pipelinedTransaction(services, async (change) => {
    mark('began')
    const counts = new Map<string, number>()
    for (const s of sends) counts.set(s.conversationId, (counts.get(s.conversationId) ?? 0) + 1)
    // The k-th of n sends to a conversation gets the k-th of its n new seqs. The statements go
    // out together; the insert runs after the seqs were taken.
    const left = new Map(counts)
    const [checks, members, , rows] = await Promise.all([
      checkSends(change.sql, sends.map((s) => ({ conversationId: s.conversationId, userId: s.userId, clientId: s.clientId }))),
      conversationRecipients(change, [...counts.keys()], {
        handles: [...new Set(sends.flatMap((s) => s.found.handles))],
        everyone: false,
        threadRootId: null,
        rootAuthorId: null,
      }),
      change.nextSeqs('conversation', counts),
      insertMessages(
        change,
        sends.map((s) => {
          const back = left.get(s.conversationId)! - 1
          left.set(s.conversationId, back)
          return { conversationId: s.conversationId, back, authorId: s.userId, clientId: s.clientId, threadRootId: null, alsoInChannel: false, text: s.text }
        }),
      ),
    ])
    mark('stored')
    const access = checks.map(postable)
    const stored = new Map(rows.map((r) => [`${r.author_id}:${r.client_id}`, r]))
    const messages = sends.map((s) => {
      const row = stored.get(`${s.userId}:${s.clientId}`)
      if (!row) throw new Incomplete()
      stored.delete(`${s.userId}:${s.clientId}`) // the same clientId twice in one batch stores once
      return newMessageOut(row)
    })

    const reached = new Map<string, Recipient[]>()
    for (const r of members) {
      const list = reached.get(r.conversation_id)
      if (list) list.push(r)
      else reached.set(r.conversation_id, [r])
    }
    const planned = sends.map((s, i) =>
      evaluateAttention(
        { text: s.text, author: { id: s.userId }, threadRootId: null, alsoInChannel: false },
        access[i]!,
        s.found,
        (reached.get(s.conversationId) ?? []).filter((r) => r.user_id !== s.userId),
        new Set(),
      ),
    )
    await Promise.all([
      change.recordMany(
        messages.map((message, i) => ({
          stream: 'conversation' as const,
          streamId: message.conversationId,
          seq: message.seq,
          type: 'message.created',
          conversationId: message.conversationId,
          workspaceId: access[i]!.workspaceId,
          data: { message },
        })),
      ),
      storeNewMentions(change, messages.map((message, i) => ({ message, planned: planned[i]! }))),
      change.commit(),
    ])
    mark('recorded')
    messages.forEach((message, i) => afterMessageCreated(change, message, access[i]!, planned[i]!))
    return messages
  })
}
