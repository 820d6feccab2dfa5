import type { OutboxEntry } from '@ocomms/shared/client'
import type { User } from '@ocomms/shared'
import { useBackend } from '../backend/hooks'
import { avatarHue, initials } from './names'
import { RichText } from './rich-text'

/** A message still in the outbox: sending, waiting for the connection, or refused (with retry and delete). */
export function PendingRow(props: { entry: OutboxEntry; me: User }) {
  const backend = useBackend()
  const { entry, me } = props
  return (
    <article className={`msg pending${entry.failed ? ' failed' : ''}`} aria-label={`${me.name}, ${entry.failed ? 'not sent' : 'sending'}`}>
      <div className="avatar" aria-hidden="true" style={{ background: `hsl(${avatarHue(me.id)} 45% 45%)` }}>
        {initials(me.name)}
      </div>
      <div className="body">
        <header>
          <span className="author">{me.name}</span>
          <span className="state">{entry.failed ? 'Not sent' : 'Sending…'}</span>
        </header>
        <RichText text={entry.text} me={me.handle} />
        {entry.failed && (
          <div className="send-failed" role="alert">
            <span>{entry.failed.message}</span>
            <button type="button" onClick={() => void backend.retry(entry.clientId)}>
              Retry
            </button>
            <button type="button" className="danger" onClick={() => backend.discard(entry.clientId)}>
              Delete
            </button>
          </div>
        )}
      </div>
    </article>
  )
}
