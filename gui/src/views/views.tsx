import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { snippetMarks, type Conversation, type Message, type User } from '@ocomms/shared'
import { problem } from '../backend/http'
import { useBackend, useClientState } from '../backend/hooks'
import { messageHref, navigate, type ViewName } from '../router'
import { conversationTitle, dayLabel, timeLabel } from '../chat/names'
import { RichText } from '../chat/rich-text'
import { SearchBox } from './search-box'
import { ErrorLine } from '../ui/error-line'
import { viewTitles } from './view-titles'

/** One group of a view: a heading (a conversation or a thread) and its messages. */
interface Group {
  key: string
  heading: string
  /** Where the heading leads. */
  href: string
  note?: string
  items: Item[]
  /** Marks the group read (the Unreads view). */
  markRead?: () => Promise<unknown>
}

interface Item {
  message: Message
  /** A search excerpt with its hits marked, shown in place of the text. */
  snippet?: string
  note?: string
  /** Where it leads, when not to the message in its conversation (a thread root: its thread). */
  href?: string
}

/**
 * The lists across conversations: Unreads, Threads, Mentions, Saved, Pins and Search. Each is
 * the server's answer to one operation, asked through the backend; every item opens its
 * conversation (or thread) at the message.
 */
export function ViewPane(props: { view: ViewName; query: string; workspaceId: string; me: User; onBack: () => void }) {
  const { view, workspaceId, me } = props
  const backend = useBackend()
  const state = useClientState()
  const [groups, setGroups] = useState<Group[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [reload, setReload] = useState(0)
  const title = (id: string, fallback?: Conversation) => {
    const c = state.conversations[id] ?? fallback
    if (!c) return 'a conversation'
    const t = conversationTitle(c, me)
    return c.kind === 'public' || c.kind === 'private' ? `#${t}` : t
  }
  const memberChannels = useMemo(
    () => Object.values(state.conversations).filter((c) => c.workspaceId === workspaceId && c.isMember),
    [state.conversations, workspaceId],
  )

  // Views of what changes as messages come (all but Search) are asked again shortly after
  // anything arrives, keeping what they show meanwhile.
  useEffect(() => {
    if (view === 'search') return
    let timer: ReturnType<typeof setTimeout> | null = null
    const off = backend.onEvent((e) => {
      if (e.type === 'typing' || e.type === 'presence') return
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => setReload((n) => n + 1), 400)
    })
    return () => {
      off()
      if (timer) clearTimeout(timer)
    }
  }, [backend, view])
  const shown = useRef('')
  useEffect(() => {
    let alive = true
    const key = `${workspaceId}/${view}/${props.query}`
    if (shown.current !== key) setGroups(null)
    shown.current = key
    setError(null)
    load().then(
      (g) => alive && setGroups(g),
      (err: unknown) => alive && setError(problem(err)),
    )
    return () => {
      alive = false
    }

    async function load(): Promise<Group[]> {
      const byConversation = (items: Item[]): Group[] => {
        const groups = new Map<string, Group>()
        for (const item of items) {
          const id = item.message.conversationId
          const g = groups.get(id) ?? { key: id, heading: title(id, (item as { conversation?: Conversation }).conversation), href: `/c/${id}`, items: [] }
          g.items.push(item)
          groups.set(id, g)
        }
        return [...groups.values()]
      }
      switch (view) {
        case 'unreads': {
          const u = await backend.call('unreads', { workspaceId })
          const conversations = await Promise.all(
            u.conversations
              .filter((c) => c.unread > 0)
              .map(async (c) => {
                const messages = await backend.call('message.list', { conversationId: c.conversation.id, afterSeq: c.lastReadSeq, limit: 50 })
                return {
                  key: c.conversation.id,
                  heading: title(c.conversation.id, c.conversation),
                  href: `/c/${c.conversation.id}`,
                  note: `${c.unread} unread${c.mentions > 0 ? `, ${c.mentions} mention${c.mentions === 1 ? '' : 's'}` : ''}`,
                  items: messages.filter((m) => m.author.id !== me.id && !m.deleted).map((message) => ({ message })),
                  markRead: () => backend.call('read.mark', { conversationId: c.conversation.id }),
                } satisfies Group
              }),
          )
          const threads = await Promise.all(
            u.threads
              .filter((t) => t.unread > 0)
              .map(async (t) => {
                const r = await backend.call('thread.replies', { messageId: t.root.id, afterSeq: t.lastReadSeq, limit: 50 })
                return {
                  key: `thread/${t.root.id}`,
                  heading: `Thread in ${title(t.root.conversationId)}`,
                  href: `/c/${t.root.conversationId}/t/${t.root.id}`,
                  note: `${t.unread} unread repl${t.unread === 1 ? 'y' : 'ies'}`,
                  items: r.replies.filter((m) => m.author.id !== me.id && !m.deleted).map((message) => ({ message })),
                  markRead: () => backend.call('read.mark', { conversationId: t.root.conversationId, threadRootId: t.root.id }),
                } satisfies Group
              }),
          )
          return [...conversations, ...threads]
        }
        case 'threads': {
          const u = await backend.call('unreads', { workspaceId, all: true })
          return u.threads
            .slice()
            .sort((a, b) => (b.root.lastReplyAt ?? b.root.createdAt).localeCompare(a.root.lastReplyAt ?? a.root.createdAt))
            .map((t) => ({
              key: t.root.id,
              heading: `Thread in ${title(t.root.conversationId)}`,
              href: `/c/${t.root.conversationId}/t/${t.root.id}`,
              note: `${t.root.replyCount} repl${t.root.replyCount === 1 ? 'y' : 'ies'}${t.unread > 0 ? `, ${t.unread} unread` : ''}`,
              items: [{ message: t.root, href: `/c/${t.root.conversationId}/t/${t.root.id}?m=${t.root.id}` }],
            }))
        }
        case 'mentions': {
          const list = await backend.call('mentions.list', { workspaceId, limit: 50 })
          return [{ key: 'mentions', heading: '', href: '', items: list.map((m) => ({ message: m, note: mentionNote(m.mention) })) }]
        }
        case 'saved': {
          const list = await backend.call('saved.list', { workspaceId })
          return [{ key: 'saved', heading: '', href: '', items: list.map((m) => ({ message: m, note: `Saved ${dayLabel(m.savedAt).toLowerCase()}` })) }]
        }
        case 'pins': {
          const lists = await Promise.all(memberChannels.map((c) => backend.call('pin.list', { conversationId: c.id }).catch(() => [])))
          return byConversation(lists.flat().map((m) => ({ message: m, note: `Pinned by ${m.pinnedBy.name}` })))
        }
        case 'search': {
          if (!props.query.trim()) return []
          const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
          const r = await backend.call('search', { workspaceId, query: props.query, type: 'messages', sort: 'recent', limit: 50, timeZone })
          return [{ key: 'search', heading: '', href: '', items: r.messages.map((m) => ({ message: m, snippet: m.snippet, note: title(m.conversationId, m.conversation) })) }]
        }
      }
    }
    // The list is asked again when the view, the query or the workspace changes, or on demand.
  }, [backend, view, props.query, workspaceId, reload])

  const empty = groups !== null && groups.every((g) => g.items.length === 0) && !error
  const heading = viewTitles[view]
  return (
    <main className="conversation view" aria-labelledby="view-title">
      <header className="conv-head">
        <button type="button" className="back" aria-label="Back to conversations" onClick={props.onBack}>
          ‹
        </button>
        <h1 id="view-title">{heading}</h1>
      </header>
      {view === 'search' && <SearchBox key={props.query} workspaceId={workspaceId} initial={props.query} autoFocus />}
      <div className="view-body" aria-busy={groups === null}>
        <ErrorLine error={error} />
        {groups === null && !error && <p className="empty">Loading…</p>}
        {empty && <p className="empty">{emptyText(view, props.query)}</p>}
        {groups?.map((g) =>
          g.items.length === 0 && !g.heading ? null : (
            <section key={g.key} className="view-group" aria-label={g.heading || heading}>
              {g.heading && (
                <header>
                  <h2>
                    <a href={g.href} onClick={(e) => (e.preventDefault(), navigate(g.href))}>
                      {g.heading}
                    </a>
                  </h2>
                  {g.note && <span className="note">{g.note}</span>}
                  {g.markRead && (
                    <button type="button" className="link" onClick={() => void g.markRead!().then(() => setReload((n) => n + 1))}>
                      Mark as read
                    </button>
                  )}
                </header>
              )}
              <ul aria-label={g.heading || heading}>
                {g.items.map((item) => (
                  <ViewItem key={item.message.id} item={item} me={me} place={g.heading ? null : title(item.message.conversationId)} />
                ))}
              </ul>
            </section>
          ),
        )}
      </div>
    </main>
  )
}

function mentionNote(m: { kind: string; keyword: string | null }): string {
  if (m.keyword) return `Keyword “${m.keyword}”`
  return m.kind === 'channel' ? '@channel' : m.kind === 'here' ? '@here' : 'Mentioned you'
}

function emptyText(view: ViewName, query: string): string {
  switch (view) {
    case 'unreads':
      return 'You are all caught up.'
    case 'threads':
      return 'No threads yet: reply to a message to start one.'
    case 'mentions':
      return 'Nobody has mentioned you yet.'
    case 'saved':
      return 'Nothing saved. Save a message from its actions to find it here.'
    case 'pins':
      return 'No pinned messages in your conversations.'
    case 'search':
      return query.trim() ? `Nothing found for “${query}”.` : 'Search messages: words, "phrases", -exclusions, from: in: has: before: after:'
  }
}

/** One message of a view; pressing it (or its link) opens the conversation at it. */
function ViewItem(props: { item: Item; me: User; place: string | null }) {
  const { message: m, snippet, note } = props.item
  const href = props.item.href ?? messageHref(m)
  return (
    <li className="view-item" data-message-id={m.id} onClick={(e) => (e.target as HTMLElement).closest('a') || navigate(href)}>
      <header>
        <a href={href} onClick={(e) => (e.preventDefault(), navigate(href))}>
          <span className="author">{m.author.name}</span>
          {props.place && <span className="place">{props.place}</span>}
          <time dateTime={m.createdAt}>
            {dayLabel(m.createdAt)} {timeLabel(m.createdAt)}
          </time>
        </a>
        {note && <span className="note">{note}</span>}
      </header>
      {snippet !== undefined ? <Snippet text={snippet} /> : m.deleted ? <p className="deleted">This message was deleted.</p> : <RichText text={m.text} me={props.me.handle} />}
    </li>
  )
}

/** A search excerpt: its hits (between the shared snippet marks) as <mark>, the rest as text. */
function Snippet(props: { text: string }) {
  const parts: ReactNode[] = []
  const re = new RegExp(`${snippetMarks.start}([^${snippetMarks.end}]*)${snippetMarks.end}`, 'g')
  let last = 0
  for (let hit = re.exec(props.text); hit; hit = re.exec(props.text)) {
    parts.push(props.text.slice(last, hit.index))
    parts.push(<mark key={hit.index}>{hit[1]}</mark>)
    last = hit.index + hit[0].length
  }
  parts.push(props.text.slice(last))
  return <p className="snippet">{parts}</p>
}
