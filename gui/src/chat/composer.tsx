import { useState } from 'react'
import { problem } from '../backend/http'
import { useBackend } from '../backend/hooks'

/** Where a message is written: Enter sends, Shift+Enter makes a new line. */
export function Composer(props: { conversationId: string; threadRootId?: string | null; placeholder: string }) {
  const backend = useBackend()
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const send = () => {
    const body = text.trim()
    if (!body) return
    setText('')
    setError(null)
    backend.send({ conversationId: props.conversationId, text: body, threadRootId: props.threadRootId ?? null }).catch((err: unknown) => setError(problem(err)))
  }
  return (
    <form
      className="composer"
      aria-label={props.threadRootId ? 'Reply in thread' : 'Send a message'}
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
    >
      <textarea
        aria-label={props.placeholder}
        placeholder={props.placeholder}
        value={text}
        rows={1}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            send()
          }
        }}
      />
      <button type="submit" className="send" aria-label="Send" disabled={!text.trim()}>
        ➤
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
