import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { Backend } from '../backend/backend'
import { startBackend } from '../backend/start'
import { BackendContext, useBackend, useClientState, useConnection, useUnreads } from '../backend/hooks'
import { navigate, type Route } from '../router'
import type { SessionState } from '../session'
import { ConversationPane } from './conversation'
import { Sidebar } from './sidebar'
import { askForNotifications, useBrowserNotifications } from './notifications'
import { lastOpen, openingWorkspace, rememberOpen, rememberWorkspace } from './last-open'
import { stopPresence, usePresence, useWatchPresence } from './presence'
import { ShortcutHelp, useFaviconBadge, useShortcuts } from './shortcuts'
import { conversationTitle } from './names'
import { lazyComponent } from '../ui/lazy'

// Not needed to show a conversation: loaded when first opened.
const ViewPane = lazyComponent(() => import('../views/views').then((m) => m.ViewPane), <Placeholder label="Loading…" />)
const ThreadPane = lazyComponent(() => import('./thread').then((m) => m.ThreadPane))
const ChannelDetails = lazyComponent(() => import('./channel-details').then((m) => m.ChannelDetails))
const QuickSwitcher = lazyComponent(() => import('./quick-switcher').then((m) => m.QuickSwitcher))

type SignedIn = Extract<SessionState, { status: 'signed-in' }>

const wide = window.matchMedia('(min-width: 768px)')
const useWide = () => useSyncExternalStore((l) => (wide.addEventListener('change', l), () => wide.removeEventListener('change', l)), () => wide.matches)

/** The signed-in app: the client engine for the chosen workspace, and its panes. */
export function Workspace(props: { session: SignedIn; route: Route }) {
  const { session } = props
  const [workspaceId, setWorkspaceId] = useState(() => openingWorkspace(session.workspaces))
  const [backend, setBackend] = useState<Backend | null>(null)
  useEffect(() => {
    let stopped = false
    let started: Backend | null = null
    void startBackend(session, workspaceId).then((b) => {
      if (stopped) return b.stop()
      started = b
      setBackend(b)
    })
    return () => {
      stopped = true
      if (started) stopPresence(started)
      started?.stop()
      setBackend(null)
    }
    // One engine per signed-in user and workspace (a refreshed session object is the same one).
  }, [session.user.id, workspaceId])

  if (!backend) return null
  return (
    <BackendContext.Provider value={backend}>
      <Panes
        session={session}
        route={props.route}
        workspaceId={workspaceId}
        onSwitch={(id) => {
          rememberWorkspace(id)
          setWorkspaceId(id)
          navigate('/')
        }}
      />
    </BackendContext.Provider>
  )
}

function Panes(props: { session: SignedIn; route: Route; workspaceId: string; onSwitch: (id: string) => void }) {
  const { session, route, workspaceId } = props
  const state = useClientState()
  const connection = useConnection()
  const unreads = useUnreads(workspaceId)
  const isWide = useWide()
  const me = session.user
  const workspace = session.workspaces.find((w) => w.id === workspaceId)!
  const conversations = useMemo(
    () => Object.values(state.conversations).filter((c) => c.workspaceId === workspaceId && c.isMember && !c.archived),
    [state.conversations, workspaceId],
  )
  // On a wide screen the workspace opens at a conversation (the one last open, else #general);
  // on a phone, at the list. It is shown on this very render, its address following just after.
  const opening = useMemo(() => {
    if (route.name !== 'home' || !isWide || conversations.length === 0) return null
    const last = lastOpen(workspaceId)
    return conversations.find((c) => c.id === last) ?? conversations.find((c) => c.name === 'general') ?? conversations[0]!
  }, [route.name, isWide, conversations, workspaceId])
  const openId = route.name === 'conversation' ? route.conversationId : (opening?.id ?? null)
  const threadId = route.name === 'conversation' ? route.threadId : null
  const highlightId = route.name === 'conversation' ? route.messageId : null
  const view = route.name === 'view' ? route : null
  const open = openId ? state.conversations[openId] : undefined

  useEffect(() => {
    if (openId) rememberOpen(workspaceId, openId)
  }, [openId, workspaceId])
  useEffect(() => {
    if (opening) navigate(`/c/${opening.id}`, { replace: true })
  }, [opening])

  // The tab's title carries the unread count.
  useEffect(() => {
    const n = unreads?.total ?? 0
    document.title = n > 0 ? `(${n}) ${workspace.name} · OComms` : `${workspace.name} · OComms`
  }, [unreads?.total, workspace.name])

  // Ctrl/Cmd+K jumps to any conversation.
  const [switcher, setSwitcher] = useState(false)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault()
        setSwitcher(true)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  useFaviconBadge(unreads?.total ?? 0)

  // The other shortcuts (listed in the help dialog, `?`).
  const backend = useBackend()
  const [help, setHelp] = useState(false)
  const [details, setDetails] = useState(false)
  const ordered = useMemo(() => {
    const byTitle = (a: (typeof conversations)[number], b: (typeof conversations)[number]) => conversationTitle(a, me).localeCompare(conversationTitle(b, me))
    const channel = (c: (typeof conversations)[number]) => c.kind === 'public' || c.kind === 'private'
    return [...conversations.filter(channel).sort(byTitle), ...conversations.filter((c) => !channel(c)).sort(byTitle)]
  }, [conversations, me])
  useShortcuts({
    backend,
    ordered,
    unreadIds: new Set(unreads?.conversations.filter((u) => u.unread > 0 && !u.muted).map((u) => u.conversation.id) ?? []),
    openId,
    threadOpen: !!threadId,
    messagesOf: (id) =>
      Object.values(state.messages)
        .filter((m) => m.conversationId === id && m.threadRootId === null)
        .sort((a, b) => a.seq - b.seq),
    go: (to) => navigate(to),
    closeThread: () => openId && navigate(`/c/${openId}`),
    showHelp: () => setHelp(true),
    markAllRead: () => {
      for (const u of unreads?.conversations ?? []) if (u.unread > 0) backend.call('read.mark', { conversationId: u.conversation.id }).catch(() => {})
      for (const t of unreads?.threads ?? []) if (t.unread > 0) backend.call('read.mark', { conversationId: t.root.conversationId, threadRootId: t.root.id }).catch(() => {})
    },
  })
  // The people shown: DM partners in the sidebar, the members and authors of the open conversation
  // and its thread (replies are messages of the conversation too).
  const shown = useMemo(() => {
    const ids = conversations.filter((c) => c.kind === 'dm' || c.kind === 'group_dm').flatMap((c) => (c.members ?? []).map((m) => m.id))
    if (open) ids.push(...(open.members ?? []).map((m) => m.id))
    for (const m of Object.values(state.messages)) if (m.conversationId === openId) ids.push(m.author.id)
    return ids
  }, [conversations, open, openId, state.messages])
  useWatchPresence(shown)
  const presence = usePresence()
  useEffect(() => setDetails(false), [openId])

  useBrowserNotifications(backend, openId)
  // Permission is asked at the first click in the app, as browsers require.
  useEffect(() => {
    const ask = () => askForNotifications()
    window.addEventListener('pointerdown', ask, { once: true })
    return () => window.removeEventListener('pointerdown', ask)
  }, [])

  const pane = threadId ? 'thread' : openId || view ? 'conversation' : 'sidebar'
  return (
    <div className="workspace" data-pane={pane}>
      <Sidebar me={me} workspace={workspace} workspaces={session.workspaces} onSwitch={props.onSwitch} conversations={conversations} unreads={unreads} openId={openId} connection={connection} openView={view?.view ?? null} presence={presence} />
      {view ? (
        <ViewPane view={view.view} query={view.query} workspaceId={workspaceId} me={me} onBack={() => navigate('/')} />
      ) : open ? (
        <ConversationPane key={open.id} conversation={open} me={me} onBack={() => navigate('/')} highlightId={threadId ? null : highlightId} onDetails={() => setDetails(true)} readUpTo={unreads ? (unreads.conversations.find((u) => u.conversation.id === open.id && u.unread > 0)?.lastReadSeq ?? null) : undefined} />
      ) : (
        <Placeholder label={openId ? 'Loading…' : 'Pick a channel or a direct message.'} />
      )}
      {open && threadId && <ThreadPane conversation={open} rootId={threadId} me={me} onClose={() => navigate(`/c/${open.id}`)} highlightId={highlightId} />}
      {open && details && <ChannelDetails conversation={open} workspace={workspace} me={me} onClose={() => setDetails(false)} />}
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      {switcher && <QuickSwitcher conversations={conversations} me={me} onClose={() => setSwitcher(false)} />}
      {connection !== 'connected' && connection !== 'connecting' && (
        <div className="offline" role="status">
          {connection === 'signed_out' ? 'Your session has ended. Sign in again.' : 'Offline. Messages you write wait here and go out when the connection is back.'}
        </div>
      )}
    </div>
  )
}

function Placeholder(props: { label: string }) {
  return (
    <main className="conversation placeholder" aria-label="No conversation open">
      <p>{props.label}</p>
    </main>
  )
}
