import { useEffect, useMemo, useRef } from 'react'
import type { Conversation, User } from '@ocomms/shared'
import { useBackend, useClientState, useOutbox } from '../backend/hooks'
import { Composer } from './composer'
import { MessageRow } from './message'
import { conversationTitle, sameDay } from './names'
import { PendingRow } from './pending'

/** A thread beside (or, on a phone, instead of) its conversation: the root, its replies, a composer. */
export function ThreadPane(props: { conversation: Conversation; rootId: string; me: User; onClose: () => void; highlightId?: string | null }) {
  const { conversation: c, rootId, me } = props
  const backend = useBackend()
  const state = useClientState()
  const outbox = useOutbox()
  const heading = useRef<HTMLHeadingElement>(null)

  useEffect(() => {
    backend.loadThread(rootId).catch(() => {})
    heading.current?.focus()
  }, [backend, rootId])

  const root = state.messages[rootId]
  const replies = useMemo(
    () => Object.values(state.messages).filter((m) => m.threadRootId === rootId).sort((a, b) => a.seq - b.seq),
    [state.messages, rootId],
  )
  const arrived = new Set(replies.map((m) => m.clientId))
  const pending = outbox.filter((e) => e.threadRootId === rootId && !arrived.has(e.clientId))

  return (
    <aside className="thread" aria-labelledby="thread-title">
      <header className="conv-head">
        <button type="button" className="back" aria-label="Back to the conversation" onClick={props.onClose}>
          ‹
        </button>
        <div>
          <h2 id="thread-title" ref={heading} tabIndex={-1}>
            Thread
          </h2>
          <p className="topic">{conversationTitle(c, me)}</p>
        </div>
        <button type="button" className="close" aria-label="Close thread" onClick={props.onClose}>
          ×
        </button>
      </header>
      <div className="thread-body" role="log" aria-label="Replies">
        {root && <MessageRow message={root} me={me} grouped={false} newDay={false} highlighted={root.id === props.highlightId} />}
        {root && (
          <div className="reply-count" role="separator">
            {replies.length} {replies.length === 1 ? 'reply' : 'replies'}
          </div>
        )}
        {replies.map((m, i) => (
          <MessageRow key={m.id} message={m} me={me} grouped={i > 0 && replies[i - 1]!.author.id === m.author.id} newDay={i > 0 && !sameDay(replies[i - 1]!.createdAt, m.createdAt)} highlighted={m.id === props.highlightId} />
        ))}
        {pending.map((e) => (
          <PendingRow key={e.clientId} entry={e} me={me} />
        ))}
      </div>
      <Composer conversationId={c.id} threadRootId={rootId} placeholder="Reply…" />
    </aside>
  )
}
