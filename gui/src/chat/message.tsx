import { memo, useCallback, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { Message, User } from '@ocomms/shared'
import { problem } from '../backend/http'
import { useBackend } from '../backend/hooks'
import { avatarHue, dayLabel, initials, timeLabel } from './names'
import { RichText } from './rich-text'
import { FileItem } from '../files/file-item'
import { StatusBadge } from '../people/status-badge'
import { ReactionPicker } from '../reactions/reaction-picker'
import { useAutoFocus } from '../ui/auto-focus'
import { ErrorLine } from '../ui/error-line'

/** A window event whose detail is the id of a message to open for editing. */
export const EDIT_MESSAGE_EVENT = 'ocomms:edit-message'

interface Props {
  message: Message
  me: User
  /** Same author as the message before, shortly after: no name and avatar again. */
  grouped: boolean
  /** The first message of its day: a day separator goes above it. */
  newDay: boolean
  /** Opens the message's thread (absent inside the thread pane). */
  onOpenThread?: (message: Message) => void
  /** Opened at this message (from a view, a search or a link): marked until another is. */
  highlighted?: boolean
}

/**
 * One message: author, time, rich text, edited mark, reactions, thread summary and actions.
 * Memoized, and subscribed only to its own saved mark: a message arriving re-renders the list,
 * not every row on screen (at 200 messages a second that was most of the page's time).
 */
export const MessageRow = memo(function MessageRow(props: Props) {
  const { message: m, me } = props
  const backend = useBackend()
  const savedOf = useCallback(() => !!backend.state().saved[m.id], [backend, m.id])
  const saved = useSyncExternalStore(backend.subscribe, savedOf)
  const [editing, setEditing] = useState(false)
  // ↑ in an empty composer asks to edit my last message (see shortcuts.tsx). Listened to from the
  // moment the row is in the page (a layout effect; an effect runs after the next paint), so ↑
  // pressed as soon as a sent message shows is not lost.
  useLayoutEffect(() => {
    const onEdit = (e: Event) => (e as CustomEvent<string>).detail === m.id && setEditing(true)
    window.addEventListener(EDIT_MESSAGE_EVENT, onEdit)
    return () => window.removeEventListener(EDIT_MESSAGE_EVENT, onEdit)
  }, [m.id])
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [picker, setPicker] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const mine = m.author.id === me.id
  const run = (p: Promise<unknown>) => p.then(() => setError(null), (err: unknown) => setError(problem(err)))
  const toggle = (emoji: string) => {
    const reacted = m.reactions.find((r) => r.emoji === emoji)?.members.includes(me.handle)
    void run(backend.call(reacted ? 'reaction.remove' : 'reaction.add', { messageId: m.id, emoji }))
    setPicker(false)
  }

  return (
    <div className="msg-wrap">
      {props.newDay && (
        <div className="day" role="separator" aria-label={dayLabel(m.createdAt)}>
          <span>{dayLabel(m.createdAt)}</span>
        </div>
      )}
      <article className={`msg${props.grouped && !props.newDay ? ' grouped' : ''}${m.mentions?.handles.includes(me.handle) ? ' mentions-me' : ''}${props.highlighted ? ' highlighted' : ''}`} aria-label={`${m.author.name}, ${timeLabel(m.createdAt)}`} data-message-id={m.id} tabIndex={0}>
        <div className="avatar" aria-hidden="true" style={{ background: `hsl(${avatarHue(m.author.id)} 45% 45%)` }}>
          {initials(m.author.name)}
        </div>
        <div className="body">
          <header>
            <span className="author">{m.author.name}</span>
            <StatusBadge conversationId={m.conversationId} userId={m.author.id} />
            <time dateTime={m.createdAt}>{timeLabel(m.createdAt)}</time>
          </header>
          {(m.pinned || saved) && (
            <p className="marks">
              {m.pinned && <span>📌 Pinned</span>}
              {saved && <span>★ Saved</span>}
            </p>
          )}
          {m.deleted ? (
            <p className="deleted">This message was deleted.</p>
          ) : editing ? (
            <EditBox
              text={m.text}
              onCancel={() => setEditing(false)}
              onSave={(text) =>
                run(backend.call('message.edit', { messageId: m.id, text })).then(() => setEditing(false))
              }
            />
          ) : (
            <RichText text={m.text} me={me.handle} after={m.editedAt ? <span className="edited">(edited)</span> : null} />
          )}
          {m.files.length > 0 && (
            <ul className="files" aria-label="Files">
              {m.files.map((f) => (
                <li key={f.id}>
                  <FileItem file={f} />
                </li>
              ))}
            </ul>
          )}
          {m.reactions.length > 0 && (
            <div className="reactions" role="group" aria-label="Reactions">
              {m.reactions.map((r) => {
                const reacted = r.members.includes(me.handle)
                return (
                  <button key={r.emoji} type="button" className={reacted ? 'reaction mine' : 'reaction'} aria-pressed={reacted} aria-label={`${r.emoji} ${r.count}: ${r.members.join(', ')}`} title={r.members.map((h) => `@${h}`).join(', ')} onClick={() => toggle(r.emoji)}>
                    <span aria-hidden="true">{r.emoji}</span> <span aria-hidden="true">{r.count}</span>
                  </button>
                )
              })}
            </div>
          )}
          {props.onOpenThread && m.replyCount > 0 && (
            <button type="button" className="link replies" onClick={() => props.onOpenThread!(m)}>
              {m.replyCount} {m.replyCount === 1 ? 'reply' : 'replies'}
            </button>
          )}
          <ErrorLine error={error} />
          {confirmDelete && (
            <div className="confirm" role="group" aria-label="Delete this message?">
              <span>Delete this message?</span>
              <button type="button" className="danger" onClick={() => void run(backend.call('message.delete', { messageId: m.id })).then(() => setConfirmDelete(false))}>
                Delete
              </button>
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
            </div>
          )}
          {picker && <ReactionPicker onPick={toggle} onClose={() => setPicker(false)} />}
        </div>
        {!m.deleted && !editing && (
          <div className="actions" role="toolbar" aria-label="Message actions">
            <button type="button" aria-label="Add reaction" aria-expanded={picker} onClick={() => setPicker(!picker)}>
              ☺
            </button>
            {props.onOpenThread && (
              <button type="button" aria-label="Reply in thread" onClick={() => props.onOpenThread!(m)}>
                💬
              </button>
            )}
            <button type="button" aria-label={saved ? 'Remove from saved' : 'Save message'} aria-pressed={saved} onClick={() => void run(backend.call(saved ? 'saved.remove' : 'saved.add', { messageId: m.id }))}>
              {saved ? '★' : '☆'}
            </button>
            <button type="button" aria-label={m.pinned ? 'Unpin message' : 'Pin message'} aria-pressed={m.pinned} onClick={() => void run(backend.call(m.pinned ? 'pin.remove' : 'pin.add', { messageId: m.id }))}>
              📌
            </button>
            {!mine && (
              <button type="button" aria-label="Mark unread from here" onClick={() => void run(backend.call('read.markUnread', { messageId: m.id }))}>
                ◔
              </button>
            )}
            {mine && (
              <>
                <button type="button" aria-label="Edit message" onClick={() => setEditing(true)}>
                  ✎
                </button>
                <button type="button" aria-label="Delete message" onClick={() => setConfirmDelete(true)}>
                  🗑
                </button>
              </>
            )}
          </div>
        )}
      </article>
    </div>
  )
})

function EditBox(props: { text: string; onSave: (text: string) => Promise<unknown>; onCancel: () => void }) {
  const [text, setText] = useState(props.text)
  const box = useRef<HTMLTextAreaElement>(null)
  useAutoFocus(box, true)
  return (
    <form
      className="edit"
      aria-label="Edit message"
      onSubmit={(e) => {
        e.preventDefault()
        if (text.trim()) void props.onSave(text)
      }}
    >
      <textarea
        ref={box}
        aria-label="Edited message"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel()
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault()
            if (text.trim()) void props.onSave(text)
          }
        }}
      />
      <div>
        <button type="submit" className="primary small">
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
