import { fileSizeProblem, OCommsError, shellLimits, type Message, type RendererBridge, type User, type Workspace } from '@ocomms/shared'
import { applyChanges, emptyState, eventChanges, memberKey, noChanges, stateReader, type Changes, type ClientState, type EngineEvent, type EngineState, type OutboxEntry } from '@ocomms/shared/client'
import type { Backend } from './backend'
import { bridgeProfile, daemonCall, daemonOperation } from './bridge'
import { fromBase64, toBase64 } from '../files/base64'
import { openingConversation } from '../chat/last-open'

const HISTORY_PAGE = 50

/**
 * The same interface as browser-backend.ts, answered by the local daemon through the desktop
 * bridge. The daemon holds the connection, cache, outbox, DND and notifications; this page keeps
 * only a mirror of what it shows: conversations and members from the daemon, history as it is
 * read, and the daemon's events applied by the shared reducer (the one the daemon applied them
 * with, in order, so no cursor checks). Nothing is written here but through the daemon.
 */
export async function startDaemonBackend(bridge: RendererBridge, session: { user: User; workspaces: Workspace[] }, workspaceId: string): Promise<Backend> {
  const profile = bridgeProfile(bridge)
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(e: EngineEvent) => void>()
  let state: ClientState = emptyState()
  let outbox: OutboxEntry[] = []
  /** Sends this page made that the daemon has not answered yet: shown at once, as the browser's outbox does. */
  const sending = new Map<string, OutboxEntry>()
  let outboxView: OutboxEntry[] | null = null
  let connection: { state: EngineState; reason: string | null } = { state: 'connecting', reason: null }
  const workspaces = session.workspaces
  let stopped = false
  /** Histories and threads this page has read, read again when the daemon comes back. */
  const readHistories = new Set<string>()
  const readThreads = new Set<string>()

  let scheduled = false
  const notify = () => {
    // Many events in one tick make one render.
    if (scheduled || stopped) return
    scheduled = true
    queueMicrotask(() => {
      scheduled = false
      for (const l of listeners) l()
    })
  }
  const change = (changes: Changes) => {
    state = applyChanges(state, changes)
    notify()
  }
  const putMessages = (messages: Message[]) => {
    const changes = noChanges()
    changes.put.messages = Object.fromEntries(messages.map((m) => [m.id, m]))
    change(changes)
  }
  const setConnection = (next: EngineState, reason: string | null = null) => {
    connection = { state: next, reason }
    notify()
  }

  const rpc = daemonCall(bridge)
  /** Image previews already fetched for this page, as blob: addresses. */
  const previews = new Map<string, Promise<string>>()
  /** A file's bytes handed to the shell in slices, each answered before the next goes; its handle once all arrived. */
  const stage = async (blob: Blob, name: string, onProgress?: (fraction: number) => void): Promise<string> => {
    const { handle } = await rpc('shell.stageFile', { name, size: blob.size })
    for (let offset = 0; offset < blob.size; offset += shellLimits.stageChunkBytes) {
      const bytes = new Uint8Array(await blob.slice(offset, offset + shellLimits.stageChunkBytes).arrayBuffer())
      await rpc('shell.stageChunk', { handle, offset, data: toBase64(bytes) })
      onProgress?.((offset + bytes.length) / blob.size)
    }
    return handle
  }
  const call = daemonOperation(bridge, profile)

  const refreshOutbox = async () => {
    outbox = (await rpc('outbox.list', { profile })) as OutboxEntry[]
    outboxView = null
    notify()
  }

  /** The profile's link to the server, as the daemon knows it now (no round trip to the server). */
  const refreshConnection = async () => {
    const status = await rpc('daemon.status', {})
    const mine = status.profiles.find((p) => p.profile === profile)
    if (mine) setConnection(mine.connection, mine.reason)
  }
  type ConversationList = Awaited<ReturnType<typeof listConversations>>
  const listConversations = () => rpc('conversations.list', { profile })
  const showConversations = (list: ConversationList) => {
    const changes = noChanges()
    changes.put.conversations = Object.fromEntries(list.conversations.map((c) => [c.id, c]))
    // Conversations gone since (left elsewhere while this page was away) go from the mirror.
    changes.remove.conversations = Object.keys(state.conversations).filter((id) => !list.conversations.some((c) => c.id === id))
    change(changes)
  }
  /** What the page shows first, from the daemon's cache: its conversations (offline too). */
  const loadConversations = async () => {
    const [list] = await Promise.all([listConversations(), refreshConnection()])
    showConversations(list)
  }
  /** People, from the server through the daemon; absent offline, where names come from the messages. */
  const loadMembers = async () => {
    const members = await call('member.list', { workspaceId }).catch(() => null)
    if (!members) return
    const changes = noChanges()
    changes.put.members = Object.fromEntries(members.map((m) => [memberKey(workspaceId, m.id), m]))
    change(changes)
  }
  const readHistory = async (conversationId: string, beforeSeq?: number) => {
    const read = await rpc('messages.read', { profile, conversationId, limit: HISTORY_PAGE, ...(beforeSeq === undefined ? {} : { beforeSeq }) })
    putMessages(read.messages as Message[])
    return read.messages.length
  }
  const readThread = async (rootId: string) => {
    const root = state.messages[rootId]
    const read = await rpc('messages.read', { profile, conversationId: root?.conversationId ?? rootId, threadRootId: rootId, limit: 200 })
    putMessages(read.messages as Message[])
  }

  let subscriptionId: string | null = null
  const subscribe = async () => {
    subscriptionId = (await rpc('subscribe', { profile })).subscriptionId
  }
  /** The daemon came back: the bridge renewed our subscription under its id; read again what is shown. */
  const catchUp = async () => {
    await Promise.all([
      loadConversations(),
      refreshOutbox(),
      loadMembers(),
      ...[...readHistories].map((id) => readHistory(id).catch(() => {})),
      ...[...readThreads].map((id) => readThread(id).catch(() => {})),
    ])
  }

  const offEvent = bridge.onEvent((n) => {
    if (stopped || n.profile !== profile) return
    const event = n.event
    switch (event.type) {
      case 'daemon.connection':
        setConnection((event as { connection: EngineState }).connection)
        // Back online: the daemon has synced; what it now holds may be newer than what is shown.
        if ((event as { connection: EngineState }).connection === 'connected') void loadConversations().catch(() => {})
        break
      case 'daemon.outbox.delivered':
      case 'daemon.outbox.failed':
        void refreshOutbox().catch(() => {})
        break
      // The shell shows notifications (the daemon's verdicts): the page never shows a second one.
      case 'notification':
        return
      default:
        if ('stream' in event) {
          const { changes } = eventChanges(stateReader(state), event, { me: session.user.id, ordered: true })
          if (changes) change(changes)
        }
    }
    for (const l of eventListeners) l(event as EngineEvent)
  })
  const offDaemon = bridge.onDaemon((link) => {
    if (stopped) return
    if (link === 'down') setConnection('connecting', 'The local daemon is restarting.')
    else void catchUp().catch(() => {})
  })

  // Everything the first screen needs, at once and from the daemon's cache: the history of the
  // conversation it opens at too, which the list would otherwise have to be shown first to ask.
  // The subscription is asked for first: the daemon takes requests in order, so no event falls
  // between what these reads answer and the first event delivered.
  const subscribed = subscribe()
  const opening = openingConversation(workspaceId)
  let openingHistory = opening ? readHistory(opening).catch(() => null) : null
  let [list] = await Promise.all([listConversations(), subscribed, refreshOutbox(), refreshConnection()])
  // The daemon's current workspace is another one (chosen elsewhere): this window's becomes current.
  if (list.conversations.some((c) => c.workspaceId !== workspaceId) && workspaces.some((w) => w.id === workspaceId)) {
    await rpc('profile.useWorkspace', { profile, workspace: workspaceId })
    list = await listConversations()
  }
  showConversations(list)
  void loadMembers()

  const backend: Backend = {
    user: session.user,
    workspaces: () => workspaces,
    state: () => state,
    outbox: () => (outboxView ??= [...outbox.filter((e) => !sending.has(e.clientId)), ...sending.values()]),
    connection: () => connection,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    call,
    async loadHistory(conversationId, beforeSeq) {
      if (beforeSeq === undefined) readHistories.add(conversationId)
      if (beforeSeq === undefined && conversationId === opening && openingHistory) {
        const read = await openingHistory
        openingHistory = null
        if (read !== null) return { more: read === HISTORY_PAGE }
      }
      return { more: (await readHistory(conversationId, beforeSeq)) === HISTORY_PAGE }
    },
    async loadThread(rootId) {
      readThreads.add(rootId)
      await readThread(rootId)
    },
    async upload({ conversationId, threadRootId, file, name, comment }, onProgress) {
      // Refused here, before a byte goes to the shell: the same sentence the server would give.
      const tooLarge = fileSizeProblem(file.size)
      if (tooLarge) throw new OCommsError('payload_too_large', tooLarge)
      // The daemon reads files by path, which a page must never name: a file the system's dialog
      // chose is already a handle; bytes the page holds go to the shell first, which keeps them in
      // a private temporary file behind a handle of their own (docs/desktop.md, "Files").
      const handle = file instanceof Blob ? await stage(file, name, onProgress) : file.handle
      const out = await rpc('shell.uploadFile', {
        profile,
        handle,
        conversationId,
        name,
        clientId: crypto.randomUUID(),
        ...(comment ? { comment } : {}),
        ...(threadRootId ? { threadRootId } : {}),
      })
      onProgress?.(1)
      // Shown at once; the daemon's event that follows finds it there.
      if (out.message) putMessages([out.message as Message])
    },
    async chooseFiles() {
      return (await rpc('shell.chooseFiles', {})).files
    },
    // No link downloads anything here (the app's page has no server session, and its CSP allows no
    // request out): saving goes through the system's save dialog, the daemon writing the file.
    fileLink: () => null,
    async saveFile(file) {
      return (await rpc('shell.saveFile', { profile, fileId: file.id, name: file.name })).saved
    },
    previewUrl(file) {
      // Not asked for what the shell would refuse anyway: the whole file is fetched to preview it.
      if (file.size > shellLimits.previewBytes) return Promise.reject(new OCommsError('payload_too_large', 'Too large to preview.'))
      let url = previews.get(file.id)
      if (!url) {
        url = rpc('shell.previewFile', { profile, fileId: file.id }).then(({ mimeType, data }) => URL.createObjectURL(new Blob([fromBase64(data)], { type: mimeType })))
        // A failure is not remembered: the next showing asks again.
        url.catch(() => previews.delete(file.id))
        previews.set(file.id, url)
      }
      return url
    },
    async send({ conversationId, text, threadRootId }) {
      // Through the daemon's outbox, with our client id: delivered exactly once, now or after the
      // server is back. Until the daemon answers, the page shows it as waiting.
      const clientId = crypto.randomUUID()
      sending.set(clientId, { clientId, conversationId, text, threadRootId: threadRootId ?? null, alsoToChannel: false, createdAt: new Date().toISOString(), attempts: 0, failed: null })
      outboxView = null
      notify()
      try {
        const sent = await rpc('messages.send', { profile, conversationId, text, clientId, ...(threadRootId ? { threadRootId } : {}) })
        if (sent.message) putMessages([sent.message as Message])
      } finally {
        sending.delete(clientId)
        await refreshOutbox().catch(() => {})
      }
    },
    async retry(clientId) {
      // Once delivered, the message comes back as an event like any other.
      await rpc('outbox.retry', { profile, clientId })
      await refreshOutbox()
    },
    discard(clientId) {
      void rpc('outbox.discard', { profile, clientId }).then(refreshOutbox, () => {})
    },
    stop() {
      stopped = true
      for (const url of previews.values()) void url.then(URL.revokeObjectURL, () => {})
      if (subscriptionId) void rpc('unsubscribe', { subscriptionId }).catch(() => {})
      offEvent()
      offDaemon()
      listeners.clear()
      eventListeners.clear()
    },
  }
  return backend
}
