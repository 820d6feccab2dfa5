import { useMemo, useState } from 'react'
import type { Conversation, User } from '@ocomms/shared'
import { navigate } from '../router'
import { Dialog } from '../ui/dialog'
import { conversationTitle } from './names'

/** Ctrl/Cmd+K: type part of a name, Enter (or a click) opens the conversation. */
export function QuickSwitcher(props: { conversations: Conversation[]; me: User; onClose: () => void }) {
  const [query, setQuery] = useState('')
  const [selected, setSelected] = useState(0)
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/^[#@]/, '')
    const named = props.conversations.map((c) => ({ c, title: conversationTitle(c, props.me) }))
    const hits = q ? named.filter((n) => n.title.toLowerCase().includes(q)) : named
    // Names that start with what was typed come first.
    return hits.sort((a, b) => Number(!a.title.toLowerCase().startsWith(q)) - Number(!b.title.toLowerCase().startsWith(q)) || a.title.localeCompare(b.title)).slice(0, 12)
  }, [query, props.conversations, props.me])
  const open = (c: Conversation) => {
    props.onClose()
    navigate(`/c/${c.id}`)
  }
  return (
    <Dialog title="Jump to a conversation" onClose={props.onClose}>
      <input
        className="switcher-input"
        aria-label="Conversation name"
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={matches[selected] ? `switch-${matches[selected].c.id}` : undefined}
        autoFocus
        value={query}
        onChange={(e) => (setQuery(e.currentTarget.value), setSelected(0))}
        onKeyDown={(e) => {
          const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0
          if (move !== 0) {
            e.preventDefault()
            setSelected((s) => Math.max(0, Math.min(s + move, matches.length - 1)))
          } else if (e.key === 'Enter' && matches[selected]) {
            e.preventDefault()
            open(matches[selected].c)
          }
        }}
      />
      <ul id="switcher-list" role="listbox" aria-label="Conversations" className="pick-list">
        {matches.map((m, i) => (
          <li key={m.c.id} id={`switch-${m.c.id}`} role="option" aria-selected={i === selected} className={i === selected ? 'selected' : undefined} onClick={() => open(m.c)}>
            {m.c.kind === 'public' ? '#' : m.c.kind === 'private' ? '🔒 ' : ''}
            {m.title}
          </li>
        ))}
      </ul>
    </Dialog>
  )
}
