// @jsxRuntime automatic
// @jsxImportSource react
import type { Message } from '@ocomms/shared'
import { messageTextProblem } from '@ocomms/shared/core'
import { resolveEmoji, searchEmoji } from '@ocomms/shared/text'
import { Box, Text, useApp, useInput, type Key } from 'ink'
import { useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { ChatStore } from '../state/store.js'
import { conversationTitle, isChannel, messageRef } from '../state/names.js'
import { draftKey, viewTitles, type ChatState, type ViewName } from '../state/types.js'
import { applySuggestion, suggestions as completionsFor, tokenAt, type Suggestion } from './completion.js'
import { Composer, composerHeight } from './composer.js'
import * as ed from './editor.js'
import { Help } from './help.js'
import { KeyDecoder, type KeyPress } from './keys.js'
import { listHeightOf, MessagePane } from './message-pane.js'
import { firstNewIndex, lineOpening, messageRows, newLineKey, type Row, type Segment } from './rows.js'
import { Sidebar } from './sidebar.js'
import { indexOfLocation, presenceGlyph, selectable, sidebarItems } from './sidebar-items.js'
import { StatusLine } from './status-line.js'
import { Switcher } from './switcher.js'
import { matchSwitcher, type SwitcherItem } from './switcher-items.js'
import { useTheme } from './theme.js'
import { useTerminalSize } from './use-terminal-size.js'
import { entryTitle, ViewPane, type ViewEntry } from './view-pane.js'

type Focus = 'sidebar' | 'messages' | 'composer' | 'thread' | 'threadComposer' | 'view'

type Overlay =
  | { kind: 'switcher'; editor: ed.EditorState; index: number }
  | { kind: 'help' }
  | { kind: 'react'; editor: ed.EditorState; index: number; message: Message }
  | { kind: 'search'; editor: ed.EditorState }

interface UiState {
  focus: Focus
  overlay: Overlay | null
  sidebarCursor: number | null
  selected: string | null
  threadSelected: string | null
  viewCursor: number
  editors: Record<string, ed.EditorState>
  editing: { messageId: string; key: string; saved: ed.EditorState } | null
  completionIndex: number
  /** The token text the person dismissed with Esc, so it does not pop up again at once. */
  completionDismissed: string | null
  /** The "new messages" line (conversation and marker) left for the newest by sending there. */
  lineLeft: string | null
}

export interface AppProps {
  store: ChatStore
  /** Puts text on the clipboard (OSC 52 in a real terminal). */
  copy?: (text: string) => void
}

/** Widths at which the layout changes: the thread pane goes beside the channel, the sidebar hides. */
export const WIDE_COLUMNS = 120
export const SIDEBAR_MIN_COLUMNS = 60

const VIEW_KEYS: Record<string, ViewName> = { U: 'unreads', T: 'threads', M: 'mentions', S: 'saved', P: 'pins' }

function viewEntries(s: ChatState, view: ViewName, titleOf: (id: string) => string): ViewEntry[] {
  const v = s.views
  const fromMessages = (list: Message[] | undefined, prefix: string) =>
    (list ?? []).map((m) => ({
      key: `${prefix}-${m.id}`,
      title: entryTitle(titleOf(m.conversationId), m),
      text: m.deleted ? '(deleted)' : m.text,
      conversationId: m.conversationId,
      message: m,
    }))
  switch (view) {
    case 'unreads': {
      const conversations = Object.entries(s.counts)
        .filter(([, c]) => c.unread > 0 || c.mentions > 0)
        .map(([id, c]) => ({
          key: `u-${id}`,
          title: titleOf(id),
          badge: `${c.unread} unread${c.mentions ? `, ${c.mentions} mention${c.mentions > 1 ? 's' : ''}` : ''}`,
          text: s.histories[id]?.messages.at(-1)?.text ?? '',
          conversationId: id,
        }))
      const threads = (v.unreads?.threads ?? [])
        .filter((t) => t.unread > 0)
        .map((t) => ({
          key: `ut-${t.root.id}`,
          title: `thread in ${titleOf(t.root.conversationId)}`,
          badge: `${t.unread} new`,
          text: t.root.text,
          conversationId: t.root.conversationId,
          message: t.root,
        }))
      return [...conversations, ...threads]
    }
    case 'threads':
      return (v.threads ?? []).map((t) => ({
        key: `t-${t.root.id}`,
        title: entryTitle(titleOf(t.root.conversationId), t.root),
        badge: t.unread ? `${t.unread} new` : `${t.root.replyCount} replies`,
        text: t.root.text,
        conversationId: t.root.conversationId,
        message: t.root,
      }))
    case 'mentions':
      return fromMessages(v.mentions, 'm')
    case 'saved':
      return fromMessages(v.saved, 's')
    case 'pins':
      return fromMessages(v.pins?.messages, 'p')
    case 'search':
      return fromMessages(v.search?.answer?.messages, 'q')
  }
}

export function App({ store, copy }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState)
  const { columns, rows } = useTerminalSize()
  const { color } = useTheme()
  const { exit } = useApp()
  const [ui, setUi] = useState<UiState>({
    focus: 'composer',
    overlay: null,
    sidebarCursor: null,
    selected: null,
    threadSelected: null,
    viewCursor: 0,
    editors: {},
    editing: null,
    completionIndex: 0,
    completionDismissed: null,
    lineLeft: null,
  })
  // Key handlers read the newest UI state even when keys arrive faster than React renders.
  const uiRef = useRef(ui)
  // Whether the channel's pane opened at its "new messages" line (worked out with its layout, below).
  const openedAtLineRef = useRef(false)
  const update = (fn: (u: UiState) => UiState) => {
    uiRef.current = fn(uiRef.current)
    setUi(uiRef.current)
  }

  const meId = state.me?.id ?? null
  const titleOf = (id: string) => {
    const c = store.conversation(id)
    if (!c) return 'a conversation'
    return isChannel(c) ? `#${conversationTitle(c, meId)}` : `@${conversationTitle(c, meId)}`
  }
  const items = useMemo(() => sidebarItems(state), [state])
  const pickable = selectable(items)
  const location = state.location
  const openConvId = location?.kind === 'conversation' ? location.conversationId : null
  const openConv = store.conversation(openConvId)
  const history = openConvId ? state.histories[openConvId] : undefined
  const thread = state.thread
  const sidebarCursor = ui.sidebarCursor ?? indexOfLocation(items, state)

  // ---- layout
  const showSidebar = columns >= SIDEBAR_MIN_COLUMNS
  const sidebarWidth = showSidebar ? Math.max(20, Math.min(30, Math.round(columns * 0.25))) : 0
  const mainWidth = columns - sidebarWidth
  const bodyHeight = Math.max(3, rows - 1)
  const threadOpen = !!thread && location?.kind === 'conversation' && thread.conversationId === openConvId
  const wide = columns >= WIDE_COLUMNS
  const threadWidth = threadOpen ? (wide ? Math.floor(mainWidth * 0.45) : mainWidth) : 0
  // Side by side, a one-column rule (the sidebar's kind) divides the channel from the thread.
  const dividerWidth = threadOpen && wide ? 1 : 0
  const channelWidth = threadOpen ? (wide ? mainWidth - threadWidth - dividerWidth : 0) : mainWidth
  // Everything below that a key handler uses reads uiRef (not the render's `ui`), so keys that
  // arrive before React re-renders still see the previous key's effect.
  const focusOf = (u: UiState): Focus => (!threadOpen && (u.focus === 'thread' || u.focus === 'threadComposer') ? 'composer' : u.focus)
  const focus = focusOf(ui)

  // ---- composer targets
  const channelKey = openConvId ? draftKey(openConvId, null) : null
  const threadKey = thread ? draftKey(thread.conversationId, thread.rootId) : null
  const editorFor = (key: string | null): ed.EditorState =>
    key ? (uiRef.current.editors[key] ?? ed.emptyEditor(store.getState().drafts[key] ?? '')) : ed.emptyEditor()
  const activeKeyOf = (f: Focus) => (f === 'threadComposer' ? threadKey : f === 'composer' ? channelKey : null)
  const activeKey = activeKeyOf(focus)

  const people = Object.values(state.people)
  const channelNames = state.conversations.filter((c) => isChannel(c) && c.name).map((c) => c.name!)
  const completionFor = (key: string | null, u: UiState) => {
    const editor = editorFor(key)
    const token = key ? tokenAt(editor) : null
    const tokenText = token ? editor.text.slice(token.start, editor.cursor) : null
    const list: Suggestion[] =
      token && tokenText !== u.completionDismissed ? completionsFor(token, { people: people.length ? people : (openConv?.members ?? []), channels: channelNames }) : []
    return { token, tokenText, list, index: Math.min(u.completionIndex, Math.max(0, list.length - 1)) }
  }
  const rendered = completionFor(activeKey, ui)
  const completion = rendered.list
  const completionIndex = rendered.index

  const switcherItems = useMemo((): SwitcherItem[] => {
    const list: SwitcherItem[] = []
    for (const it of items) {
      if (it.kind === 'conversation') {
        const prefix = isChannel(it.conversation) ? '#' : '@'
        list.push({ key: it.key, kind: 'conversation', label: prefix + it.label, target: it.conversation.id, unread: it.unread, detail: it.conversation.topic || undefined })
      }
      if (it.kind === 'view') list.push({ key: it.key, kind: 'view', label: it.label, target: it.view })
    }
    const dmWith = new Set(items.flatMap((it) => (it.kind === 'conversation' && it.person ? [it.person.id] : [])))
    for (const p of Object.values(state.people)) {
      if (p.id !== meId && !dmWith.has(p.id)) list.push({ key: `person-${p.id}`, kind: 'person', label: '@' + p.handle, detail: p.name, target: '@' + p.handle })
    }
    return list
  }, [items, state.people, meId])

  // ---- message lists
  const channelMessages = history?.messages ?? []
  const rowOptions = { meId, meHandle: state.me?.handle, savedIds: state.savedIds, color }
  // Laid out again only when what is shown changes, not on every key typed in the composer.
  const newAfterSeq = history?.newAfterSeq
  // Until the messages are selected the pane shows its newest lines: only those are laid out
  // (the first paint renders the markdown of a screenful, not of the whole page); or, opened at
  // the "new messages" line, those from the line on.
  const newest = focus === 'messages' ? undefined : bodyHeight
  const lineId = openConvId && newAfterSeq != null ? `${openConvId}:${newAfterSeq}` : null
  const lineKept = lineId !== null && ui.lineLeft !== lineId
  const channelRows = useMemo(
    () =>
      channelWidth > 0
        ? messageRows(channelMessages, {
            ...rowOptions,
            width: channelWidth - 1,
            newAfterSeq,
            newest,
            throughLine: lineKept,
            pending: state.pending.filter((p) => p.conversationId === openConvId && !p.threadRootId),
          })
        : Object.assign([], { complete: true }),
    [channelMessages, channelWidth, newAfterSeq, newest, lineKept, state.pending, state.savedIds, state.me?.handle, openConvId, color, meId],
  )
  const threadMessages = thread ? [...(thread.root ? [thread.root] : []), ...thread.replies] : []
  const threadRows = threadOpen
    ? messageRows(threadMessages, {
        ...rowOptions,
        width: threadWidth - 1,
        showReplies: false,
        pending: state.pending.filter((p) => p.threadRootId === thread?.rootId),
      })
    : []

  // Nothing selected yet: the newest, or the first unread when the pane opened at the line.
  const defaultSelected = () => (openedAtLineRef.current ? firstNewIndex(channelMessages, newAfterSeq, meId) : channelMessages.length - 1)
  const selectedMessage = (): Message | undefined => {
    const u = uiRef.current
    if (focusOf(u) === 'thread') return threadMessages.find((m) => m.id === u.threadSelected) ?? threadMessages.at(-1)
    return channelMessages.find((m) => m.id === u.selected) ?? channelMessages[defaultSelected()]
  }

  // ---- actions
  const openLocation = (index: number) => {
    const it = pickable[index]
    if (!it) return
    update((u) => ({ ...u, sidebarCursor: null, selected: null, overlay: null }))
    if (it.kind === 'view') {
      update((u) => ({ ...u, focus: 'view', viewCursor: 0 }))
      void store.openView(it.view)
    } else if (it.kind === 'conversation') {
      update((u) => ({ ...u, focus: 'composer' }))
      void store.openConversation(it.conversation.id)
    }
  }

  const stepConversation = (delta: number, unreadOnly: boolean) => {
    const convs = pickable.filter((it) => it.kind === 'conversation')
    const currentId = openConvId ?? state.lastConversationId
    const here = convs.findIndex((it) => it.kind === 'conversation' && it.conversation.id === currentId)
    for (let step = 1; step <= convs.length; step++) {
      const next = convs[(here + delta * step + convs.length * step) % convs.length]
      if (!next || next.kind !== 'conversation') continue
      if (unreadOnly && next.unread === 0 && next.mentions === 0) continue
      update((u) => ({ ...u, selected: null, sidebarCursor: null }))
      void store.openConversation(next.conversation.id)
      return
    }
  }

  const setEditor = (key: string, next: ed.EditorState) => {
    const editing = uiRef.current.editing
    update((u) => ({ ...u, editors: { ...u.editors, [key]: next }, completionIndex: 0, completionDismissed: null }))
    const [conversationId, threadRootId] = key.split('/') as [string, string | undefined]
    // An edit in progress is not a draft of a new message.
    if (!editing || editing.key !== key) store.setDraft(conversationId, threadRootId ?? null, next.text)
  }

  const submit = (key: string) => {
    const typed = editorFor(key).text
    const text = typed.trim()
    const [conversationId, threadRootId] = key.split('/') as [string, string | undefined]
    const editing = uiRef.current.editing
    if (editing && editing.key === key) {
      const message = [...channelMessages, ...threadMessages].find((m) => m.id === editing.messageId)
      update((u) => ({ ...u, editing: null, editors: { ...u.editors, [key]: editing.saved } }))
      if (message && text && text !== message.text) void store.edit(message, text).catch(() => {})
      return
    }
    // Enter on an empty composer does nothing; blank or overlong text stays, with the reason.
    if (typed === '') return
    const problem = messageTextProblem(typed)
    if (problem) return store.notify(`Not sent: ${problem}`, 'error')
    update((u) => ({ ...u, editors: { ...u.editors, [key]: ed.emptyEditor() } }))
    store.setDraft(conversationId, threadRootId ?? null, '')
    // Sent here: the pane goes to the newest, where the message is.
    if (!threadRootId && conversationId === openConvId && lineId) update((u) => ({ ...u, lineLeft: lineId }))
    void store.send(conversationId, text, threadRootId ?? null).catch(() => {})
  }

  const editLast = (key: string) => {
    const list = key === threadKey ? threadMessages : channelMessages
    const mine = [...list].reverse().find((m) => m.author.id === meId && !m.deleted)
    if (!mine) return
    startEdit(mine, key)
  }

  const startEdit = (message: Message, key: string) => {
    update((u) => ({
      ...u,
      editing: { messageId: message.id, key, saved: editorFor(key) },
      editors: { ...u.editors, [key]: ed.emptyEditor(message.text) },
      focus: key === threadKey ? 'threadComposer' : 'composer',
    }))
  }

  const copyRef = (message: Message) => {
    const ref = messageRef(message, store.conversation(message.conversationId))
    copy?.(ref)
    store.notify(`Copied ${ref}`)
  }

  const openEntry = (entry: ViewEntry | undefined) => {
    if (!entry?.conversationId) return
    const conversationId = entry.conversationId
    const m = entry.message
    update((u) => ({ ...u, focus: m ? 'messages' : 'composer', selected: m && !m.threadRootId ? m.id : null, sidebarCursor: null }))
    void store.openConversation(conversationId).then(() => {
      if (m && (m.threadRootId || m.replyCount > 0)) {
        void store.openThread(m)
        update((u) => ({ ...u, focus: 'thread', threadSelected: m.id }))
      }
    })
  }

  // ---- keys
  const onKey = (k: KeyPress) => {
    const u = uiRef.current
    const s = store.getState()
    const focus = focusOf(u)
    const activeKey = activeKeyOf(focus)
    const { token, tokenText, list: completion, index: completionIndex } = completionFor(activeKey, u)

    if (k.name === 'ctrl+c') return exit()
    if (k.name === 'ctrl+k') return update((x) => ({ ...x, overlay: { kind: 'switcher', editor: ed.emptyEditor(), index: 0 } }))
    if (k.name === 'ctrl+/' || (k.name === 'text' && k.text === '?' && !u.overlay && focus !== 'composer' && focus !== 'threadComposer')) {
      return update((x) => ({ ...x, overlay: x.overlay?.kind === 'help' ? null : { kind: 'help' } }))
    }

    // Overlays take every key while open.
    const overlay = u.overlay
    if (overlay?.kind === 'help') {
      if (k.name === 'escape' || k.name === 'enter' || (k.name === 'text' && (k.text === '?' || k.text === 'q'))) update((x) => ({ ...x, overlay: null }))
      return
    }
    if (overlay?.kind === 'switcher') {
      const matches = matchSwitcher(switcherItems, overlay.editor.text)
      if (k.name === 'escape') return update((x) => ({ ...x, overlay: null }))
      if (k.name === 'up' || k.name === 'ctrl+p') return update((x) => ({ ...x, overlay: { ...overlay, index: Math.max(0, overlay.index - 1) } }))
      if (k.name === 'down' || k.name === 'ctrl+n' || k.name === 'tab')
        return update((x) => ({ ...x, overlay: { ...overlay, index: Math.min(matches.length - 1, overlay.index + 1) } }))
      if (k.name === 'enter') {
        const item = matches[Math.min(overlay.index, matches.length - 1)]
        update((x) => ({ ...x, overlay: null, selected: null, sidebarCursor: null }))
        if (!item) return
        if (item.kind === 'view') {
          update((x) => ({ ...x, focus: 'view', viewCursor: 0 }))
          void store.openView(item.target as ViewName)
        } else if (item.kind === 'person') {
          update((x) => ({ ...x, focus: 'composer' }))
          void store.openTarget(item.target)
        } else {
          update((x) => ({ ...x, focus: 'composer' }))
          void store.openConversation(item.target)
        }
        return
      }
      const next = editKey(overlay.editor, k)
      if (next) update((x) => ({ ...x, overlay: { ...overlay, editor: next, index: 0 } }))
      return
    }
    if (overlay?.kind === 'react') {
      const choices = searchEmoji(overlay.editor.text, 5)
      if (k.name === 'escape') return update((x) => ({ ...x, overlay: null }))
      if (k.name === 'up') return update((x) => ({ ...x, overlay: { ...overlay, index: Math.max(0, overlay.index - 1) } }))
      if (k.name === 'down' || k.name === 'tab') return update((x) => ({ ...x, overlay: { ...overlay, index: Math.min(choices.length - 1, overlay.index + 1) } }))
      if (k.name === 'enter') {
        const emoji = choices[overlay.index]?.emoji ?? resolveEmoji(overlay.editor.text)
        update((x) => ({ ...x, overlay: null }))
        if (emoji) void store.toggleReaction(overlay.message, emoji)
        else store.notify(`No emoji called ${overlay.editor.text}`, 'error')
        return
      }
      const next = editKey(overlay.editor, k)
      if (next) update((x) => ({ ...x, overlay: { ...overlay, editor: next, index: 0 } }))
      return
    }
    if (overlay?.kind === 'search') {
      if (k.name === 'escape') return update((x) => ({ ...x, overlay: null }))
      if (k.name === 'enter') {
        const query = overlay.editor.text.trim()
        update((x) => ({ ...x, overlay: null, focus: 'view', viewCursor: 0 }))
        if (query) void store.openView('search', query)
        return
      }
      const next = editKey(overlay.editor, k)
      if (next) update((x) => ({ ...x, overlay: { ...overlay, editor: next } }))
      return
    }

    // Anywhere (outside overlays).
    if (k.name === 'alt+up' || k.name === 'alt+down') return stepConversation(k.name === 'alt+up' ? -1 : 1, false)
    if (k.name === 'alt+shift+up' || k.name === 'alt+shift+down') return stepConversation(k.name === 'alt+shift+up' ? -1 : 1, true)
    if (k.name === 'tab' && !(activeKey && completion.length > 0)) return cycleFocus(1)
    if (k.name === 'shift+tab') return cycleFocus(-1)

    if (focus === 'composer' || focus === 'threadComposer') {
      const keyName = activeKey
      if (!keyName) {
        if (k.name === 'escape') update((x) => ({ ...x, focus: 'sidebar' }))
        return
      }
      const current = editorFor(keyName)
      if (completion.length > 0) {
        if (k.name === 'up') return update((x) => ({ ...x, completionIndex: Math.max(0, completionIndex - 1) }))
        if (k.name === 'down') return update((x) => ({ ...x, completionIndex: Math.min(completion.length - 1, completionIndex + 1) }))
        if ((k.name === 'tab' || k.name === 'enter') && token) return setEditor(keyName, applySuggestion(current, token, completion[completionIndex]!))
        if (k.name === 'escape') return update((x) => ({ ...x, completionDismissed: tokenText }))
      }
      if (k.name === 'enter') return submit(keyName)
      if (k.name === 'newline') return setEditor(keyName, ed.insert(current, '\n'))
      if (k.name === 'escape') {
        if (u.editing?.key === keyName) {
          const saved = u.editing.saved
          return update((x) => ({ ...x, editing: null, editors: { ...x.editors, [keyName]: saved } }))
        }
        // From the thread's composer Esc closes the thread at once (its draft is kept), as the hint says.
        if (focus === 'threadComposer') {
          store.closeThread()
          return update((x) => ({ ...x, focus: 'composer', threadSelected: null }))
        }
        return update((x) => ({ ...x, focus: 'messages' }))
      }
      if (k.name === 'up') {
        if (current.text === '') return editLast(keyName)
        const moved = ed.verticalMove(current, -1)
        if (moved) update((x) => ({ ...x, editors: { ...x.editors, [keyName]: moved } }))
        else update((x) => ({ ...x, focus: focus === 'threadComposer' ? 'thread' : 'messages' }))
        return
      }
      if (k.name === 'down') {
        const moved = ed.verticalMove(current, 1)
        if (moved) update((x) => ({ ...x, editors: { ...x.editors, [keyName]: moved } }))
        return
      }
      if (k.name === 'pageup') return update((x) => ({ ...x, focus: focus === 'threadComposer' ? 'thread' : 'messages' }))
      const next = editKey(current, k)
      if (next) setEditor(keyName, next)
      return
    }

    // Navigation focus: single letters are commands.
    if (k.name === 'text' && k.text === '/') return update((x) => ({ ...x, overlay: { kind: 'search', editor: ed.emptyEditor(s.views.search?.query ?? '') } }))
    if (k.name === 'text' && k.text && VIEW_KEYS[k.text]) {
      update((x) => ({ ...x, focus: 'view', viewCursor: 0, sidebarCursor: null }))
      void store.openView(VIEW_KEYS[k.text]!)
      return
    }

    if (focus === 'sidebar') {
      const max = pickable.length - 1
      if (k.name === 'up' || (k.name === 'text' && k.text === 'k')) return update((x) => ({ ...x, sidebarCursor: Math.max(0, sidebarCursor - 1) }))
      if (k.name === 'down' || (k.name === 'text' && k.text === 'j')) return update((x) => ({ ...x, sidebarCursor: Math.min(max, sidebarCursor + 1) }))
      if (k.name === 'enter' || k.name === 'right') return openLocation(sidebarCursor)
      if (k.name === 'escape' || (k.name === 'text' && k.text === 'i')) return update((x) => ({ ...x, focus: 'composer', sidebarCursor: null }))
      return
    }

    if (focus === 'view') {
      const entries = location?.kind === 'view' ? viewEntries(s, location.view, titleOf) : []
      if (k.name === 'up' || (k.name === 'text' && k.text === 'k')) return update((x) => ({ ...x, viewCursor: Math.max(0, x.viewCursor - 1) }))
      if (k.name === 'down' || (k.name === 'text' && k.text === 'j')) return update((x) => ({ ...x, viewCursor: Math.min(entries.length - 1, x.viewCursor + 1) }))
      if (k.name === 'enter') return openEntry(entries[u.viewCursor])
      if (k.name === 'escape') return update((x) => ({ ...x, focus: 'sidebar' }))
      return
    }

    // Messages of the channel or of the thread.
    const inThread = focus === 'thread'
    const list = inThread ? threadMessages : channelMessages
    const selId = inThread ? u.threadSelected : u.selected
    const at = Math.max(0, selId ? list.findIndex((m) => m.id === selId) : inThread ? list.length - 1 : defaultSelected())
    const select = (index: number) => {
      const m = list[Math.max(0, Math.min(list.length - 1, index))]
      if (!m) return
      update((x) => (inThread ? { ...x, threadSelected: m.id } : { ...x, selected: m.id }))
      if (!inThread && index <= 0 && openConvId) void store.loadOlder(openConvId)
    }
    if (k.name === 'up' || (k.name === 'text' && k.text === 'k')) return select(at - 1)
    if (k.name === 'down' || (k.name === 'text' && k.text === 'j')) {
      if (at >= list.length - 1) return update((x) => ({ ...x, focus: inThread ? 'threadComposer' : 'composer' }))
      return select(at + 1)
    }
    if (k.name === 'pageup') return select(at - 10)
    if (k.name === 'pagedown') return select(at + 10)
    if (k.name === 'escape' || (k.name === 'text' && k.text === 'i')) {
      if (inThread && k.name === 'escape') {
        store.closeThread()
        return update((x) => ({ ...x, focus: 'messages', threadSelected: null }))
      }
      return update((x) => ({ ...x, focus: inThread ? 'threadComposer' : 'composer' }))
    }
    const m = selectedMessage()
    if (!m) return
    if (k.name === 'enter' || (k.name === 'text' && k.text === 't')) {
      void store.openThread(m)
      return update((x) => ({ ...x, focus: 'threadComposer', threadSelected: null }))
    }
    if (k.name !== 'text') return
    switch (k.text) {
      case 'r':
        return update((x) => ({ ...x, overlay: { kind: 'react', editor: ed.emptyEditor(), index: 0, message: m } }))
      case 'p':
        return void store.togglePin(m)
      case 's':
        return void store.toggleSaved(m)
      case 'u':
        return void store.markUnread(m)
      case 'c':
        return copyRef(m)
      case 'e':
        if (m.author.id === meId && !m.deleted) startEdit(m, inThread && threadKey ? threadKey : draftKey(m.conversationId, null))
        return
    }
  }

  const cycleFocus = (delta: number) => {
    const order: Focus[] = []
    if (showSidebar) order.push('sidebar')
    if (location?.kind === 'view') order.push('view')
    else {
      if (channelWidth > 0) order.push('messages', 'composer')
      if (threadOpen) order.push('thread', 'threadComposer')
    }
    const here = order.indexOf(focusOf(uiRef.current))
    const next = order[(here + delta + order.length) % order.length] ?? 'composer'
    update((x) => ({ ...x, focus: next, sidebarCursor: next === 'sidebar' ? sidebarCursor : null }))
  }

  const handlerRef = useRef(onKey)
  handlerRef.current = onKey
  const decoder = useRef(new KeyDecoder()).current
  const stableHandler = useRef((input: string, key: Key) => {
    for (const k of decoder.decode(input, key)) handlerRef.current(k)
  }).current
  useInput(stableHandler)

  // ---- render
  if (state.phase === 'starting' && state.conversations.length === 0) {
    return (
      <Box width={columns} height={rows} flexDirection="column">
        <Text>Connecting to the daemon…</Text>
      </Box>
    )
  }

  const typingLine = (conversationId: string | null, rootId: string | null) => {
    if (!conversationId) return ''
    const who = Object.values(state.typing[draftKey(conversationId, rootId)] ?? {}).map((t) => t.handle)
    if (who.length === 0) return ''
    if (who.length > 3) return 'several people are typing…'
    return `${who.join(', ')} ${who.length === 1 ? 'is' : 'are'} typing…`
  }

  const channelTitle = (): Segment[] => {
    if (!openConv) {
      if (state.phase !== 'unreachable') return [{ text: 'No conversation open' }]
      return [{ text: 'Waiting for the daemon (start it with: ocomms daemon start)…', color: 'yellow' }]
    }
    const title = conversationTitle(openConv, meId)
    if (isChannel(openConv)) {
      const segs: Segment[] = [{ text: `${openConv.kind === 'private' ? '*' : '#'}${title}`, bold: true }]
      if (openConv.topic) segs.push({ text: `  ${openConv.topic}`, dim: true })
      if (openConv.archived) segs.push({ text: '  (archived)', color: 'yellow' })
      return segs
    }
    const partner = store.partnerOf(openConv)
    if (!partner) return [{ text: `@${title}`, bold: true }]
    const segs: Segment[] = [
      { text: presenceGlyph(partner) + ' ', color: partner.presence === 'online' ? 'green' : partner.presence === 'away' ? 'yellow' : undefined },
      { text: `@${partner.handle}`, bold: true },
      { text: `  ${partner.name} · ${partner.presence}`, dim: true },
    ]
    if (partner.dnd) segs.push({ text: ' · DND', color: 'magenta' })
    if (partner.status) segs.push({ text: ` · ${partner.status.emoji ? partner.status.emoji + ' ' : ''}${partner.status.text}` })
    return segs
  }

  const sugg = (key: string | null) => (key && key === activeKey ? completion : [])
  const channelEditor = editorFor(channelKey)
  const threadEditor = editorFor(threadKey)
  const editingLabel = (key: string | null) => (ui.editing && ui.editing.key === key ? 'editing (Enter saves, Esc cancels)' : null)

  let main
  const overlay = ui.overlay
  if (overlay?.kind === 'help') main = <Help width={mainWidth} height={bodyHeight} />
  else if (overlay?.kind === 'switcher') {
    main = (
      <Switcher
        editor={overlay.editor}
        items={matchSwitcher(switcherItems, overlay.editor.text)}
        index={overlay.index}
        width={mainWidth}
        height={bodyHeight}
      />
    )
  } else if (location?.kind === 'view' || overlay?.kind === 'search') {
    const view: ViewName = overlay?.kind === 'search' ? 'search' : location?.kind === 'view' ? location.view : 'search'
    const entries = viewEntries(state, view, titleOf)
    const pinsOf = state.views.pins?.conversationId ?? state.lastConversationId
    const title = view === 'pins' && pinsOf ? `Pins in ${titleOf(pinsOf)}` : viewTitles[view]
    main = (
      <ViewPane
        title={title}
        entries={entries}
        cursor={Math.min(ui.viewCursor, Math.max(0, entries.length - 1))}
        focused={focus === 'view'}
        loading={state.viewLoading}
        empty={view === 'search' ? (state.views.search ? 'No results' : '') : 'Nothing here'}
        width={mainWidth}
        height={bodyHeight}
        query={view === 'search' ? { editor: overlay?.kind === 'search' ? overlay.editor : ed.emptyEditor(state.views.search?.query ?? ''), active: overlay?.kind === 'search' } : undefined}
      />
    )
  } else {
    const reacting = overlay?.kind === 'react' ? overlay : null
    const reactChoices = reacting ? searchEmoji(reacting.editor.text, 5).map((e) => ({ label: `${e.emoji} :${e.shortcode}:`, insert: e.emoji })) : []
    const reactComposer = (width: number) => (
      <Composer editor={reacting!.editor} label="react with (type a name, Enter picks)" placeholder=":emoji:" focused width={width} suggestions={reactChoices} suggestionIndex={reacting!.index} />
    )
    const reactHeight = reacting ? composerHeight(reacting.editor, reactChoices.length) : 0
    const reactInThread = reacting && threadOpen && focus === 'thread'
    // Above the first message only when every message is laid out (see `newest`).
    const topRow: Row | undefined =
      history && channelRows.complete
        ? history.loadingOlder
          ? { key: 'top', segments: [{ text: 'loading older messages…', dim: true }] }
          : !history.hasOlder && openConv
            ? { key: 'top', segments: [{ text: `This is the very beginning of ${titleOf(openConv.id)}.`, dim: true }] }
            : undefined
        : undefined
    // Opened at the "new messages" line when the unread do not fit: the pane shows the line near
    // its top until one sends there, and selecting the messages starts at the first unread.
    const channelComposerHeight = reacting && !reactInThread ? reactHeight : composerHeight(channelEditor, sugg(channelKey).length)
    const channelLineKey = lineKept ? newLineKey(channelRows) : null
    openedAtLineRef.current = lineOpening(channelRows, listHeightOf(bodyHeight, channelComposerHeight), channelLineKey) >= 0
    const channelPane =
      channelWidth > 0 ? (
        <MessagePane
          title={channelTitle()}
          rows={channelRows}
          topRow={topRow}
          width={channelWidth}
          height={bodyHeight}
          selectedId={ui.selected ?? channelMessages[defaultSelected()]?.id ?? null}
          focused={focus === 'messages'}
          lineKey={channelLineKey}
          typing={typingLine(openConvId, null)}
          composer={
            reacting && !reactInThread ? (
              reactComposer(channelWidth)
            ) : (
              <Composer
                editor={channelEditor}
                label={editingLabel(channelKey) ?? (openConv ? `message ${titleOf(openConv.id)}` : 'message')}
                placeholder={openConv?.archived ? 'This channel is archived.' : 'Type a message, Enter to send'}
                focused={focus === 'composer'}
                width={channelWidth}
                suggestions={sugg(channelKey)}
                suggestionIndex={completionIndex}
              />
            )
          }
          composerHeight={channelComposerHeight}
        />
      ) : null
    const threadPane =
      threadOpen && thread ? (
        <MessagePane
          title={[
            { text: 'Thread', bold: true },
            { text: ` in ${titleOf(thread.conversationId)}`, dim: true },
            { text: wide ? '  Esc closes' : '  Esc goes back', dim: true },
          ]}
          rows={threadRows}
          topRow={thread.loading ? { key: 'top', segments: [{ text: 'loading…', dim: true }] } : undefined}
          width={threadWidth}
          height={bodyHeight}
          selectedId={ui.threadSelected ?? threadMessages.at(-1)?.id ?? null}
          focused={focus === 'thread'}
          typing={typingLine(thread.conversationId, thread.rootId)}
          composer={
            reactInThread ? (
              reactComposer(threadWidth)
            ) : (
              <Composer
                editor={threadEditor}
                label={editingLabel(threadKey) ?? 'reply in thread'}
                placeholder="Reply…"
                focused={focus === 'threadComposer'}
                width={threadWidth}
                suggestions={sugg(threadKey)}
                suggestionIndex={completionIndex}
              />
            )
          }
          composerHeight={reactInThread ? reactHeight : composerHeight(threadEditor, sugg(threadKey).length)}
        />
      ) : null
    main = (
      <Box flexDirection="row" width={mainWidth} height={bodyHeight}>
        {channelPane}
        {channelPane && threadPane ? (
          <Box width={dividerWidth} height={bodyHeight} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} borderDimColor />
        ) : null}
        {threadPane}
      </Box>
    )
  }

  const openKey = location?.kind === 'view' ? `view-${location.view}` : openConvId
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Box flexDirection="row" width={columns} height={bodyHeight}>
        {showSidebar ? (
          <Sidebar
            workspace={state.workspace?.name ?? 'OComms'}
            items={items}
            cursor={sidebarCursor}
            openKey={openKey}
            focused={focus === 'sidebar'}
            width={sidebarWidth}
            height={bodyHeight}
          />
        ) : null}
        {main}
      </Box>
      <StatusLine state={state} width={columns} />
    </Box>
  )
}

/** Line editing shared by the composer, the switcher, the search box and the reaction picker. */
function editKey(s: ed.EditorState, k: { name: string; text?: string }): ed.EditorState | null {
  switch (k.name) {
    case 'text':
      return ed.insert(s, k.text ?? '')
    case 'backspace':
      return ed.backspace(s)
    case 'alt+backspace':
    case 'ctrl+w':
      return ed.deleteWord(s)
    case 'ctrl+d':
      return ed.deleteForward(s)
    case 'left':
    case 'ctrl+b':
      return ed.move(s, -1)
    case 'right':
    case 'ctrl+f':
      return ed.move(s, 1)
    case 'ctrl+a':
    case 'home':
      return ed.lineStart(s)
    case 'ctrl+e':
    case 'end':
      return ed.lineEnd(s)
    case 'ctrl+u':
      return { text: s.text.slice(s.cursor), cursor: 0 }
    default:
      return null
  }
}
