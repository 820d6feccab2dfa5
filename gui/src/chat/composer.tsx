import { useEffect, useRef, useState } from 'react'
import { searchEmoji } from '@ocomms/shared'
import { threadKey } from '@ocomms/shared/client'
import { problem } from '../backend/http'
import { useBackend, useClientState } from '../backend/hooks'
import { AttachButton, filesOf, UploadList, useUploads } from '../files/attach'
import { ErrorLine } from '../ui/error-line'
import { usePlaceCaret } from '../ui/place-caret'

/** How long after the last keystroke a draft is saved to the server (every device sees it). */
const DRAFT_SAVE_MS = 700
/** Typing is announced at most this often while someone keeps typing. */
const TYPING_EVERY_MS = 3_000

/**
 * Where a message is written: Enter sends, Shift+Enter makes a new line. What is written is kept
 * as the conversation's draft on the server (so the terminal UI and other tabs have it), and
 * typing is announced to the others.
 */
export function Composer(props: { conversationId: string; threadRootId?: string | null; placeholder: string }) {
  const backend = useBackend()
  const state = useClientState()
  const threadRootId = props.threadRootId ?? null
  const draft = state.drafts[threadKey(props.conversationId, threadRootId)]
  const [text, setText] = useState(() => draft?.text ?? '')
  const [error, setError] = useState<string | null>(null)
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const typedAt = useRef(0)
  const sent = useRef<string | null>(null)
  const scope = { conversationId: props.conversationId, ...(threadRootId ? { threadRootId } : {}) }
  const files = useUploads(props.conversationId, threadRootId)
  const [dragging, setDragging] = useState(false)

  // A draft written elsewhere (another tab, the terminal) shows up here while this box is empty.
  const remote = draft?.text ?? ''
  useEffect(() => {
    // (A save that was still on its way when the message went out must not bring the text back.)
    if (remote && !saveTimer.current && remote !== sent.current) setText((current) => (current ? current : remote))
  }, [remote])
  useEffect(() => () => {
    if (saveTimer.current) clearTimeout(saveTimer.current)
  }, [])

  // `:sho` before the caret offers emoji by shortcode (Tab or Enter takes one, Escape none).
  const [caret, setCaret] = useState(0)
  const [dismissed, setDismissed] = useState<string | null>(null)
  const [pick, setPick] = useState(0)
  const typed = /(?:^|\s):([a-z0-9_+-]{2,})$/i.exec(text.slice(0, caret))?.[1] ?? null
  const suggestions = typed && typed !== dismissed ? searchEmoji(typed, 6) : []
  // After an emoji taken in the middle of the text, the caret stays right after it, where the
  // person goes on typing.
  const field = useRef<HTMLTextAreaElement>(null)
  const placeCaret = usePlaceCaret(field)
  const takeEmoji = (shortcode: string) => {
    const start = caret - typed!.length - 1
    const after = start + shortcode.length + 3
    change(`${text.slice(0, start)}:${shortcode}: ${text.slice(caret)}`)
    setCaret(after)
    placeCaret(after)
  }

  const change = (value: string) => {
    setText(value)
    setPick(0)
    if (saveTimer.current) clearTimeout(saveTimer.current)
    saveTimer.current = setTimeout(() => {
      saveTimer.current = null
      backend.call('draft.set', { ...scope, text: value }).catch(() => {})
    }, DRAFT_SAVE_MS)
    if (value && Date.now() - typedAt.current > TYPING_EVERY_MS) {
      typedAt.current = Date.now()
      backend.call('typing.start', scope).catch(() => {})
    }
  }

  const send = () => {
    const body = text.trim()
    if (!body) return
    setText('')
    setError(null)
    sent.current = text
    if (saveTimer.current) clearTimeout(saveTimer.current)
    saveTimer.current = null
    typedAt.current = 0
    backend.call('draft.clear', scope).catch(() => {})
    backend.send({ conversationId: props.conversationId, text: body, threadRootId }).catch((err: unknown) => setError(problem(err)))
  }
  return (
    <form
      className={dragging ? 'composer dragging' : 'composer'}
      aria-label={threadRootId ? 'Reply in thread' : 'Send a message'}
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes('Files')) return
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        const dropped = filesOf(e.dataTransfer)
        setDragging(false)
        if (dropped.length === 0) return
        e.preventDefault()
        files.start(dropped)
      }}
    >
      <UploadList uploads={files.uploads} dismiss={files.dismiss} />
      <AttachButton onFiles={files.start} onError={files.fail} />
      <textarea
        ref={field}
        aria-label={props.placeholder}
        placeholder={props.placeholder}
        value={text}
        rows={1}
        onChange={(e) => (change(e.currentTarget.value), setCaret(e.currentTarget.selectionStart))}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onPaste={(e) => {
          const pasted = filesOf(e.clipboardData)
          if (pasted.length === 0) return
          e.preventDefault()
          files.start(pasted)
        }}
        aria-autocomplete="list"
        aria-controls={suggestions.length > 0 ? 'emoji-suggestions' : undefined}
        aria-activedescendant={suggestions.length > 0 ? `emoji-${suggestions[pick]?.shortcode}` : undefined}
        onKeyDown={(e) => {
          if (suggestions.length > 0) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault()
              setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length)
              return
            }
            if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
              e.preventDefault()
              takeEmoji(suggestions[pick]!.shortcode)
              return
            }
            if (e.key === 'Escape') {
              setDismissed(typed)
              return
            }
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            send()
          }
        }}
      />
      {suggestions.length > 0 && (
        <ul id="emoji-suggestions" className="suggestions" role="listbox" aria-label="Emoji">
          {suggestions.map((sug, i) => (
            <li key={sug.shortcode} id={`emoji-${sug.shortcode}`} role="option" aria-selected={i === pick} className={i === pick ? 'selected' : undefined} onMouseDown={(e) => (e.preventDefault(), takeEmoji(sug.shortcode))}>
              <span aria-hidden="true">{sug.emoji}</span> :{sug.shortcode}:
            </li>
          ))}
        </ul>
      )}
      <button type="submit" className="send" aria-label="Send" disabled={!text.trim()}>
        ➤
      </button>
      <ErrorLine error={error} />
    </form>
  )
}
