import { useMemo, useState } from 'react'
import { useBackend, useClientState } from '../backend/hooks'
import { problem } from '../backend/http'
import { navigate } from '../router'
import { Dialog } from '../ui/dialog'
import { ActionForm, Field } from '../ui/form'
import { ErrorLine } from '../ui/error-line'

/** Browse the public channels I am not in and join one, or create a channel. */
export function ChannelDialog(props: { workspaceId: string; onClose: () => void }) {
  const backend = useBackend()
  const state = useClientState()
  const [name, setName] = useState('')
  const [isPrivate, setPrivate] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const others = useMemo(
    () =>
      Object.values(state.conversations)
        .filter((c) => c.workspaceId === props.workspaceId && c.kind === 'public' && !c.isMember && !c.archived)
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
    [state.conversations, props.workspaceId],
  )
  const go = (id: string) => {
    props.onClose()
    navigate(`/c/${id}`)
  }
  return (
    <Dialog title="Channels" onClose={props.onClose}>
      <h3>Join a channel</h3>
      {others.length === 0 ? (
        <p className="hint">You are in every public channel.</p>
      ) : (
        <ul className="pick-list" aria-label="Channels you can join">
          {others.map((c) => (
            <li key={c.id}>
              <span>
                #{c.name} <small>{c.topic || `${c.memberCount} members`}</small>
              </span>
              <button
                type="button"
                onClick={() =>
                  backend.call('conversation.join', { conversationId: c.id }).then(
                    () => go(c.id),
                    (err: unknown) => setError(problem(err)),
                  )
                }
              >
                Join #{c.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={error} />
      <h3>Create a channel</h3>
      <ActionForm
        label="Create a channel"
        submit="Create channel"
        action={async () => {
          const c = await backend.call('channel.create', { workspaceId: props.workspaceId, name: name.trim().toLowerCase(), private: isPrivate })
          go(c.id)
        }}
      >
        <Field label="Channel name" value={name} onChange={setName} hint="Lowercase letters, digits, - and _." />
        <label className="check">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.currentTarget.checked)} /> Private: only people invited can see it
        </label>
      </ActionForm>
    </Dialog>
  )
}

/**
 * Start (or reopen) a direct message with someone of the workspace, or a group DM: people
 * added with "Add" are gathered, and "Start group message" opens the one conversation with
 * them all (an existing one is reopened, never duplicated).
 */
export function DirectMessageDialog(props: { workspaceId: string; onClose: () => void }) {
  const backend = useBackend()
  const state = useClientState()
  const [filter, setFilter] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([])
  const people = useMemo(
    () =>
      Object.entries(state.members)
        .filter(([key, m]) => key.startsWith(`${props.workspaceId}/`) && m.id !== backend.user.id && m.state === 'active')
        .map(([, m]) => m)
        .filter((m) => `${m.name} ${m.handle}`.toLowerCase().includes(filter.trim().toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [state.members, backend.user.id, props.workspaceId, filter],
  )
  const open = (userIds: string[]) =>
    backend.call('dm.open', { workspaceId: props.workspaceId, userIds }).then(
      (c) => (props.onClose(), navigate(`/c/${c.id}`)),
      (err: unknown) => setError(problem(err)),
    )
  return (
    <Dialog title="New message" onClose={props.onClose}>
      <Field label="Find a person" value={filter} onChange={setFilter} required={false} autoFocus />
      {picked.length > 0 && (
        <>
          <ul className="picked" aria-label="People in the group">
            {picked.map((p) => (
              <li key={p.id}>
                {p.name}{' '}
                <button type="button" className="link" aria-label={`Remove ${p.name}`} onClick={() => setPicked((now) => now.filter((x) => x.id !== p.id))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void open(picked.map((p) => p.id))}>
            {picked.length === 1 ? `Message ${picked[0]!.name}` : 'Start group message'}
          </button>
        </>
      )}
      <ul className="pick-list" aria-label="People">
        {people.map((m) => (
          <li key={m.id}>
            <span>
              {m.name} <small>@{m.handle}</small>
            </span>
            {picked.length === 0 && (
              <button type="button" onClick={() => void open([m.id])}>
                Message {m.name}
              </button>
            )}
            {!picked.some((p) => p.id === m.id) && (
              <button type="button" aria-label={`Add ${m.name} to a group message`} onClick={() => setPicked((now) => [...now, { id: m.id, name: m.name }])}>
                Add
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorLine error={error} />
    </Dialog>
  )
}
