import type { Message } from '@ocomms/shared'
import type { Change } from '../events/transaction.js'
import { mayPost } from '../access.js'
import { messageOut, type MessageRow } from '../serialize.js'

/** A message to store, under a seq its conversation's last_seq was already raised to cover. */
export interface NewMessage {
  conversationId: string
  /** How far below the conversation's last_seq this message's seq is (0 for the last one taken). */
  back: number
  authorId: string
  clientId: string
  threadRootId: string | null
  alsoInChannel: boolean
  text: string
}

export type StoredRow = Omit<MessageRow, 'participants' | 'reactions' | 'pinned' | 'files'>

/**
 * Stores new messages in one statement; sent right behind the statement that takes their
 * seqs, on the same connection, it reads the raised last_seq. A message is left out (no row
 * answered) when its author already sent its clientId (a retry racing the original: the unique
 * key waits for it), or may not post in the conversation (mayPost: the rule the send's check
 * reads, written once).
 * Each row comes with its author, which is the whole message unless files attach.
 */
export function insertMessages(change: Change, messages: NewMessage[]): Promise<StoredRow[]> {
  const sql = change.sql
  // Booleans travel as text: the driver sends an array of booleans as one boolean.
  const column = <T>(f: (m: NewMessage) => T) => messages.map(f)
  return sql<StoredRow[]>`
    with inserted as (
      insert into messages (conversation_id, seq, author_id, client_id, thread_root_id, also_in_channel, text)
      select c.id, c.last_seq - x.back, x.author_id, x.client_id, x.thread_root_id, x.also_in_channel, x.text
        from unnest(${column((m) => m.conversationId)}::uuid[], ${column((m) => m.back)}::int[], ${column((m) => m.authorId)}::uuid[],
                    ${column((m) => m.clientId)}::text[], ${column((m) => m.threadRootId)}::uuid[],
                    ${column((m) => String(m.alsoInChannel))}::text[]::boolean[], ${column((m) => m.text)}::text[])
             as x(conversation_id, back, author_id, client_id, thread_root_id, also_in_channel, text)
        join conversations c on c.id = x.conversation_id
       where ${mayPost(sql, sql('x.author_id'))}
      on conflict (author_id, client_id) do nothing
      returning id, seq, conversation_id, thread_root_id, also_in_channel, client_id, author_id, text,
                created_at, edited_at, deleted_at, reply_count, last_reply_at)
    select i.*, u.handle as author_handle, u.name as author_name from inserted i join users u on u.id = i.author_id`
}

/** A message just stored, which has no reactions, pins, reply participants or files yet. */
export const newMessageOut = (row: StoredRow): Message =>
  messageOut({ ...row, participants: null, reactions: null, pinned: false, files: null })
