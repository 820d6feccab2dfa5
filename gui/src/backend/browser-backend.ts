import { type CallInput, type CallOutput, type FileRef, type Message, type OperationName, type User, type Workspace } from '@ocomms/shared'
import { ClientEngine, MemoryStore, noChanges, type EngineEvent, type EngineSocket, type NewOutboxEntry, type OutboxEntry } from '@ocomms/shared/client'
import { io } from 'socket.io-client'
import type { Backend } from './backend'
import { uploadOverHttp } from '../files/upload'
import { csrfToken } from './http'
import { IdbStore } from './idb-store'
import { downloadFile, transferRequestFor, webSession } from '@ocomms/shared'

const HISTORY_PAGE = 50
/** A hidden tab draws no frames: its events are applied after this long instead. */
const HIDDEN_TAB_MS = 100

/**
 * Live events are applied once per frame: when they come faster than the page draws, each
 * frame gets one state change (one render, one IndexedDB transaction) however many arrived.
 */
function nextFrame(apply: () => void): void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    cancelAnimationFrame(frame)
    clearTimeout(timer)
    apply()
  }
  const frame = requestAnimationFrame(once)
  const timer = setTimeout(once, HIDDEN_TAB_MS)
}

/** The server's download route for a file. */
const fileContentPath = (file: FileRef) => transferRequestFor(downloadFile, { fileId: file.id }).path

/** Memory storage that also tells the page when its outbox changes (the engine writes it directly). */
class PageStore extends MemoryStore {
  constructor(private readonly changed: () => void) {
    super()
  }
  override outboxPut(entry: NewOutboxEntry): OutboxEntry {
    const stored = super.outboxPut(entry)
    this.changed()
    return stored
  }
  override outboxUpdate(clientId: string, patch: Partial<Pick<OutboxEntry, 'attempts' | 'failed'>>): void {
    super.outboxUpdate(clientId, patch)
    this.changed()
  }
  override outboxRemove(clientId: string): boolean {
    const removed = super.outboxRemove(clientId)
    if (removed) this.changed()
    return removed
  }
}

/**
 * The client engine of shared/src/client running in the page: one WebSocket to the server,
 * authenticated by the session cookie (the browser adds it; the server checks our Origin), sync
 * from cursors after every (re)connect, the outbox with client ids, and the reducer's state in
 * memory. HTTP calls (while the socket is down) carry the CSRF header.
 */
export async function startBrowserBackend(session: { user: User; workspaces: Workspace[] }, workspaceId: string): Promise<Backend> {
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(e: EngineEvent) => void>()
  let scheduled = false
  const notify = () => {
    // Many events in one tick (a sync page) make one render.
    if (scheduled) return
    scheduled = true
    queueMicrotask(() => {
      scheduled = false
      for (const l of listeners) l()
    })
  }
  // The outbox as one array per change, so the UI can compare it by identity.
  let outbox: OutboxEntry[] | null = null
  const outboxChanged = () => {
    outbox = null
    notify()
  }
  // IndexedDB when the browser has it (the page opens with what it had, offline too); else memory.
  const store: MemoryStore = await IdbStore.open(session.user.id, outboxChanged).catch((err: unknown) => {
    console.warn('IndexedDB is not available; the client state is kept in memory only', err)
    return new PageStore(outboxChanged)
  })
  store.onChange(notify)

  const fetchWithCsrf: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers)
    const csrf = csrfToken()
    if (csrf) headers.set(webSession.csrfHeader, csrf)
    return fetch(input, { ...init, headers, credentials: 'same-origin' })
  }

  const engine = new ClientEngine({
    // The token is the HttpOnly cookie, which this page cannot read and need not: the browser sends it.
    account: { server: window.location.origin, token: '', user: session.user, workspaces: session.workspaces, workspaceId },
    storage: store,
    openSocket: () =>
      io(window.location.origin, {
        transports: ['websocket'],
        autoConnect: false,
        reconnection: false,
        withCredentials: true,
        timeout: 5_000,
      }) as unknown as EngineSocket,
    log: {
      info: () => {},
      warn: (obj, msg) => console.warn(msg, obj),
    },
    publish: (event) => {
      for (const l of eventListeners) l(event)
      if (event.type === 'daemon.connection') notify()
    },
    fetch: fetchWithCsrf,
    backoff: { baseMs: 250, maxMs: 5_000 },
    scheduleLive: nextFrame,
  })

  const putMessages = (messages: Message[]) => {
    const changes = noChanges()
    changes.put.messages = Object.fromEntries(messages.map((m) => [m.id, m]))
    store.apply(changes)
  }

  const backend: Backend = {
    user: session.user,
    workspaces: () => engine.account.workspaces,
    state: () => store.state,
    outbox: () => (outbox ??= store.outboxList()),
    connection: () => ({ state: engine.state, reason: engine.reason }),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    call: <N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> => engine.call(name, input),
    async loadHistory(conversationId, beforeSeq) {
      const messages = await engine.call('message.list', { conversationId, limit: HISTORY_PAGE, ...(beforeSeq === undefined ? {} : { beforeSeq }) })
      putMessages(messages)
      return { more: messages.length === HISTORY_PAGE }
    },
    async loadThread(rootId) {
      const thread = await engine.call('thread.replies', { messageId: rootId, limit: 200 })
      putMessages([thread.root, ...thread.replies])
    },
    async send({ conversationId, text, threadRootId }) {
      // Queued, then delivered by the engine's outbox (now, or after a reconnect) with its client
      // id, so exactly once. A send the server refuses for good is set aside, not dropped: the
      // list shows it with retry and delete.
      store.outboxPut({ clientId: crypto.randomUUID(), conversationId, text, threadRootId: threadRootId ?? null, alsoToChannel: false })
      await engine.flushOutbox()
    },
    async upload(request, onProgress) {
      const { message } = await uploadOverHttp(request, onProgress)
      // Shown at once; the event that follows on the socket finds it there.
      if (message) putMessages([message])
    },
    // The page's own file input chooses; the server's download route gives the bytes (the cookie session goes along).
    chooseFiles: null,
    fileLink: fileContentPath,
    async saveFile(file) {
      const a = document.createElement('a')
      a.href = fileContentPath(file)
      a.download = file.name
      a.click()
      return true
    },
    previewUrl: (file) => Promise.resolve(fileContentPath(file)),
    async retry(clientId) {
      await engine.retry(clientId)
    },
    discard(clientId) {
      engine.discard(clientId)
    },
    stop() {
      engine.stop()
      if (store instanceof IdbStore) store.close()
      listeners.clear()
      eventListeners.clear()
    },
  }
  engine.start()
  return backend
}
