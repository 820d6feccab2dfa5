import type { Static } from '@sinclair/typebox'
import type { BridgeMethodMap, BridgeMethodName } from './index.js'
import type { ParamsOf, ResultOf } from './method.js'
import type { EventNotification } from './methods.js'

/**
 * What a page of the desktop app is given (`window.ocomms` from the preload in the app, the same
 * calls over a local WebSocket in tests): the daemon's declared methods, the shell's own file
 * methods (shell-methods.ts, never a local path) and the daemon's event stream, nothing else.
 * Declared here, beside the methods, because both sides use it: the shell (desktop/) answers it
 * and the web app (gui/) renders through it.
 */
export interface RendererBridge {
  call<N extends BridgeMethodName>(method: N, params: ParamsOf<BridgeMethodMap[N]>): Promise<ResultOf<BridgeMethodMap[N]>>
  /** Events of this renderer's subscriptions (subscriptionId is the one `subscribe` answered). */
  onEvent(listener: (event: Static<typeof EventNotification>) => void): () => void
  /** The link to the daemon: `down` when it went away, `up` when it is back (subscriptions renewed: re-read what you show). */
  onDaemon(listener: (state: DaemonLinkState) => void): () => void
  /** Requests to show a conversation (a clicked notification or `ocomms://` link). */
  onOpen(listener: (request: OpenRequest) => void): () => void
  /** The profile (signed-in account) this window shows; `default` when absent. */
  readonly profile?: string
}

export type DaemonLinkState = 'up' | 'down'

/** Where the shell asks the renderer to go. */
export interface OpenRequest {
  profile: string
  conversationId: string
  messageId: string | null
  threadRootId: string | null
}
