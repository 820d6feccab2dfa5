import { useState } from 'react'
import type { Conversation, Unreads, User, Workspace } from '@ocomms/shared'
import { ChannelDialog, DirectMessageDialog } from './dialogs'
import { navigate } from '../router'
import { signOut } from '../session'
import { conversationTitle } from './names'

interface Props {
  me: User
  workspace: Workspace
  workspaces: Workspace[]
  onSwitch: (workspaceId: string) => void
  conversations: Conversation[]
  unreads: Unreads | null
  openId: string | null
  connection: string
}

/** Channels and direct messages of the workspace, with unread counts and mention badges from the server. */
export function Sidebar(props: Props) {
  const [dialog, setDialog] = useState<'channels' | 'dm' | null>(null)
  const counts = new Map(props.unreads?.conversations.map((u) => [u.conversation.id, u]) ?? [])
  const byTitle = (a: Conversation, b: Conversation) => conversationTitle(a, props.me).localeCompare(conversationTitle(b, props.me))
  const channels = props.conversations.filter((c) => c.kind === 'public' || c.kind === 'private').sort(byTitle)
  const dms = props.conversations.filter((c) => c.kind === 'dm' || c.kind === 'group_dm').sort(byTitle)

  const item = (c: Conversation) => {
    const u = counts.get(c.id)
    const unread = u && u.unread > 0 && !u.muted
    const title = conversationTitle(c, props.me)
    const label = [
      c.kind === 'private' ? `${title} (private)` : title,
      u && u.mentions > 0 ? `${u.mentions} mention${u.mentions === 1 ? '' : 's'}` : null,
      unread ? `${u.unread} unread` : null,
    ]
      .filter(Boolean)
      .join(', ')
    return (
      <li key={c.id}>
        <a
          href={`/c/${c.id}`}
          className={['conv', c.id === props.openId ? 'active' : '', unread ? 'unread' : '', u?.muted ? 'muted' : ''].join(' ')}
          aria-current={c.id === props.openId ? 'page' : undefined}
          aria-label={label}
          onClick={(e) => (e.preventDefault(), navigate(`/c/${c.id}`))}
        >
          <span className="sigil" aria-hidden="true">
            {c.kind === 'public' ? '#' : c.kind === 'private' ? '🔒' : '●'}
          </span>
          <span className="title">{title}</span>
          {u && u.mentions > 0 ? (
            <span className="badge" aria-hidden="true">
              {u.mentions}
            </span>
          ) : unread ? (
            <span className="count" aria-hidden="true">
              {u.unread}
            </span>
          ) : null}
        </a>
      </li>
    )
  }

  return (
    <nav className="sidebar" aria-label="Workspace">
      <div className="sidebar-head">
        {props.workspaces.length > 1 ? (
          <select aria-label="Workspace" value={props.workspace.id} onChange={(e) => props.onSwitch(e.target.value)}>
            {props.workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        ) : (
          <strong className="ws-name">{props.workspace.name}</strong>
        )}
        <span className={`conn ${props.connection}`} title={props.connection === 'connected' ? 'Connected' : 'Offline'} aria-hidden="true" />
      </div>
      <div className="section-head">
        <h2 id="channels-heading">Channels</h2>
        <button type="button" aria-label="Browse or create channels" onClick={() => setDialog('channels')}>
          +
        </button>
      </div>
      <ul aria-labelledby="channels-heading">{channels.map(item)}</ul>
      <div className="section-head">
        <h2 id="dms-heading">Direct messages</h2>
        <button type="button" aria-label="New direct message" onClick={() => setDialog('dm')}>
          +
        </button>
      </div>
      <ul aria-labelledby="dms-heading">{dms.map(item)}</ul>
      {dialog === 'channels' && <ChannelDialog workspaceId={props.workspace.id} onClose={() => setDialog(null)} />}
      {dialog === 'dm' && <DirectMessageDialog workspaceId={props.workspace.id} onClose={() => setDialog(null)} />}
      <div className="sidebar-foot">
        <span>@{props.me.handle}</span>
        <a href="/settings/sessions" onClick={(e) => (e.preventDefault(), navigate('/settings/sessions'))}>
          Sessions
        </a>
        <a href="/settings/notifications" onClick={(e) => (e.preventDefault(), navigate('/settings/notifications'))}>
          Status and notifications
        </a>
        {props.workspace.role === 'owner' && (
          <a href={`/settings/sso/${props.workspace.id}`} onClick={(e) => (e.preventDefault(), navigate(`/settings/sso/${props.workspace.id}`))}>
            Single sign-on
          </a>
        )}
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </nav>
  )
}
