import { useState } from 'react'
import type { Conversation, PresenceInfo, Unreads, User, Workspace } from '@ocomms/shared'
import { navigate } from '../router'
import { signOut } from '../session'
import { conversationTitle } from './names'
import { viewNames, type ViewName } from '../router'
import { viewTitles } from '../views/view-titles'
import { lazyComponent } from '../ui/lazy'

const ChannelDialog = lazyComponent(() => import('./dialogs').then((m) => m.ChannelDialog))
const DirectMessageDialog = lazyComponent(() => import('./dialogs').then((m) => m.DirectMessageDialog))

interface Props {
  me: User
  workspace: Workspace
  workspaces: Workspace[]
  onSwitch: (workspaceId: string) => void
  conversations: Conversation[]
  unreads: Unreads | null
  openId: string | null
  connection: string
  /** The view open in the main pane, if one is. */
  openView?: ViewName | null
  /** Presence of DM partners, by user id. */
  presence?: Record<string, PresenceInfo>
}

const viewSigils: Record<ViewName, string> = { unreads: '≡', threads: '💬', mentions: '@', saved: '★', pins: '📌', search: '⌕' }

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
    // A DM's dot shows whether the other person is here; a group DM counts its people.
    const partner = c.kind === 'dm' ? (c.members ?? []).find((m) => m.id !== props.me.id) : undefined
    const presence = partner ? props.presence?.[partner.id]?.presence : undefined
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
          // Presence as the link's description (a tooltip too), so its name stays the conversation's.
          title={partner && presence ? `${partner.name} is ${presence === 'online' ? 'active' : presence}` : undefined}
          onClick={(e) => (e.preventDefault(), navigate(`/c/${c.id}`))}
        >
          <span className="sigil" aria-hidden="true">
            {c.kind === 'public' ? '#' : c.kind === 'private' ? '🔒' : c.kind === 'group_dm' ? (c.members?.length ?? 3) - 1 : <span className={`presence ${presence === 'online' ? 'active' : 'away'}`} />}
          </span>
          <span className="title">{title}</span>
          {/* Counts are drawn from data-n (CSS), so the link's visible text stays its title, which its label starts with. */}
          {u && u.mentions > 0 ? <span className="badge" data-n={u.mentions} aria-hidden="true" /> : unread ? <span className="count" data-n={u.unread} aria-hidden="true" /> : null}
        </a>
      </li>
    )
  }

  return (
    <nav className="sidebar" aria-label="Workspace">
      <div className="sidebar-head">
        {props.workspaces.length > 1 ? (
          <select aria-label="Workspace" value={props.workspace.id} onChange={(e) => props.onSwitch(e.currentTarget.value)}>
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
      <ul className="views" aria-label="Views">
        {viewNames.map((v) => {
          const n = v === 'unreads' ? (props.unreads?.total ?? 0) : v === 'mentions' ? (props.unreads?.totalMentions ?? 0) : 0
          return (
            <li key={v}>
              <a
                href={`/views/${v}`}
                className={['conv', v === props.openView ? 'active' : ''].join(' ')}
                aria-current={v === props.openView ? 'page' : undefined}
                onClick={(e) => (e.preventDefault(), navigate(`/views/${v}`))}
              >
                <span className="sigil" aria-hidden="true">
                  {viewSigils[v]}
                </span>
                <span className="title">{viewTitles[v]}</span>
                {n > 0 && <span className={v === 'mentions' ? 'badge' : 'count'}>{n}</span>}
              </a>
            </li>
          )
        })}
      </ul>
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
