import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { useClientState } from '../backend/hooks'
import { navigate } from '../router'
import { usePlaceCaret } from '../ui/place-caret'
import { useAutoFocus } from '../ui/auto-focus'
import { applyQuerySuggestion, querySuggestions, tokenAt, type QuerySuggestion } from './search-suggestions'

/**
 * The search field: the shared query grammar, with suggestions for the operator being typed
 * (from: in: has: is: before: after: on: during:) in a listbox; Enter searches, opening the
 * Search view at /views/search?q=….
 */
export function SearchBox(props: { workspaceId: string; initial?: string; autoFocus?: boolean }) {
  const state = useClientState()
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [query, setQuery] = useState(props.initial ?? '')
  const [caret, setCaret] = useState(query.length)
  const [active, setActive] = useState(0)
  const [closed, setClosed] = useState(true)
  useAutoFocus(input, props.autoFocus)

  const sources = useMemo(
    () => ({
      handles: Object.entries(state.members)
        .filter(([key, m]) => key.startsWith(`${props.workspaceId}/`) && m.state === 'active')
        .map(([, m]) => ({ handle: m.handle, name: m.name }))
        .sort((a, b) => a.handle.localeCompare(b.handle)),
      channels: Object.values(state.conversations)
        .filter((c) => c.workspaceId === props.workspaceId && (c.kind === 'public' || c.kind === 'private') && c.name)
        .map((c) => c.name!)
        .sort(),
      today: new Date(),
    }),
    [state.members, state.conversations, props.workspaceId],
  )
  const token = tokenAt(query, caret)
  const suggestions = closed ? [] : querySuggestions(token, sources)

  // The caret goes where the suggestion ends.
  const placeCaret = usePlaceCaret(input)
  const apply = (s: QuerySuggestion) => {
    const next = applyQuerySuggestion(query, token, s)
    setQuery(next.query)
    setCaret(next.caret)
    setActive(0)
    placeCaret(next.caret)
  }
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length)
        return
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault()
        apply(suggestions[Math.min(active, suggestions.length - 1)]!)
        return
      }
      if (e.key === 'Escape') {
        e.preventDefault()
        e.stopPropagation()
        setClosed(true)
        return
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault()
      if (query.trim()) navigate(`/views/search?q=${encodeURIComponent(query.trim())}`)
    }
  }

  return (
    <div className="search-box" role="search">
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Search messages
      </label>
      <input
        id={`${id}-input`}
        ref={input}
        type="search"
        role="combobox"
        aria-expanded={suggestions.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={suggestions.length > 0 ? `${id}-s${Math.min(active, suggestions.length - 1)}` : undefined}
        placeholder='Search: words, "phrases", from:@someone in:#channel has:file after:2026-01-01'
        value={query}
        autoFocus={props.autoFocus}
        autoComplete="off"
        onChange={(e) => {
          setQuery(e.currentTarget.value)
          setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length)
          setActive(0)
          setClosed(false)
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? query.length)}
        onBlur={() => setClosed(true)}
        onKeyDown={onKeyDown}
      />
      <ul id={`${id}-list`} role="listbox" aria-label="Suggestions" className="query-suggestions" hidden={suggestions.length === 0}>
        {suggestions.map((s, i) => (
          <li
            key={s.insert}
            id={`${id}-s${i}`}
            role="option"
            aria-selected={i === Math.min(active, suggestions.length - 1)}
            onMouseDown={(e) => (e.preventDefault(), apply(s))}
          >
            {s.label}
          </li>
        ))}
      </ul>
    </div>
  )
}
