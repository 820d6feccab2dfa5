import { useEffect, useMemo, useState } from 'react'
import type { Conversation, Member, User, Workspace } from '@ocomms/shared'
import { problem } from '../backend/http'
import { useBackend, useClientState } from '../backend/hooks'
import { navigate } from '../router'
import { Dialog } from '../ui/dialog'
import { ActionForm, Field } from '../ui/form'
import { conversationTitle } from './names'
import { ErrorLine } from '../ui/error-line'
import { StatusBadge } from '../people/status-badge'
import { useWatchPresence } from './presence'

/**
 * A conversation's details: topic and description (seen and changed), its members, inviting
 * people of the workspace, a workspace invite link (admins), leaving and archiving.
 */
export function ChannelDetails(props: { conversation: Conversation; workspace: Workspace; me: User; onClose: () => void }) {
  const { conversation: c, workspace } = props
  const backend = useBackend()
  const state = useClientState()
  const isChannel = c.kind === 'public' || c.kind === 'private'
  const isAdmin = workspace.role === 'admin' || workspace.role === 'owner'
  const [topic, setTopic] = useState(c.topic)
  const [description, setDescription] = useState(c.description)
  const [members, setMembers] = useState<Member[] | null>(null)
  const [filter, setFilter] = useState('')
  const [link, setLink] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [confirm, setConfirm] = useState<'leave' | 'archive' | null>(null)
  const [reload, setReload] = useState(0)

  useEffect(() => {
    let alive = true
    backend.call('conversation.members', { conversationId: c.id }).then(
      (m) => alive && setMembers(m),
      (err: unknown) => alive && setError(problem(err)),
    )
    return () => {
      alive = false
    }
  }, [backend, c.id, reload])

  useWatchPresence(members?.map((m) => m.id) ?? [])
  const inChannel = new Set(members?.map((m) => m.id) ?? [])
  const candidates = useMemo(
    () =>
      Object.entries(state.members)
        .filter(([key, m]) => key.startsWith(`${workspace.id}/`) && m.state === 'active')
        .map(([, m]) => m)
        .filter((m) => filter.trim() && `${m.name} ${m.handle}`.toLowerCase().includes(filter.trim().toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name))
        .slice(0, 8),
    [state.members, workspace.id, filter],
  )
  const run = (p: Promise<unknown>) => p.then(() => setError(null), (err: unknown) => setError(problem(err)))
  const title = conversationTitle(c, props.me)

  return (
    <Dialog title={isChannel ? `#${title}` : title} onClose={props.onClose}>
      {isChannel && !c.archived ? (
        <ActionForm
          label="About this channel"
          submit="Save"
          action={async () => {
            await backend.call('conversation.update', { conversationId: c.id, topic: topic.trim(), description: description.trim() })
          }}
        >
          <Field label="Topic" value={topic} onChange={setTopic} required={false} />
          <Field label="Description" value={description} onChange={setDescription} required={false} />
        </ActionForm>
      ) : (
        <>
          {c.topic && <p>Topic: {c.topic}</p>}
          {c.description && <p>{c.description}</p>}
        </>
      )}
      <h3 id="members-heading">Members{members ? ` (${members.length})` : ''}</h3>
      <ul className="member-list" aria-labelledby="members-heading">
        {members?.map((m) => (
          <li key={m.id}>
            {m.name} <StatusBadge conversationId={c.id} userId={m.id} /> <small>@{m.handle}</small>
          </li>
        ))}
      </ul>
      {isChannel && !c.archived && (
        <>
          <Field label="Add people" value={filter} onChange={setFilter} required={false} />
          <ul className="pick-list" aria-label="People to add">
            {candidates.map((m) => (
              <li key={m.id}>
                <span>
                  {m.name} <small>@{m.handle}</small>
                </span>
                {inChannel.has(m.id) ? (
                  <small>In the channel</small>
                ) : (
                  <button type="button" onClick={() => void run(backend.call('conversation.invite', { conversationId: c.id, userIds: [m.id] }).then(() => setReload((n) => n + 1)))}>
                    Add {m.name}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {isAdmin && (
        <p>
          {link ? (
            <>
              Invite link for the workspace: <input aria-label="Invite link" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
            </>
          ) : (
            <button type="button" onClick={() => void run(backend.call('invite.create', { workspaceId: workspace.id }).then((i) => setLink(i.link || `${location.origin}/invite#code=${i.code}`)))}>
              Create an invite link
            </button>
          )}
        </p>
      )}
      {isChannel && (
        <div className="danger-zone">
          {confirm ? (
            <p>
              {confirm === 'leave' ? `Leave #${title}?` : `Archive #${title} for everyone?`}{' '}
              <button
                type="button"
                onClick={() =>
                  void run(
                    (confirm === 'leave' ? backend.call('conversation.leave', { conversationId: c.id }) : backend.call('conversation.archive', { conversationId: c.id })).then(() => {
                      props.onClose()
                      if (confirm === 'leave') navigate('/')
                    }),
                  )
                }
              >
                {confirm === 'leave' ? 'Yes, leave' : 'Yes, archive'}
              </button>{' '}
              <button type="button" onClick={() => setConfirm(null)}>
                Cancel
              </button>
            </p>
          ) : (
            <p>
              <button type="button" onClick={() => setConfirm('leave')}>
                Leave channel
              </button>{' '}
              {(isAdmin || c.createdBy === props.me.id) && !c.archived && (
                <button type="button" onClick={() => setConfirm('archive')}>
                  Archive channel
                </button>
              )}
            </p>
          )}
        </div>
      )}
      <ErrorLine error={error} />
    </Dialog>
  )
}
