import type { DaemonMethodMap, DaemonMethodName, ParamsOf, ResultOf } from '@ocomms/shared'
import type { EventNotificationParams } from '@ocomms/daemon'

/**
 * What the renderer is given (`window.ocomms` in the app, the same calls over a WebSocket in
 * tests): the daemon's declared methods and its event stream, nothing else. The web app's
 * daemon-backed client is written against this interface.
 */
export interface RendererBridge {
  call<N extends DaemonMethodName>(method: N, params: ParamsOf<DaemonMethodMap[N]>): Promise<ResultOf<DaemonMethodMap[N]>>
  /** Events of this renderer's subscriptions (subscriptionId is the one `subscribe` answered). */
  onEvent(listener: (event: EventNotificationParams) => void): () => void
  /** The link to the daemon: `down` when it went away, `up` when it is back (subscriptions renewed: re-read what you show). */
  onDaemon(listener: (state: DaemonLinkState) => void): () => void
  /** Requests to show a conversation (a clicked notification or `ocomms://` link). */
  onOpen(listener: (request: OpenRequest) => void): () => void
}

export type DaemonLinkState = 'up' | 'down'

/** Where the shell asks the renderer to go. */
export interface OpenRequest {
  profile: string
  conversationId: string
  messageId: string | null
  threadRootId: string | null
}

/** A call's answer as it crosses a process boundary: errors stay in the closed set of codes. */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }

/** IPC channel names between the preload and the main process (the preload repeats them; a test compares). */
export const ipcChannels = {
  call: 'ocomms:call',
  event: 'ocomms:event',
  daemon: 'ocomms:daemon',
  open: 'ocomms:open',
} as const

/** The names of the JSON-RPC notifications of the WebSocket transport. */
export const wireNotifications = { event: 'event', daemon: 'bridge.daemon', open: 'bridge.open' } as const
