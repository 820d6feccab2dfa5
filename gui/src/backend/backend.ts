import type { CallInput, CallOutput, FileRef, OperationName, User, Workspace } from '@ocomms/shared'
import type { ChosenFile, UploadRequest } from '../files/upload'
import type { ClientState, EngineEvent, EngineState, OutboxEntry } from '@ocomms/shared/client'

/**
 * The one interface the UI talks to. In a browser tab it is answered by the client engine
 * running in the page (browser-backend.ts); the desktop app will answer the same interface
 * through the local daemon. The UI never interprets events: it renders `state()`, the tables
 * the shared reducer keeps, and calls operations.
 */
export interface Backend {
  readonly user: User
  workspaces(): Workspace[]
  /** The reducer's tables, replaced (never mutated) on every change. */
  state(): ClientState
  /** Messages waiting to be sent, and those the server refused for good. */
  outbox(): OutboxEntry[]
  connection(): { state: EngineState; reason: string | null }
  /** Called after any change of state, outbox or connection. */
  subscribe(listener: () => void): () => void
  /** Applied events and ephemeral signals (typing, presence), as they come. */
  onEvent(listener: (event: EngineEvent) => void): () => void

  /** Any operation of the server, over the live socket when connected. */
  call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>
  /** Loads a page of a conversation's history (newest first from `beforeSeq`) into the state. */
  loadHistory(conversationId: string, beforeSeq?: number): Promise<{ more: boolean }>
  /** Loads a thread (its root and replies) into the state. */
  loadThread(rootId: string): Promise<void>
  /** Sends through the outbox: shown at once, delivered exactly once (now or when back online). */
  send(message: { conversationId: string; text: string; threadRootId?: string | null }): Promise<void>
  /** Uploads a file into a conversation and posts the message carrying it; `onProgress` gets the share sent (0–1). */
  upload(request: UploadRequest, onProgress?: (fraction: number) => void): Promise<void>
  /**
   * Opens the system's file chooser and answers what was picked (nothing when cancelled); null
   * where the page's own file input chooses (a browser tab, whose page may hold the bytes).
   */
  chooseFiles: (() => Promise<ChosenFile[]>) | null
  /** The address a plain download link gives the file from, or null where `saveFile` saves it. */
  fileLink(file: FileRef): string | null
  /** Saves a file where the person says (the system's save dialog); false when they cancelled. */
  saveFile(file: FileRef): Promise<boolean>
  /** The address an image preview loads from (the download route, or the bytes fetched for the page). */
  previewUrl(file: FileRef): Promise<string>
  retry(clientId: string): Promise<void>
  discard(clientId: string): void
  stop(): void
}
