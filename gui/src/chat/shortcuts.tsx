import { useEffect, useRef } from 'react'
import type { Conversation, Message } from '@ocomms/shared'
import type { Backend } from '../backend/backend'
import { Dialog } from '../ui/dialog'
import { EDIT_MESSAGE_EVENT } from './message'

const mod = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl'

/** The keyboard shortcuts, as the help dialog lists them; the handler below is their one implementation. */
export const shortcutList: { keys: string[]; action: string }[] = [
  { keys: [mod, 'K'], action: 'Jump to a conversation' },
  { keys: ['/'], action: 'Search (or Ctrl+G)' },
  { keys: ['Alt', '↓'], action: 'Next conversation' },
  { keys: ['Alt', '↑'], action: 'Previous conversation' },
  { keys: ['Alt', 'Shift', '↓'], action: 'Next unread conversation' },
  { keys: ['Alt', 'Shift', '↑'], action: 'Previous unread conversation' },
  { keys: [mod, 'Shift', 'A'], action: 'Unreads' },
  { keys: [mod, 'Shift', 'M'], action: 'Mentions' },
  { keys: ['Esc'], action: 'Close the thread or dialog; else mark the conversation read' },
  { keys: ['Shift', 'Esc'], action: 'Mark everything read' },
  { keys: ['↑'], action: 'Edit your last message (in an empty message box)' },
  { keys: ['Enter'], action: 'Send; Shift+Enter for a new line' },
  { keys: ['?'], action: 'This list' },
]

export function ShortcutHelp(props: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={props.onClose}>
      <table className="shortcuts">
        <tbody>
          {shortcutList.map((s) => (
            <tr key={s.action}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' + '}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  )
}

export interface ShortcutContext {
  backend: Backend
  /** Conversations in sidebar order. */
  ordered: Conversation[]
  unreadIds: Set<string>
  openId: string | null
  threadOpen: boolean
  messagesOf: (conversationId: string) => Message[]
  go: (to: string) => void
  closeThread: () => void
  showHelp: () => void
  markAllRead: () => void
}

const typingIn = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))

/** The app's keyboard shortcuts (Ctrl/Cmd+K is the quick switcher's own). */
export function useShortcuts(context: ShortcutContext): void {
  const ref = useRef(context)
  ref.current = context
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const c = ref.current
      if (e.defaultPrevented || document.querySelector('dialog[open]')) return
      const typing = typingIn(e.target)
      const step = (direction: 1 | -1, unreadOnly: boolean) => {
        const list = c.ordered
        if (list.length === 0) return
        const at = list.findIndex((x) => x.id === c.openId)
        for (let i = 1; i <= list.length; i++) {
          const next = list[(at + direction * i + list.length * 2) % list.length]!
          if (!unreadOnly || c.unreadIds.has(next.id)) return c.go(`/c/${next.id}`)
        }
      }
      if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault()
        step(e.key === 'ArrowDown' ? 1 : -1, e.shiftKey)
        return
      }
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'a') return e.preventDefault(), c.go('/views/unreads')
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'm') return e.preventDefault(), c.go('/views/mentions')
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'g') return e.preventDefault(), c.go('/views/search')
      if (e.key === 'Escape') {
        if (e.shiftKey) return e.preventDefault(), c.markAllRead()
        if (c.threadOpen) return e.preventDefault(), c.closeThread()
        if (c.openId && !typing) return void c.backend.call('read.mark', { conversationId: c.openId }).catch(() => {})
        return
      }
      if (e.key === 'ArrowUp' && !e.altKey && !e.shiftKey && e.target instanceof HTMLTextAreaElement && e.target.value === '' && e.target.closest('main.conversation') && c.openId) {
        const mine = c.messagesOf(c.openId).filter((m) => m.author.id === c.backend.user.id && !m.deleted).at(-1)
        if (mine) {
          e.preventDefault()
          window.dispatchEvent(new CustomEvent(EDIT_MESSAGE_EVENT, { detail: mine.id }))
        }
        return
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === '?') return e.preventDefault(), c.showHelp()
      if (e.key === '/') return e.preventDefault(), c.go('/views/search')
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

/** The favicon carries the unread count as a badge (the tab title has it too). */
export function useFaviconBadge(count: number): void {
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]')
    if (!link) return
    const plain = '/favicon.svg'
    if (count <= 0) {
      link.href = plain
      return
    }
    const label = count > 99 ? '99+' : String(count)
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#3b1f4a"/>` +
      `<circle cx="32" cy="32" r="17" fill="none" stroke="#f5d76e" stroke-width="7"/><circle cx="32" cy="32" r="5" fill="#fff"/>` +
      `<circle cx="46" cy="18" r="18" fill="#e01e5a"/><text x="46" y="26" text-anchor="middle" font-family="sans-serif" font-weight="700" font-size="${label.length > 2 ? 16 : 22}" fill="#fff">${label}</text></svg>`
    link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`
    link.dataset.count = label
    return () => {
      link.href = plain
      delete link.dataset.count
    }
  }, [count])
}
